/*
 * What a transport is to the rest of the daemon (after fio's struct ioengine_ops):
 * main and the INIT handler ask the session's transport instead of testing which
 * one was chosen, so a transport is one ops instance in its own file. INIT always
 * comes on /dev/fuse, so every transport runs /dev/fuse readers (se->workers);
 * the ops say how many and what runs beside them.
 */
#ifndef FB_TRANSPORT_OPS_H
#define FB_TRANSPORT_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "options.h"

struct fb_session;
struct fb_stats;

/* start's result when the kernel refused the transport itself: exit 3, not 1. */
#define FB_TRANSPORT_REFUSED 1

struct fb_transport_ops {
	const char *name;	/* as in --transport and the stats' "transport" */

	/* /dev/fuse reader threads it needs, worker 0 (which answers INIT) included. */
	int (*dev_readers)(const struct fb_options *o);

	/*
	 * INIT flags it cannot run without: asked for, and INIT fails when the
	 * kernel does not offer them all. init_flags_name and init_flags_hint
	 * finish the error message then (what is missing, how to get it).
	 */
	uint64_t init_flags;
	const char *init_flags_name;
	const char *init_flags_hint;

	/*
	 * After INIT: start serving. 0; -errno or FB_TRANSPORT_REFUSED, with the
	 * reason in why.
	 */
	int (*start)(struct fb_session *se, char *why, size_t whylen);
	/* Wait up to timeout_ms (per group of threads) for them to end; true if all did. */
	bool (*join)(struct fb_session *se, int timeout_ms);
	/* Close and free what start made (only after a successful join). */
	void (*free)(struct fb_session *se);

	/* Optional: its own fields of the stats JSON, each written as ,"key":value. */
	void (*stats_json)(FILE *f, const struct fb_session *se);
	/* Optional: request counters of its threads other than the /dev/fuse readers. */
	int (*nqueues)(const struct fb_session *se);
	const struct fb_stats *(*queue_stats)(const struct fb_session *se, int qid);
};

extern const struct fb_transport_ops fb_transport_dev;	/* transport.c */
extern const struct fb_transport_ops fb_transport_uring;	/* transport_uring.c */

#endif
