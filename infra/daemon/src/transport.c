#define _GNU_SOURCE
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuse_abi.h"
#include "clock.h"
#include "session.h"
#include "threads.h"

#define PAGE 4096
#define WRITE_HDR (sizeof(struct fuse_in_header) + sizeof(struct fuse_write_in))
#define IN_ALLOC  (2 * PAGE + FB_MAX_WRITE)
#define OUT_ALLOC (FB_MAX_WRITE)

static int dev_send(struct fb_chan *ch, const struct iovec *iov, int iovcnt)
{
	for (;;) {
		ssize_t n = writev(ch->fd, iov, iovcnt);
		if (n >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		/* ENOENT: the request was interrupted and is gone; not an error for us. */
		return -errno;
	}
}

int fb_workers_alloc(struct fb_session *se, int n)
{
	se->workers = calloc((size_t)n, sizeof(*se->workers));
	if (!se->workers)
		return -ENOMEM;
	se->nworkers = n;
	for (int i = 0; i < n; i++) {
		struct fb_worker *w = &se->workers[i];
		w->se = se;
		w->idx = i;
		w->fd = i == 0 ? se->fd : -1;
		w->inbuf = aligned_alloc(PAGE, IN_ALLOC);
		w->outbuf = aligned_alloc(PAGE, OUT_ALLOC);
		if (!w->inbuf || !w->outbuf)
			return -ENOMEM;
		/* Header + fuse_write_in land just below a page boundary. */
		w->readpos = w->inbuf + PAGE - WRITE_HDR;
		w->readlen = IN_ALLOC - (PAGE - WRITE_HDR);
		w->chan.send = dev_send;
		w->chan.fd = w->fd;
		w->ctx.se = se;
		w->ctx.chan = &w->chan;
		w->ctx.stats = &w->stats;
		w->ctx.payload = w->outbuf;
		w->ctx.payload_cap = OUT_ALLOC;
	}
	return 0;
}

/* Sleep in poll(2) until the non-blocking fd has a request (or the session ends). */
static int wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, -1) < 0 && errno != EINTR ? -1 : 0;
}

/*
 * --poll-us: a worker that sleeps in read() costs the kernel a wake-up (and, across CPUs, an IPI)
 * per request. Polling the non-blocking fd for a while first measures that share, at the price of a
 * busy CPU. One worker polls at a time: polling workers on every CPU would starve the workload.
 */
static ssize_t read_request(struct fb_worker *w)
{
	struct fb_session *se = w->se;
	if (!se->opt.poll_us)
		return read(w->fd, w->readpos, w->readlen);
	for (;;) {
		int idle = 0;
		bool polling = __atomic_compare_exchange_n(&se->poller, &idle, 1, false,
							  __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
		uint64_t until = polling ? fb_monotonic_ns() + (uint64_t)se->opt.poll_us * 1000u : 0;
		ssize_t n;
		int err;
		do {
			n = read(w->fd, w->readpos, w->readlen);
			err = errno;
		} while (n < 0 && err == EAGAIN && polling && fb_monotonic_ns() < until);
		if (polling)
			__atomic_store_n(&se->poller, 0, __ATOMIC_RELEASE);
		if (n >= 0 || err != EAGAIN) {
			errno = err;
			return n;
		}
		if (wait_readable(w->fd) < 0)
			return -1;
	}
}

int fb_worker_serve_one(struct fb_worker *w)
{
	ssize_t n = read_request(w);
	if (n < 0) {
		/* ENOENT: a request vanished (interrupted) before we read it. */
		if (errno == EINTR || errno == EAGAIN || errno == ENOENT)
			return 0;
		return -errno;
	}
	if (n == 0)
		return -ENODEV;
	return fb_dispatch(&w->ctx, w->readpos, (size_t)n);
}

static void *worker_main(void *arg)
{
	struct fb_worker *w = arg;
	int r = fb_thread_own_umask();

	if (r < 0) {
		fprintf(stderr, "fusebench-daemon: worker %d: unshare(CLONE_FS): %s\n", w->idx, strerror(-r));
	} else {
		while ((r = fb_worker_serve_one(w)) == 0)
			;
		if (r != -ENODEV)
			fprintf(stderr, "fusebench-daemon: worker %d: /dev/fuse: %s\n", w->idx, strerror(-r));
	}
	__atomic_store_n(&w->exited, true, __ATOMIC_RELEASE);
	/* Tell the main thread (which sigwaits) unless it is already shutting down. */
	if (!__atomic_load_n(&w->se->ending, __ATOMIC_ACQUIRE))
		kill(getpid(), SIGUSR2);
	return NULL;
}

static int clone_fd(int master)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	uint32_t m = (uint32_t)master;
	if (ioctl(fd, FUSE_DEV_IOC_CLONE, &m) < 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

int fb_workers_start(struct fb_session *se)
{
	for (int i = 1; i < se->nworkers; i++) {
		int fd = clone_fd(se->fd);
		if (fd < 0)
			return fd;
		se->workers[i].fd = fd;
		se->workers[i].chan.fd = fd;
	}
	for (int i = 0; i < se->nworkers; i++) {
		struct fb_worker *w = &se->workers[i];
		if (se->opt.poll_us && fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) | O_NONBLOCK) < 0)
			return -errno;
		int r = pthread_create(&w->tid, NULL, worker_main, w);
		if (r)
			return -r;
		w->started = true;
	}
	return 0;
}

bool fb_workers_join(struct fb_session *se, int timeout_ms)
{
	struct timespec deadline = fb_deadline_after_ms(timeout_ms);
	bool all = true;
	for (int i = 0; i < se->nworkers; i++)
		all &= fb_join_by(se->workers[i].tid, &se->workers[i].started, &deadline);
	return all;
}

void fb_workers_free(struct fb_session *se)
{
	for (int i = 0; i < se->nworkers; i++) {
		struct fb_worker *w = &se->workers[i];
		if (i > 0 && w->fd >= 0)
			close(w->fd);
		free(w->inbuf);
		free(w->outbuf);
	}
	free(se->workers);
	se->workers = NULL;
	se->nworkers = 0;
}
