/*
 * FUSE over io_uring transport (protocol 7.42, Linux 6.14+). One queue per
 * possible CPU (qid = cpu, the kernel routes a request to the queue of the
 * CPU its caller runs on), each a thread pinned to that CPU with its own ring
 * and --uring-depth entries. An entry is a 288-byte header buffer plus a
 * payload buffer; the kernel fills both with a request when the entry's
 * command completes, and the reply goes back in the same buffers with
 * COMMIT_AND_FETCH, which also waits for the next request: one syscall per
 * request. Like the /dev/fuse transport it moves bytes only; FORGET and
 * INTERRUPT still come through the /dev/fuse reader (worker 0).
 */
#ifndef FB_TRANSPORT_URING_H
#define FB_TRANSPORT_URING_H

#include <stdbool.h>
#include <stddef.h>

struct fb_session;
struct fb_stats;

/*
 * Start the queue threads, register every entry, and wait until all queues
 * report. 0, or -errno with a reason in why (EOPNOTSUPP: enable_uring is N).
 */
int fb_uring_start(struct fb_session *se, char *why, size_t whylen);

/* Wait up to timeout_ms for the queue threads; true if all ended. */
bool fb_uring_join(struct fb_session *se, int timeout_ms);

/* Close rings and free buffers (only after a successful join). */
void fb_uring_free(struct fb_session *se);

/* For the stats writer: number of queues and each one's counters. */
int fb_uring_nqueues(const struct fb_session *se);
const struct fb_stats *fb_uring_stats(const struct fb_session *se, int qid);
/* io_uring_enter calls made by all queues so far. */
unsigned long long fb_uring_enter_calls(const struct fb_session *se);

#endif
