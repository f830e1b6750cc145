/*
 * Locks.
 * POSIX locks belong to a lock owner (a process's files table), not to an
 * open file. Each (inode, lock_owner) gets its own lower open file, and the
 * owner's locks are OFD locks on it: owners conflict with each other as
 * processes do, one owner's locks span all its opens of the inode, and
 * FLUSH (sent on every close) closes that file, which drops exactly that
 * owner's locks, as close(2) does for POSIX locks.
 * flock() locks belong to the open file, so FUSE_LK_FLOCK uses the fh's fd.
 *
 * OFD locks have no pid: F_OFD_GETLK reports l_pid -1. So each owner also
 * keeps the ranges it was granted with the pid the kernel sent in that
 * SETLK(W) (fuse_lk_in.lk.pid, the caller's tgid in the connection's pid
 * namespace), split and trimmed as POSIX does on unlock and relock, and GETLK
 * answers the pid of the other owner's range overlapping the conflict the
 * lower reported. Limits: a conflict with a lock this mount did not set (a
 * process on the lower itself, another mount of it) reports pid 0, as does
 * a lock whose SETLK is granted by the lower but not yet recorded when a
 * GETLK races with it; a holder that has exited also reads as 0 (the kernel
 * maps the pid back in its namespace).
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
	o->recs = NULL;
	o->nrecs = 0;
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
		free(found->recs);
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

/*
 * After the lower granted owner [start, end] of type (F_UNLCK included):
 * take that range out of its records and, unless unlocking, add it with pid.
 * Out of memory only loses pids (GETLK then reports 0), never locks.
 */
static void record_lock(struct fb_session *se, struct fb_inode *ino, uint64_t owner,
			const struct fuse_file_lock *lk)
{
	pthread_mutex_lock(&se->itable.lock);
	struct fb_lock_owner *o = ino->lock_owners;
	while (o && o->owner != owner)
		o = o->next;
	if (!o)
		goto out;	/* a FLUSH raced in and dropped the owner */
	/* At most one range splits in two, plus the new one. */
	struct fb_lock_rec *nr = malloc((o->nrecs + 2) * sizeof(*nr));
	if (!nr) {
		free(o->recs);
		o->recs = NULL;
		o->nrecs = 0;
		goto out;
	}
	size_t n = 0;
	for (size_t i = 0; i < o->nrecs; i++) {
		struct fb_lock_rec r = o->recs[i];
		if (r.end < lk->start || r.start > lk->end) {
			nr[n++] = r;
			continue;
		}
		if (r.start < lk->start) {
			nr[n] = r;
			nr[n++].end = lk->start - 1;
		}
		if (r.end > lk->end) {
			nr[n] = r;
			nr[n++].start = lk->end + 1;
		}
	}
	if (lk->type != F_UNLCK)
		nr[n++] = (struct fb_lock_rec){ lk->start, lk->end, lk->type, lk->pid };
	free(o->recs);
	o->recs = nr;
	o->nrecs = n;
out:
	pthread_mutex_unlock(&se->itable.lock);
}

/* The pid of another owner's recorded lock of type overlapping [start, end], or 0. */
static uint32_t holder_pid(struct fb_session *se, struct fb_inode *ino, uint64_t self,
			   uint64_t start, uint64_t end, uint32_t type)
{
	uint32_t pid = 0;
	pthread_mutex_lock(&se->itable.lock);
	for (struct fb_lock_owner *o = ino->lock_owners; o && !pid; o = o->next) {
		if (o->owner == self)
			continue;
		for (size_t i = 0; i < o->nrecs; i++) {
			const struct fb_lock_rec *r = &o->recs[i];
			if (r->type == type && r->start <= end && r->end >= start) {
				pid = r->pid;
				break;
			}
		}
	}
	pthread_mutex_unlock(&se->itable.lock);
	return pid;
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
		/* OFD conflicts report pid -1: name the holder from our records. */
		out->lk.pid = fl.l_pid > 0 ? (uint32_t)fl.l_pid
					   : holder_pid(req->se, fb_req_inode(req), in->owner,
							out->lk.start, out->lk.end, out->lk.type);
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
	struct fuse_file_lock lk = in->lk;
	if (lk.end > (uint64_t)FB_OFFSET_MAX)
		lk.end = (uint64_t)FB_OFFSET_MAX;
	record_lock(req->se, fb_req_inode(req), in->owner, &lk);
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
