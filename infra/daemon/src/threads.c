#define _GNU_SOURCE
#include "threads.h"

#include <errno.h>
#include <sched.h>

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
