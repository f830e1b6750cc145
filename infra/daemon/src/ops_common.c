#define _GNU_SOURCE
#include "ops_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

void fb_fill_attr(struct fuse_attr *a, const struct stat *st)
{
	a->ino = st->st_ino;
	a->size = (uint64_t)st->st_size;
	a->blocks = (uint64_t)st->st_blocks;
	a->atime = (uint64_t)st->st_atim.tv_sec;
	a->mtime = (uint64_t)st->st_mtim.tv_sec;
	a->ctime = (uint64_t)st->st_ctim.tv_sec;
	a->atimensec = (uint32_t)st->st_atim.tv_nsec;
	a->mtimensec = (uint32_t)st->st_mtim.tv_nsec;
	a->ctimensec = (uint32_t)st->st_ctim.tv_nsec;
	a->mode = st->st_mode;
	a->nlink = (uint32_t)st->st_nlink;
	a->uid = st->st_uid;
	a->gid = st->st_gid;
	a->rdev = (uint32_t)st->st_rdev;
	a->blksize = (uint32_t)st->st_blksize;
	a->flags = 0;
}

int fb_stat_inode(const struct fb_inode *ino, struct stat *st)
{
	if (fstatat(ino->fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

void fb_set_entry_timeouts(const struct fb_session *se, struct fuse_entry_out *e)
{
	e->entry_valid = se->timeout_sec;
	e->entry_valid_nsec = se->timeout_nsec;
	e->attr_valid = se->timeout_sec;
	e->attr_valid_nsec = se->timeout_nsec;
}

int fb_make_entry(struct fb_session *se, struct fb_inode *parent, const char *name,
		  struct fuse_entry_out *e)
{
	struct stat st;
	int fd = openat(parent->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	struct fb_inode *ino = fb_itable_lookup_or_insert(&se->itable, fd, st.st_dev, st.st_ino);
	if (!ino)
		return -ENOMEM;
	memset(e, 0, sizeof(*e));
	e->nodeid = fb_nodeid_of(&se->itable, ino);
	e->generation = 0;
	fb_set_entry_timeouts(se, e);
	fb_fill_attr(&e->attr, &st);
	return 0;
}

void fb_creds_enter(const struct fb_req *req)
{
	if (req->h->gid != 0)
		syscall(SYS_setfsgid, req->h->gid);
	if (req->h->uid != 0)
		syscall(SYS_setfsuid, req->h->uid);
}

void fb_creds_leave(const struct fb_req *req)
{
	if (req->h->uid != 0)
		syscall(SYS_setfsuid, 0);
	if (req->h->gid != 0)
		syscall(SYS_setfsgid, 0);
}

#define FB_MAX_CALLER_GROUPS 256

/* Supplementary groups of thread tid (the request's pid), from its Groups: line; 0 if unreadable. */
static int caller_groups(uint32_t tid, gid_t *groups, int max)
{
	char path[40], buf[4096];
	snprintf(path, sizeof(path), "/proc/%u/status", tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *p = strstr(buf, "\nGroups:");
	if (!p)
		return 0;
	p += sizeof("\nGroups:") - 1;
	int count = 0;
	while (count < max) {
		char *end;
		unsigned long g = strtoul(p, &end, 10);
		if (end == p)
			break;	/* no digits: the line (and the next one's name) ends the list */
		groups[count++] = (gid_t)g;
		p = end;
	}
	return count;
}

/* Root callers keep the daemon's groups, as fb_creds_enter keeps root's fsuid. */
void fb_creds_enter_with_groups(const struct fb_req *req)
{
	if (req->h->uid != 0) {
		gid_t groups[FB_MAX_CALLER_GROUPS];
		int n = caller_groups(req->h->pid, groups, FB_MAX_CALLER_GROUPS);
		syscall(SYS_setgroups, (size_t)n, groups);
	}
	fb_creds_enter(req);
}

void fb_creds_leave_with_groups(const struct fb_req *req)
{
	fb_creds_leave(req);
	if (req->h->uid != 0)
		syscall(SYS_setgroups, (size_t)req->se->n_own_groups, req->se->own_groups);
}
