/* One mounted file system: options, /dev/fuse fd, negotiated INIT, inodes, workers. */
#ifndef FB_SESSION_H
#define FB_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "inode.h"
#include "options.h"
#include "passthrough_abi.h"

#define FB_MAX_WRITE  (1u << 20)	/* 1 MiB: max_pages 256 */
#define FB_MAX_PAGES  256

struct fb_init_info {
	/* As offered by the kernel in its INIT request. */
	uint32_t major, minor;
	uint32_t flags, flags2;
	/* What we replied. */
	uint64_t reply_flags64;
	uint32_t reply_minor;
	uint32_t max_write;
	bool done;
	bool failed;
};

struct fb_worker;
struct fb_uring;

struct fb_session {
	struct fb_options opt;
	int fd;				/* the /dev/fuse fd that was mounted */
	struct fb_inode_table itable;
	struct fb_init_info init;
	enum fb_pt_abi pt_abi;		/* chosen at INIT; NONE in plain mode */
	uint64_t timeout_sec;		/* entry and attr validity */
	uint32_t timeout_nsec;
	int nworkers;
	struct fb_worker *workers;	/* /dev/fuse readers; one with --transport uring */
	struct fb_uring *uring;		/* NULL unless --transport uring */
	enum fb_bpf_abi bpf_abi;	/* resolved at start-up in bpf mode */
	int bpf_confirmed;		/* a backed LOOKUP reply was accepted (atomic) */
	int exit_code;			/* non-zero: exit with it (atomic) */
	int ending;			/* set once shutdown began (atomic) */
	int poller;			/* --poll-us: a worker is polling (atomic); the others sleep */
	gid_t *own_groups;		/* the daemon's supplementary groups, restored after a caller's */
	int n_own_groups;
};

#endif
