/*
 * The comma-separated mount options a mount helper passes (-o): the usual
 * VFS flags, the two FUSE ones we have flags for, fsname= and subtype=, and
 * the userspace-only ones mount(8) may hand on, which mean nothing here.
 * Pure, so it is unit tested (test/test_mount_opts.c).
 */
#ifndef FB_MOUNT_OPTS_H
#define FB_MOUNT_OPTS_H

#include <stdbool.h>
#include <stddef.h>

/* Longest fsname= / subtype= value kept. */
#define FB_MOUNT_NAME_MAX 64

struct fb_mount_opts {
	unsigned long flags;	/* MS_*; starts as MS_NOSUID | MS_NODEV, as libfuse's */
	bool allow_other;
	bool default_permissions;
	char fsname[FB_MOUNT_NAME_MAX];		/* "" unless given */
	char subtype[FB_MOUNT_NAME_MAX];	/* "" unless given */
};

/* The defaults, before any option. */
void fb_mount_opts_init(struct fb_mount_opts *m);

/*
 * Apply one -o list (later options win, as with mount(8)). 0, or -1 with the
 * offending option named in why. "remount" is refused: it changes a mount
 * that exists, which is mount(8)'s job (mount -i -o remount,... MNT), not a
 * daemon's that is about to make one.
 */
int fb_mount_opts_parse(struct fb_mount_opts *m, const char *list, char *why, size_t whylen);

/* A name fit for fsname=/subtype= (non-empty, no commas, spaces or '='). */
bool fb_mount_name_ok(const char *name);

#endif
