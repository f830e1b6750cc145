/*
 * Directory handles: OPENDIR, READDIR(PLUS), RELEASEDIR, FSYNCDIR.
 * Offsets handed to the kernel are the lower fs's d_off cookies, so any
 * READDIR can resume with lseek(). A handle keeps its last getdents64 batch
 * (one per handle, under its mutex: requests for one fh may run on different
 * workers, READDIR and READDIRPLUS alike share it) and resumes inside that
 * batch whenever the requested offset is one of its cookies: the sequential
 * case and a reader whose getdents buffer took only part of a reply (the
 * kernel then asks again from the last entry it used) cost no re-reads and,
 * above all, no lseek() to a cookie whose entry may have been unlinked since.
 * Seeking to such a cookie is the lower's business: tmpfs (6.6+ stable
 * offsets) restarts the listing from the top when the removed entry was the
 * last one, which listed every survivor twice.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "ops.h"
#include "ops_common.h"

#define DIRBUF_SIZE (32 * 1024)

struct fb_dir {
	int fd;
	pthread_mutex_t lock;
	uint64_t next_off;	/* the offset the next buffered entry continues from */
	uint64_t batch_off;	/* the offset buf was read from (the fd's position then) */
	size_t bpos, blen;
	char buf[DIRBUF_SIZE];
};

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static struct fb_dir *dir_of(uint64_t fh)
{
	return (struct fb_dir *)(uintptr_t)fh;
}

FB_HANDLER(fb_op_opendir)
{
	char path[FB_PROCPATH_MAX];
	fb_procpath(path, fb_req_inode(req)->fd);
	struct fb_dir *d = malloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	/* A noatime or nodiratime mount must not touch the lower directory's atime by listing it. */
	int noatime = req->se->opt.mount.flags & (MS_NOATIME | MS_NODIRATIME) ? O_NOATIME : 0;
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | noatime);
	if (d->fd < 0) {
		int err = errno;
		free(d);
		return -err;
	}
	pthread_mutex_init(&d->lock, NULL);
	d->next_off = d->batch_off = 0;
	d->bpos = d->blen = 0;
	struct fuse_open_out *out = fb_reply_struct(rep, sizeof(*out));
	out->fh = (uint64_t)(uintptr_t)d;
	if (req->se->opt.cache == FB_CACHE_ALWAYS)
		out->open_flags |= FOPEN_KEEP_CACHE;
	return 0;
}

static int is_dot_or_dotdot(const char *n)
{
	return n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'));
}

/*
 * Position d at offset without touching the lower when offset is the batch's
 * start or one of its entries' cookies. 0 is rewinddir(): always re-read.
 */
static int seek_in_batch(struct fb_dir *d, uint64_t offset)
{
	if (offset == 0 || d->blen == 0)
		return 0;
	if (offset == d->batch_off) {
		d->bpos = 0;
		d->next_off = offset;
		return 1;
	}
	for (size_t p = 0; p < d->blen;) {
		const struct linux_dirent64 *de = (const void *)(d->buf + p);
		p += de->d_reclen;
		if ((uint64_t)de->d_off == offset) {
			d->bpos = p;
			d->next_off = offset;
			return 1;
		}
	}
	return 0;
}

static int do_readdir(const struct fb_req *req, struct fb_reply *rep, int plus)
{
	const struct fuse_read_in *in = fb_arg(req, sizeof(*in));
	if (!in)
		return -EINVAL;
	struct fb_dir *d = dir_of(in->fh);
	struct fb_inode *dir_ino = fb_req_inode(req);
	size_t cap = in->size < rep->cap ? in->size : rep->cap;
	char *out = rep->buf;
	size_t used = 0;
	int err = 0;
	struct fuse_dirent *last = NULL;	/* the last entry put in this reply */

	pthread_mutex_lock(&d->lock);
	if (in->offset != d->next_off && !seek_in_batch(d, in->offset)) {
		if (lseek(d->fd, (off_t)in->offset, SEEK_SET) < 0) {
			err = -errno;
			goto done;
		}
		d->next_off = in->offset;
		d->bpos = d->blen = 0;
	}
	for (;;) {
		if (d->bpos >= d->blen) {
			d->batch_off = d->next_off;
			ssize_t n = getdents64(d->fd, d->buf, sizeof(d->buf));
			if (n < 0) {
				d->blen = 0;
				if (used == 0)
					err = -errno;
				break;
			}
			if (n == 0) {
				d->blen = 0;
				break;
			}
			d->bpos = 0;
			d->blen = (size_t)n;
		}
		const struct linux_dirent64 *de = (const void *)(d->buf + d->bpos);
		size_t namelen = strlen(de->d_name);
		size_t entlen = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + namelen);
		size_t reclen = plus ? sizeof(struct fuse_entry_out) + entlen : entlen;
		if (used + reclen > cap)
			break;

		struct fuse_dirent *fde;
		if (plus) {
			struct fuse_direntplus *dp = (void *)(out + used);
			memset(&dp->entry_out, 0, sizeof(dp->entry_out));
			if (!is_dot_or_dotdot(de->d_name)) {
				int r = fb_make_entry(req->se, dir_ino, de->d_name, &dp->entry_out);
				if (r < 0) {
					/*
					 * Gone since getdents (a racing unlink): leave it out,
					 * and let the previous entry carry its cookie, so the
					 * kernel resumes after it, not at a removed entry.
					 */
					d->bpos += de->d_reclen;
					d->next_off = (uint64_t)de->d_off;
					if (last)
						last->off = d->next_off;
					continue;
				}
			}
			fde = &dp->dirent;
		} else {
			fde = (void *)(out + used);
		}
		last = fde;
		fde->ino = de->d_ino;
		fde->off = (uint64_t)de->d_off;
		fde->namelen = (uint32_t)namelen;
		fde->type = de->d_type;
		memcpy(fde->name, de->d_name, namelen);
		memset(fde->name + namelen, 0, entlen - FUSE_NAME_OFFSET - namelen);
		used += reclen;
		d->bpos += de->d_reclen;
		d->next_off = (uint64_t)de->d_off;
	}
done:
	pthread_mutex_unlock(&d->lock);
	if (err)
		return err;
	rep->len = used;
	return 0;
}

FB_HANDLER(fb_op_readdir)
{
	return do_readdir(req, rep, 0);
}

FB_HANDLER(fb_op_readdirplus)
{
	return do_readdir(req, rep, 1);
}

FB_HANDLER(fb_op_releasedir)
{
	const struct fuse_release_in *in = fb_arg(req, sizeof(*in));
	(void)rep;
	if (!in)
		return -EINVAL;
	struct fb_dir *d = dir_of(in->fh);
	close(d->fd);
	pthread_mutex_destroy(&d->lock);
	free(d);
	return 0;
}

FB_HANDLER(fb_op_fsyncdir)
{
	const struct fuse_fsync_in *in = fb_arg(req, sizeof(*in));
	(void)rep;
	if (!in)
		return -EINVAL;
	int fd = dir_of(in->fh)->fd;
	int r = (in->fsync_flags & FUSE_FSYNC_FDATASYNC) ? fdatasync(fd) : fsync(fd);
	return r < 0 ? -errno : 0;
}
