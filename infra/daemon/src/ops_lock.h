/* Lock-owner bookkeeping shared with FLUSH. */
#ifndef FB_OPS_LOCK_H
#define FB_OPS_LOCK_H

#include <stdint.h>

struct fb_session;
struct fb_inode;

/* Drop all POSIX locks of owner on ino (close(2) semantics). */
void fb_lock_owner_release(struct fb_session *se, struct fb_inode *ino, uint64_t owner);

#endif
