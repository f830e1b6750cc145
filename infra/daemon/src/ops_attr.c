/* Attribute ops: GETATTR, SETATTR, STATX. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "ops.h"
#include "ops_common.h"

static int reply_attr(const struct fb_req *req, struct fb_reply *rep, int fd_or_minus1)
{
	struct stat st;
	int r = fd_or_minus1 >= 0 ? (fstat(fd_or_minus1, &st) < 0 ? -errno : 0)
				  : fb_stat_inode(fb_req_inode(req), &st);
	if (r < 0)
		return r;
	struct fuse_attr_out *out = fb_reply_struct(rep, sizeof(*out));
	out->attr_valid = req->se->timeout_sec;
	out->attr_valid_nsec = req->se->timeout_nsec;
	fb_fill_attr(&out->attr, &st);
	return 0;
}

FB_HANDLER(fb_op_getattr)
{
	/* The O_PATH fd answers for open files too; GETATTR_FH adds nothing here. */
	return reply_attr(req, rep, -1);
}

static struct timespec fuse_time(uint32_t valid, uint32_t set_bit, uint32_t now_bit,
				 uint64_t sec, uint32_t nsec)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = UTIME_OMIT };
	if (valid & now_bit)
		ts.tv_nsec = UTIME_NOW;
	else if (valid & set_bit) {
		ts.tv_sec = (time_t)sec;
		ts.tv_nsec = nsec;
	}
	return ts;
}

FB_HANDLER(fb_op_setattr)
{
	const struct fuse_setattr_in *in = fb_arg(req, sizeof(*in));
	if (!in)
		return -EINVAL;
	struct fb_inode *ino = fb_req_inode(req);
	uint32_t v = in->valid;
	/* FATTR_FH comes with ftruncate / O_TRUNC, so the fh is a regular file's. */
	int fd = (v & FATTR_FH) ? fb_fh_fd(in->fh) : -1;
	char path[FB_PROCPATH_MAX];
	fb_procpath(path, ino->fd);

	if (v & FATTR_MODE) {
		int r = fchmodat(AT_FDCWD, path, in->mode, 0);
		if (r < 0)
			return -errno;
	}
	if (v & (FATTR_UID | FATTR_GID)) {
		uid_t uid = (v & FATTR_UID) ? in->uid : (uid_t)-1;
		gid_t gid = (v & FATTR_GID) ? in->gid : (gid_t)-1;
		if (fchownat(ino->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
	}
	if (v & FATTR_SIZE) {
		int r = fd >= 0 ? ftruncate(fd, (off_t)in->size) : truncate(path, (off_t)in->size);
		if (r < 0)
			return -errno;
	}
	if (v & (FATTR_ATIME | FATTR_MTIME | FATTR_ATIME_NOW | FATTR_MTIME_NOW)) {
		struct timespec tv[2] = {
			fuse_time(v, FATTR_ATIME, FATTR_ATIME_NOW, in->atime, in->atimensec),
			fuse_time(v, FATTR_MTIME, FATTR_MTIME_NOW, in->mtime, in->mtimensec),
		};
		int r = utimensat(AT_FDCWD, path, tv, 0);
		if (r < 0)
			return -errno;
	}
	return reply_attr(req, rep, -1);
}

static void sx_time(struct fuse_sx_time *d, const struct statx_timestamp *s)
{
	d->tv_sec = s->tv_sec;
	d->tv_nsec = s->tv_nsec;
}

FB_HANDLER(fb_op_statx)
{
	const struct fuse_statx_in *in = fb_arg(req, sizeof(*in));
	if (!in)
		return -EINVAL;
	struct statx stx;
	int flags = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW |
		    (int)(in->sx_flags & AT_STATX_SYNC_TYPE);
	if (statx(fb_req_inode(req)->fd, "", flags, in->sx_mask | STATX_BASIC_STATS, &stx) < 0)
		return -errno;

	struct fuse_statx_out *out = fb_reply_struct(rep, sizeof(*out));
	out->attr_valid = req->se->timeout_sec;
	out->attr_valid_nsec = req->se->timeout_nsec;
	struct fuse_statx *s = &out->stat;
	s->mask = stx.stx_mask;
	s->blksize = stx.stx_blksize;
	s->attributes = stx.stx_attributes;
	s->nlink = stx.stx_nlink;
	s->uid = stx.stx_uid;
	s->gid = stx.stx_gid;
	s->mode = stx.stx_mode;
	s->ino = stx.stx_ino;
	s->size = stx.stx_size;
	s->blocks = stx.stx_blocks;
	s->attributes_mask = stx.stx_attributes_mask;
	sx_time(&s->atime, &stx.stx_atime);
	sx_time(&s->btime, &stx.stx_btime);
	sx_time(&s->ctime, &stx.stx_ctime);
	sx_time(&s->mtime, &stx.stx_mtime);
	s->rdev_major = stx.stx_rdev_major;
	s->rdev_minor = stx.stx_rdev_minor;
	s->dev_major = stx.stx_dev_major;
	s->dev_minor = stx.stx_dev_minor;
	return 0;
}
