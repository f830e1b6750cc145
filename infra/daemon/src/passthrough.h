/* Registering backing files with the kernel for passthrough mode. */
#ifndef FB_PASSTHROUGH_H
#define FB_PASSTHROUGH_H

#include <stdint.h>

struct fb_session;
struct fb_inode;

/*
 * Backing id for a new open of ino, whose lower file is open as fd. Upstream
 * keeps one backing file per inode (a second, different one makes the open
 * fail with EIO), so the id is shared and counted; Android registers each
 * open. Returns the id (>= 1), 0 when the session does not pass through,
 * or -errno.
 */
int fb_pt_get(struct fb_session *se, struct fb_inode *ino, int fd);

/* Drop an open's use of backing_id (from fb_pt_get) at RELEASE. */
void fb_pt_put(struct fb_session *se, struct fb_inode *ino, int backing_id);

/* open_flags bits to add when a backing id is returned. */
uint32_t fb_pt_open_flags(const struct fb_session *se);

#endif
