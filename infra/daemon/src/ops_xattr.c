/*
 * Extended attributes. Inodes hold O_PATH fds, which the f*xattr calls
 * refuse, so these go through /proc/self/fd/N.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/xattr.h>

#include "ops.h"
#include "ops_common.h"

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
	if (setxattr(path, name, (const char *)req->arg + next, in->size, (int)in->flags) < 0)
		return -errno;
	return 0;
}

FB_HANDLER(fb_op_removexattr)
{
	const char *name = fb_arg_str(req, 0, NULL);
	(void)rep;
	if (!name)
		return -EINVAL;
	char path[FB_PROCPATH_MAX];
	fb_procpath(path, fb_req_inode(req)->fd);
	if (removexattr(path, name) < 0)
		return -errno;
	return 0;
}
