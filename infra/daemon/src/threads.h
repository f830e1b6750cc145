/*
 * Joining worker threads against one deadline: shutdown must not hang on a thread stuck in the
 * kernel, so the caller learns which threads did not end in time and can abort the connection.
 */
#ifndef FB_THREADS_H
#define FB_THREADS_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

/* CLOCK_REALTIME deadline timeout_ms from now, as pthread_timedjoin_np wants it. */
struct timespec fb_deadline_after_ms(int timeout_ms);

/* Join *tid if *started, by the deadline; clears *started on success. True if it is not running. */
bool fb_join_by(pthread_t tid, bool *started, const struct timespec *deadline);

/*
 * Gives the calling thread its own umask (unshare(CLONE_FS)), so a create-type op
 * can set the caller's umask for its one call without touching other threads.
 * 0 or -errno.
 */
int fb_thread_own_umask(void);

#endif
