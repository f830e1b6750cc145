/* Command line of fusebench-daemon. The TypeScript harness depends on it. */
#ifndef FB_OPTIONS_H
#define FB_OPTIONS_H

#include <stdbool.h>

#include "mount_opts.h"

enum fb_mode {
	FB_MODE_PLAIN = 0,	/* every data op served in user space */
	FB_MODE_PASSTHROUGH,	/* read/write go to a backing file in the kernel */
	FB_MODE_BPF,		/* LOOKUP replies carry a FUSE-BPF backing block */
};

enum fb_transport {
	FB_TRANSPORT_DEV = 0,	/* read/writev on /dev/fuse */
	FB_TRANSPORT_URING,	/* FUSE over io_uring: one ring per CPU */
};

enum fb_bpf_abi {
	FB_BPF_ABI_AUTO = 0,	/* android if /sys/fs/fuse/features/fuse_bpf says supported */
	FB_BPF_ABI_ANDROID,	/* struct fuse_entry_bpf_out, 32 bytes */
	FB_BPF_ABI_RFC_V2,	/* struct fuse_bpf_entry_out, 16 bytes */
	FB_BPF_ABI_RFC_V3,	/* RFC v3/v4: 24 bytes */
};

enum fb_cache {
	FB_CACHE_NEVER = 0,
	FB_CACHE_AUTO,
	FB_CACHE_ALWAYS,
};

struct fb_options {
	enum fb_mode mode;
	enum fb_cache cache;
	enum fb_transport transport;
	int uring_depth;	/* ring entries per queue */
	bool uring_defer;	/* set rings up with SINGLE_ISSUER | DEFER_TASKRUN */
	bool uring_float;	/* leave queue threads to the scheduler instead of pinning queue N to CPU N */
	int poll_us;		/* /dev/fuse: poll without sleeping this long before blocking; 0 = never */
	int inject_delay_us;	/* spin this long before each reply: a known slowdown to prove detection */
	enum fb_bpf_abi bpf_abi;
	int threads;
	bool writeback;
	bool allow_other;
	bool default_permissions;
	bool foreground;
	bool debug;
	int ready_fd;		/* -1: none */
	const char *stats_path;	/* NULL: none */
	const char *fsname;
	const char *subtype;	/* the mount's type is fuse.<subtype>, or fuse when "" */
	struct fb_mount_opts mount;	/* from -o: MS_* flags (and fsname=, subtype=) */
	const char *lower;
	const char *mnt;
};

/* Returns 0, or -1 after printing the reason to stderr (also copied to *why). */
int fb_options_parse(int argc, char **argv, struct fb_options *o, char *why, unsigned whylen);
void fb_options_usage(const char *argv0);
const char *fb_mode_name(enum fb_mode m);
const char *fb_bpf_abi_name(enum fb_bpf_abi a);	/* NULL for AUTO */

#endif
