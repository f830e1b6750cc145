/* Command line of fusebench-daemon. The TypeScript harness depends on it. */
#ifndef FB_OPTIONS_H
#define FB_OPTIONS_H

#include <stdbool.h>

enum fb_mode {
	FB_MODE_PLAIN = 0,	/* every data op served in user space */
	FB_MODE_PASSTHROUGH,	/* read/write go to a backing file in the kernel */
	FB_MODE_BPF,		/* reserved: FUSE-BPF backing, not built yet */
};

enum fb_cache {
	FB_CACHE_NEVER = 0,
	FB_CACHE_AUTO,
	FB_CACHE_ALWAYS,
};

struct fb_options {
	enum fb_mode mode;
	enum fb_cache cache;
	int threads;
	bool writeback;
	bool allow_other;
	bool default_permissions;
	bool foreground;
	bool debug;
	int ready_fd;		/* -1: none */
	const char *stats_path;	/* NULL: none */
	const char *fsname;
	const char *lower;
	const char *mnt;
};

/* Returns 0, or -1 after printing the reason to stderr (also copied to *why). */
int fb_options_parse(int argc, char **argv, struct fb_options *o, char *why, unsigned whylen);
void fb_options_usage(const char *argv0);
const char *fb_mode_name(enum fb_mode m);

#endif
