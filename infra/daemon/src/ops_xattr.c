/*
 * Extended attributes. Inodes hold O_PATH fds, which the f*xattr calls
 * refuse, so these go through /proc/self/fd/N.
 *
 * POSIX ACLs (system.posix_acl_access/default) are set as the caller, groups
 * included: the lower file system then updates the mode from the ACL and
 * clears setgid for a caller outside the file's group, as for a local caller
 * (as root the daemon would keep it). And the mode the kernel has cached is
 * stale then: with FUSE_POSIX_ACL the kernel invalidates it itself; without,
 * we tell it to (FUSE_NOTIFY_INVAL_INODE) before replying.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <sys/uio.h>
#include <sys/xattr.h>

#include "ops.h"
#include "ops_common.h"

static bool is_posix_acl(const char *name)
{
	return strcmp(name, "system.posix_acl_access") == 0 ||
	       strcmp(name, "system.posix_acl_default") == 0;
}

/* Drop the kernel's cached attributes of the request's inode (not its pages). */
static void invalidate_attributes(const struct fb_req *req)
{
	struct fb_session *se = req->se;
	if (se->init.reply_flags64 & FUSE_POSIX_ACL)
		return;	/* the kernel does it after every ACL change */
	struct fuse_notify_inval_inode_out arg = { .ino = req->h->nodeid, .off = -1, .len = 0 };
	struct fuse_out_header oh = {
		.len = sizeof(oh) + sizeof(arg), .error = FUSE_NOTIFY_INVAL_INODE, .unique = 0,
	};
	struct iovec iov[2] = { { &oh, sizeof(oh) }, { &arg, sizeof(arg) } };
	/* Notifications go over /dev/fuse with either transport. Failing only leaves the cache to expire. */
	if (writev(se->fd, iov, 2) < 0 && se->opt.debug)
		fprintf(stderr, "notify INVAL_INODE nodeid=%llu: %s\n",
			(unsigned long long)req->h->nodeid, strerror(errno));
}

/* Reply for a size-probing (size 0) or value-returning get/list call. */
static int reply_sized(struct fb_reply *rep, uint32_t asked, ssize_t n)
{
	if (n < 0)
		return -errno;
	if (asked == 0) {
		struct fuse_getxattr_out *out = fb_reply_struct(rep, sizeof(*out));
		out->size = (uint32_t)n;
		return 0;
	}
	rep->len = (size_t)n;
	return 0;
}

FB_HANDLER(fb_op_getxattr)
{
	const struct fuse_getxattr_in *in = fb_arg(req, sizeof(*in));
	const char *name = fb_arg_str(req, sizeof(*in), NULL);
	if (!in || !name)
		return -EINVAL;
	char path[FB_PROCPATH_MAX];
	fb_procpath(path, fb_req_inode(req)->fd);
	size_t size = in->size < rep->cap ? in->size : rep->cap;
	ssize_t n = getxattr(path, name, size ? rep->buf : NULL, size);
	return reply_sized(rep, in->size, n);
}

FB_HANDLER(fb_op_listxattr)
{
	const struct fuse_getxattr_in *in = fb_arg(req, sizeof(*in));
	if (!in)
		return -EINVAL;
	char path[FB_PROCPATH_MAX];
	fb_procpath(path, fb_req_inode(req)->fd);
	size_t size = in->size < rep->cap ? in->size : rep->cap;
	ssize_t n = listxattr(path, size ? rep->buf : NULL, size);
	return reply_sized(rep, in->size, n);
}

FB_HANDLER(fb_op_setxattr)
{
	/* Without FUSE_SETXATTR_EXT the kernel sends the 8-byte compat struct. */
	const struct fuse_setxattr_in *in = fb_arg(req, FUSE_COMPAT_SETXATTR_IN_SIZE);
	size_t next;
	const char *name = fb_arg_str(req, FUSE_COMPAT_SETXATTR_IN_SIZE, &next);
	(void)rep;
	if (!in || !name || req->arglen - next < in->size)
		return -EINVAL;
	char path[FB_PROCPATH_MAX];
	fb_procpath(path, fb_req_inode(req)->fd);
	const char *value = (const char *)req->arg + next;
	if (!is_posix_acl(name))
		return setxattr(path, name, value, in->size, (int)in->flags) < 0 ? -errno : 0;
	fb_creds_enter_with_groups(req);
	int r = setxattr(path, name, value, in->size, (int)in->flags) < 0 ? -errno : 0;
	fb_creds_leave_with_groups(req);
	if (r == 0)
		invalidate_attributes(req);
	return r;
}

FB_HANDLER(fb_op_removexattr)
{
	const char *name = fb_arg_str(req, 0, NULL);
	(void)rep;
	if (!name)
		return -EINVAL;
	char path[FB_PROCPATH_MAX];
	fb_procpath(path, fb_req_inode(req)->fd);
	if (!is_posix_acl(name))
		return removexattr(path, name) < 0 ? -errno : 0;
	fb_creds_enter_with_groups(req);
	int r = removexattr(path, name) < 0 ? -errno : 0;
	fb_creds_leave_with_groups(req);
	if (r == 0)
		invalidate_attributes(req);
	return r;
}
