#define _GNU_SOURCE
#include "threads.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct timespec fb_deadline_after_ms(int timeout_ms)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	return deadline;
}

bool fb_join_by(pthread_t tid, bool *started, const struct timespec *deadline)
{
	if (!*started)
		return true;
	if (pthread_timedjoin_np(tid, NULL, deadline) != 0)
		return false;
	*started = false;
	return true;
}

int fb_thread_own_umask(void)
{
	return unshare(CLONE_FS) < 0 ? -errno : 0;
}

int fb_possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int hi = -1;
	if (f) {
		char buf[256];
		if (fgets(buf, sizeof(buf), f)) {
			/* "0-3" or "0,2-5": the count is the highest index plus one. */
			for (char *p = buf; *p;) {
				if (*p < '0' || *p > '9') {	/* '-' and ',' separate numbers */
					p++;
					continue;
				}
				char *end;
				long v = strtol(p, &end, 10);
				if (v > hi)
					hi = (int)v;
				p = end;
			}
		}
		fclose(f);
	}
	if (hi < 0) {
		long n = sysconf(_SC_NPROCESSORS_CONF);
		return n > 0 ? (int)n : 1;
	}
	return hi + 1;
}
