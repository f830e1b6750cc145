/* Mounting and unmounting the FUSE file system without libfuse or fusermount. */
#ifndef FB_MOUNT_H
#define FB_MOUNT_H

#include <stddef.h>

#include "options.h"

/* Open /dev/fuse and mount it on o->mnt. Returns the fd, or -errno with why filled. */
int fb_mount(const struct fb_options *o, char *why, size_t whylen);

/* Lazy unmount; quiet when it is already gone. */
void fb_unmount(const char *mnt);

/* True if mnt still shows a FUSE mount (alive or with its connection aborted). */
int fb_mount_present(const char *mnt);

#endif
