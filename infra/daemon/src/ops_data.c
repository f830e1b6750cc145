/* Open files and their data: OPEN, CREATE, READ, WRITE and friends. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

#include "ops.h"
#include "ops_common.h"
#include "passthrough.h"

/* Flags for the lower open; the kernel's O_CREAT/O_EXCL only matter for CREATE. */
static int lower_flags(const struct fb_session *se, uint32_t kflags, int keep)
{
	int f = (int)kflags & ~(O_CREAT | O_EXCL | O_NOCTTY);
	f |= (int)kflags & keep;
	if (se->opt.writeback) {
		/* The kernel reads pages to fill partial writes and tracks EOF itself. */
		if ((f & O_ACCMODE) == O_WRONLY)
			f = (f & ~O_ACCMODE) | O_RDWR;
		f &= ~O_APPEND;
	}
	return f | O_CLOEXEC;
}

/*
 * On a noatime mount, reads through it (served by us, or by the kernel from a
 * passthrough backing file) must not change the lower file's atime. Set once
 * we are root again: O_NOATIME needs ownership or CAP_FOWNER, which a caller
 * opening someone else's file with O_CREAT lacks.
 */
static void keep_atime(const struct fb_session *se, int fd)
{
	if (se->opt.mount.flags & MS_NOATIME)
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NOATIME);
}

/* Fill fuse_open_out for a freshly opened lower fd; may register a backing file. */
static void fill_open_out(struct fb_session *se, struct fuse_open_out *out,
			  struct fb_inode *ino, int fd)
{
	int backing = 0;

	if (se->opt.mode == FB_MODE_PASSTHROUGH) {
		backing = fb_pt_get(se, ino, fd);
		if (backing < 0) {
			fprintf(stderr, "fusebench-daemon: passthrough registration failed (%d); "
				"serving this file in user space\n", backing);
			backing = 0;
		}
	}
	out->fh = fb_fh_make(fd, backing);
	out->open_flags = 0;
	if (backing > 0) {
		out->open_flags |= fb_pt_open_flags(se);
		FB_OPEN_OUT_BACKING_ID(out) = (uint32_t)backing;
	} else if (se->opt.cache == FB_CACHE_NEVER) {
		out->open_flags |= FOPEN_DIRECT_IO;
	}
	if (se->opt.cache == FB_CACHE_ALWAYS)
		out->open_flags |= FOPEN_KEEP_CACHE;
}

FB_HANDLER(fb_op_open)
{
	const struct fuse_open_in *in = fb_arg(req, sizeof(*in));
	if (!in)
		return -EINVAL;
	char path[FB_PROCPATH_MAX];
	fb_procpath(path, fb_req_inode(req)->fd);
	int fd = open(path, lower_flags(req->se, in->flags, 0));
	if (fd < 0)
		return -errno;
	keep_atime(req->se, fd);
	struct fuse_open_out *out = fb_reply_struct(rep, sizeof(*out));
	fill_open_out(req->se, out, fb_req_inode(req), fd);
	return 0;
}

FB_HANDLER(fb_op_create)
{
	const struct fuse_create_in *in = fb_arg(req, sizeof(*in));
	const char *name = fb_arg_str(req, sizeof(*in), NULL);
	if (!in || !name)
		return -EINVAL;
	struct fb_inode *parent = fb_req_inode(req);

	fb_caller_umask(in->umask);
	fb_creds_enter(req);
	int fd = openat(parent->fd, name, lower_flags(req->se, in->flags, O_EXCL) | O_CREAT, in->mode);
	int err = errno;
	fb_creds_leave(req);
	if (fd < 0)
		return -err;
	keep_atime(req->se, fd);

	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} *out = fb_reply_struct(rep, sizeof(*out));
	int r = fb_make_entry(req->se, parent, name, &out->e);
	if (r < 0) {
		close(fd);
		return r;
	}
	fill_open_out(req->se, &out->o,
		      fb_inode_of(&req->se->itable, out->e.nodeid), fd);
	return 0;
}

