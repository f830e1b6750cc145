/*
 * Locks.
 * POSIX locks belong to a lock owner (a process's files table), not to an
 * open file. Each (inode, lock_owner) gets its own lower open file, and the
 * owner's locks are OFD locks on it: owners conflict with each other as
 * processes do, one owner's locks span all its opens of the inode, and
 * FLUSH (sent on every close) closes that file, which drops exactly that
 * owner's locks, as close(2) does for POSIX locks.
 * flock() locks belong to the open file, so FUSE_LK_FLOCK uses the fh's fd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "ops.h"
#include "ops_common.h"
#include "ops_lock.h"

#define FB_OFFSET_MAX INT64_MAX

/* The owner's lock fd for ino, opened on first use. -errno on failure. */
static int owner_fd(struct fb_session *se, struct fb_inode *ino, uint64_t owner)
{
	struct fb_lock_owner *o;
	int fd;

	pthread_mutex_lock(&se->itable.lock);
	for (o = ino->lock_owners; o; o = o->next) {
		if (o->owner == owner) {
			fd = o->fd;
			pthread_mutex_unlock(&se->itable.lock);
			return fd;
		}
	}
	pthread_mutex_unlock(&se->itable.lock);

	char path[FB_PROCPATH_MAX];
	fb_procpath(path, ino->fd);
	/* Read and write locks need the matching access mode; root gets O_RDWR. */
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	o = malloc(sizeof(*o));
	if (!o) {
		close(fd);
		return -ENOMEM;
	}
	o->owner = owner;
	o->fd = fd;
	/* Two threads of one owner may race here; keep whichever entry came first. */
	pthread_mutex_lock(&se->itable.lock);
	for (struct fb_lock_owner *e = ino->lock_owners; e; e = e->next) {
		if (e->owner == owner) {
			int existing = e->fd;
			pthread_mutex_unlock(&se->itable.lock);
			close(fd);
			free(o);
			return existing;
		}
	}
	o->next = ino->lock_owners;
	ino->lock_owners = o;
	pthread_mutex_unlock(&se->itable.lock);
	return fd;
}

void fb_lock_owner_release(struct fb_session *se, struct fb_inode *ino, uint64_t owner)
{
	struct fb_lock_owner *found = NULL;

	pthread_mutex_lock(&se->itable.lock);
	for (struct fb_lock_owner **pp = &ino->lock_owners; *pp; pp = &(*pp)->next) {
		if ((*pp)->owner == owner) {
			found = *pp;
			*pp = found->next;
			break;
		}
	}
	pthread_mutex_unlock(&se->itable.lock);
	if (found) {
		close(found->fd);
		free(found);
	}
}

static void to_flock(struct flock *fl, const struct fuse_file_lock *lk)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = (short)lk->type;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)lk->start;
	/* FUSE ranges are inclusive, with OFFSET_MAX meaning "to EOF and beyond". */
	fl->l_len = lk->end >= (uint64_t)FB_OFFSET_MAX ? 0 : (off_t)(lk->end - lk->start + 1);
	fl->l_pid = 0;	/* required by F_OFD_* */
}

FB_HANDLER(fb_op_getlk)
{
	const struct fuse_lk_in *in = fb_arg(req, sizeof(*in));
	if (!in)
		return -EINVAL;
	int fd = owner_fd(req->se, fb_req_inode(req), in->owner);
	if (fd < 0)
		return fd;
	struct flock fl;
	to_flock(&fl, &in->lk);
	if (fcntl(fd, F_OFD_GETLK, &fl) < 0)
		return -errno;
	struct fuse_lk_out *out = fb_reply_struct(rep, sizeof(*out));
	out->lk.type = (uint32_t)fl.l_type;
	if (fl.l_type != F_UNLCK) {
		out->lk.start = (uint64_t)fl.l_start;
		out->lk.end = fl.l_len == 0 ? (uint64_t)FB_OFFSET_MAX
					    : (uint64_t)(fl.l_start + fl.l_len - 1);
		/* OFD conflicts report pid -1; the kernel wants a pid or 0. */
		out->lk.pid = fl.l_pid > 0 ? (uint32_t)fl.l_pid : 0;
	}
	return 0;
}

static int do_setlk(const struct fb_req *req, int wait)
{
	const struct fuse_lk_in *in = fb_arg(req, sizeof(*in));
	if (!in)
		return -EINVAL;

	if (in->lk_flags & FUSE_LK_FLOCK) {
		int op = in->lk.type == F_RDLCK ? LOCK_SH : in->lk.type == F_WRLCK ? LOCK_EX : LOCK_UN;
		if (!wait)
			op |= LOCK_NB;
		return flock(fb_fh_fd(in->fh), op) < 0 ? -errno : 0;
	}
	int fd = owner_fd(req->se, fb_req_inode(req), in->owner);
	if (fd < 0)
		return fd;
	struct flock fl;
	to_flock(&fl, &in->lk);
	if (fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) < 0)
		return -errno;
	return 0;
}

FB_HANDLER(fb_op_setlk)
{
	(void)rep;
	return do_setlk(req, 0);
}

FB_HANDLER(fb_op_setlkw)
{
	(void)rep;
	return do_setlk(req, 1);
}
