/* Helpers shared by the operation handlers. */
#ifndef FB_OPS_COMMON_H
#define FB_OPS_COMMON_H

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "dispatch.h"
#include "inode.h"
#include "session.h"

/* Enough for "/proc/self/fd/" plus any int. */
#define FB_PROCPATH_MAX 32

static inline void fb_procpath(char *buf, int fd)
{
	snprintf(buf, FB_PROCPATH_MAX, "/proc/self/fd/%d", fd);
}

static inline struct fb_inode *fb_req_inode(const struct fb_req *req)
{
	return fb_inode_of(&req->se->itable, req->h->nodeid);
}

/* The op's fixed argument struct, or NULL if the request is too short. */
static inline const void *fb_arg(const struct fb_req *req, size_t need)
{
	return req->arglen >= need ? req->arg : NULL;
}

/*
 * A NUL-terminated string at byte offset off of the argument; NULL if it
 * runs past the request. *next receives the offset just after its NUL.
 */
static inline const char *fb_arg_str(const struct fb_req *req, size_t off, size_t *next)
{
	if (off >= req->arglen)
		return NULL;
	const char *s = (const char *)req->arg + off;
	const char *nul = memchr(s, '\0', req->arglen - off);
	if (!nul)
		return NULL;
	if (next)
		*next = off + (size_t)(nul - s) + 1;
	return s;
}

/* Zeroed reply struct of size bytes in the scratch buffer. */
static inline void *fb_reply_struct(struct fb_reply *rep, size_t size)
{
	memset(rep->buf, 0, size);
	rep->data = rep->buf;
	rep->len = size;
	return rep->buf;
}

/* File handles of regular files: lower fd in the low half, backing id above. */
static inline uint64_t fb_fh_make(int fd, int backing_id)
{
	return (uint64_t)(uint32_t)fd | ((uint64_t)(uint32_t)backing_id << 32);
}
static inline int fb_fh_fd(uint64_t fh) { return (int)(uint32_t)fh; }
static inline int fb_fh_backing(uint64_t fh) { return (int)(uint32_t)(fh >> 32); }

void fb_fill_attr(struct fuse_attr *a, const struct stat *st);
int fb_stat_inode(const struct fb_inode *ino, struct stat *st);
void fb_set_entry_timeouts(const struct fb_session *se, struct fuse_entry_out *e);

/*
 * Look name up under parent in the lower tree, enter it in the inode table
 * (raising its lookup count) and fill e. 0 or -errno.
 */
int fb_make_entry(struct fb_session *se, struct fb_inode *parent, const char *name,
		  struct fuse_entry_out *e);

/*
 * Run a create-type op as the caller: per-thread fsuid/fsgid (raw syscalls,
 * since they must not be broadcast to other threads). Always pair them.
 */
void fb_creds_enter(const struct fb_req *req);
void fb_creds_leave(const struct fb_req *req);

/*
 * Run an op whose outcome depends on the caller's groups as the caller: fsuid,
 * fsgid and the supplementary groups of the calling thread (from
 * /proc/PID/status; none when it cannot be read). Per-thread too. Pair them.
 */
void fb_creds_enter_with_groups(const struct fb_req *req);
void fb_creds_leave_with_groups(const struct fb_req *req);

/*
 * The caller's umask (from CREATE/MKNOD/MKDIR) for this thread's next create:
 * every worker has its own (fb_thread_own_umask). We negotiate FUSE_DONT_MASK,
 * so the kernel leaves the mode unmasked and the lower file system applies the
 * umask as it would for a local caller: not at all under a default ACL.
 */
static inline void fb_caller_umask(uint32_t mask)
{
	umask((mode_t)(mask & 0777));
}

#endif
