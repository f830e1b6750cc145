/*
 * /dev/fuse transport: worker threads that read requests and write replies.
 * It moves bytes only; dispatch decides what they mean. Worker 0 uses the
 * mounted fd; each further worker reads its own fd cloned with
 * FUSE_DEV_IOC_CLONE so replies go back on the fd the request came from.
 */
#ifndef FB_TRANSPORT_H
#define FB_TRANSPORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "dispatch.h"
#include "stats.h"

struct fb_session;

struct fb_worker {
	struct fb_session *se;
	int idx;
	int fd;
	pthread_t tid;
	bool started;
	bool exited;		/* atomic */
	unsigned char *inbuf;	/* allocation */
	unsigned char *readpos;	/* where read() lands: WRITE data ends up page-aligned */
	size_t readlen;
	void *outbuf;		/* page-aligned reply payload */
	struct fb_chan chan;
	struct fb_ctx ctx;
	struct fb_stats stats;
};

/* Allocate n workers (fds cloned later by fb_workers_start). 0 or -errno. */
int fb_workers_alloc(struct fb_session *se, int n);

/* Serve one request on w in the calling thread. 0, -ENODEV at session end, or -errno. */
int fb_worker_serve_one(struct fb_worker *w);

/* Clone fds for workers 1..n-1 and start all threads. 0 or -errno. */
int fb_workers_start(struct fb_session *se);

/* Wait up to timeout_ms for all started workers to end; true if they all did. */
bool fb_workers_join(struct fb_session *se, int timeout_ms);

/* Close cloned fds and free buffers (only after a successful join). */
void fb_workers_free(struct fb_session *se);

#endif