FB_HANDLER(fb_op_read)
{
	const struct fuse_read_in *in = fb_arg(req, sizeof(*in));
	if (!in)
		return -EINVAL;
	int fd = fb_fh_fd(in->fh);
	size_t want = in->size < rep->cap ? in->size : rep->cap;
	size_t got = 0;
	/* A short reply means EOF to the kernel, so only stop at a real EOF. */
	while (got < want) {
		ssize_t n = pread(fd, (char *)rep->buf + got, want - got, (off_t)(in->offset + got));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (got)
				break;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	rep->len = got;
	return 0;
}

FB_HANDLER(fb_op_write)
{
	const struct fuse_write_in *in = fb_arg(req, sizeof(*in));
	if (!in || req->arglen - sizeof(*in) < in->size)
		return -EINVAL;
	ssize_t n = pwrite(fb_fh_fd(in->fh), in + 1, in->size, (off_t)in->offset);
	if (n < 0)
		return -errno;
	struct fuse_write_out *out = fb_reply_struct(rep, sizeof(*out));
	out->size = (uint32_t)n;
	return 0;
}

FB_HANDLER(fb_op_flush)
{
	const struct fuse_flush_in *in = fb_arg(req, sizeof(*in));
	(void)rep;
	if (!in)
		return -EINVAL;
	/* close() of a duplicate gives the lower fs its close-time work (e.g. NFS flush). */
	int d = dup(fb_fh_fd(in->fh));
	if (d < 0)
		return -errno;
	if (close(d) < 0)
		return -errno;
	return 0;
}

FB_HANDLER(fb_op_release)
{
	const struct fuse_release_in *in = fb_arg(req, sizeof(*in));
	(void)rep;
	if (!in)
		return -EINVAL;
	fb_pt_put(req->se, fb_req_inode(req), fb_fh_backing(in->fh));
	close(fb_fh_fd(in->fh));
	return 0;
}

FB_HANDLER(fb_op_fsync)
{
	const struct fuse_fsync_in *in = fb_arg(req, sizeof(*in));
	(void)rep;
	if (!in)
		return -EINVAL;
	int fd = fb_fh_fd(in->fh);
	int r = (in->fsync_flags & FUSE_FSYNC_FDATASYNC) ? fdatasync(fd) : fsync(fd);
	return r < 0 ? -errno : 0;
}

FB_HANDLER(fb_op_fallocate)
{
	const struct fuse_fallocate_in *in = fb_arg(req, sizeof(*in));
	(void)rep;
	if (!in)
		return -EINVAL;
	if (fallocate(fb_fh_fd(in->fh), (int)in->mode, (off_t)in->offset, (off_t)in->length) < 0)
		return -errno;
	return 0;
}

FB_HANDLER(fb_op_lseek)
{
	const struct fuse_lseek_in *in = fb_arg(req, sizeof(*in));
	if (!in)
		return -EINVAL;
	off_t off = lseek(fb_fh_fd(in->fh), (off_t)in->offset, (int)in->whence);
	if (off < 0)
		return -errno;
	struct fuse_lseek_out *out = fb_reply_struct(rep, sizeof(*out));
	out->offset = (uint64_t)off;
	return 0;
}

FB_HANDLER(fb_op_copy_file_range)
{
	const struct fuse_copy_file_range_in *in = fb_arg(req, sizeof(*in));
	if (!in)
		return -EINVAL;
	loff_t off_in = (loff_t)in->off_in, off_out = (loff_t)in->off_out;
	/* The reply carries a 32-bit size; the kernel loops for the rest. */
	size_t len = in->len > 0x7ffff000u ? 0x7ffff000u : (size_t)in->len;
	ssize_t n = copy_file_range(fb_fh_fd(in->fh_in), &off_in, fb_fh_fd(in->fh_out), &off_out,
				    len, (unsigned)in->flags);
	if (n < 0)
		return -errno;
	struct fuse_write_out *out = fb_reply_struct(rep, sizeof(*out));
	out->size = (uint32_t)n;
	return 0;
}
