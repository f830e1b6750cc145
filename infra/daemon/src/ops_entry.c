/* Name-space ops: lookup, forget, and the ops that create or remove names. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf_entry.h"
#include "ops.h"
#include "ops_common.h"

static int reply_entry(const struct fb_req *req, struct fb_reply *rep,
		       struct fb_inode *parent, const char *name)
{
	struct fuse_entry_out *e = fb_reply_struct(rep, sizeof(*e));
	return fb_make_entry(req->se, parent, name, e);
}

/*
 * --mode bpf: once the reply is written the kernel holds its own reference to
 * the backing file. A kernel without FUSE-BPF refuses the longer reply with
 * EINVAL; the first such refusal ends the daemon so the harness can report
 * the path as unsupported.
 */
static void bpf_lookup_sent(const struct fb_req *req, struct fb_reply *rep, int send_err)
{
	struct fb_session *se = req->se;
	if (rep->after_fd >= 0)
		close(rep->after_fd);
	if (send_err == 0) {
		__atomic_store_n(&se->bpf_confirmed, 1, __ATOMIC_RELEASE);
		return;
	}
	if (send_err != -EINVAL || __atomic_load_n(&se->bpf_confirmed, __ATOMIC_ACQUIRE))
		return;
	fprintf(stderr, "error: kernel rejected the FUSE-BPF LOOKUP reply (EINVAL): no FUSE-BPF "
		"(--fuse-bpf-abi %s)\n", fb_bpf_abi_name(se->bpf_abi));
	int none = 0;
	if (__atomic_compare_exchange_n(&se->exit_code, &none, 3, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		kill(getpid(), SIGUSR2);	/* main unmounts and exits with exit_code */
}

static int bpf_lookup(const struct fb_req *req, struct fb_reply *rep, struct fb_inode *parent,
		      const char *name)
{
	struct fuse_entry_out e;
	int r = fb_make_entry(req->se, parent, name, &e);
	if (r < 0)
		return r;
	/* Only directories and regular files can back a node (symlinks etc. stay daemon-served). */
	int flags = S_ISDIR(e.attr.mode) ? O_DIRECTORY : S_ISREG(e.attr.mode) ? 0 : -1;
	int fd = -1;
	if (flags >= 0) {
		char path[FB_PROCPATH_MAX];
		fb_procpath(path, fb_inode_of(&req->se->itable, e.nodeid)->fd);
		fd = open(path, O_RDONLY | O_CLOEXEC | flags);
	}
	size_t len = fd >= 0 ? fb_bpf_lookup_reply(req->se->bpf_abi, &e, fd, rep->buf, rep->cap) : 0;
	if (!len) {
		if (fd >= 0)
			close(fd);
		memcpy(fb_reply_struct(rep, sizeof(e)), &e, sizeof(e));
		return 0;
	}
	rep->data = rep->buf;
	rep->len = len;
	rep->after_send = bpf_lookup_sent;
	rep->after_fd = fd;
	return 0;
}

FB_HANDLER(fb_op_lookup)
{
	const char *name = fb_arg_str(req, 0, NULL);
	if (!name)
		return -EINVAL;
	if (req->se->opt.mode == FB_MODE_BPF)
		return bpf_lookup(req, rep, fb_req_inode(req), name);
	return reply_entry(req, rep, fb_req_inode(req), name);
}

FB_HANDLER(fb_op_forget)
{
	const struct fuse_forget_in *in = fb_arg(req, sizeof(*in));
	(void)rep;
	if (in)
		fb_itable_forget(&req->se->itable, fb_req_inode(req), in->nlookup);
	return FB_NO_REPLY;
}

FB_HANDLER(fb_op_batch_forget)
{
	const struct fuse_batch_forget_in *in = fb_arg(req, sizeof(*in));
	(void)rep;
	if (!in)
		return FB_NO_REPLY;
	const struct fuse_forget_one *one = (const void *)(in + 1);
	size_t room = (req->arglen - sizeof(*in)) / sizeof(*one);
	size_t n = in->count < room ? in->count : room;
	for (size_t i = 0; i < n; i++)
		fb_itable_forget(&req->se->itable,
				 fb_inode_of(&req->se->itable, one[i].nodeid), one[i].nlookup);
	return FB_NO_REPLY;
}

FB_HANDLER(fb_op_readlink)
{
	ssize_t n = readlinkat(fb_req_inode(req)->fd, "", rep->buf, rep->cap);
	if (n < 0)
		return -errno;
	rep->len = (size_t)n;
	return 0;
}

/* Create-type ops run as the caller, then look the new name up as root. */
#define AS_CALLER(req, call) ({ fb_creds_enter(req); int r_ = (call); int e_ = errno; \
				fb_creds_leave(req); errno = e_; r_; })

FB_HANDLER(fb_op_symlink)
{
	size_t next;
	const char *name = fb_arg_str(req, 0, &next);
	const char *target = name ? fb_arg_str(req, next, NULL) : NULL;
	if (!target)
		return -EINVAL;
	struct fb_inode *parent = fb_req_inode(req);
	if (AS_CALLER(req, symlinkat(target, parent->fd, name)) < 0)
		return -errno;
	return reply_entry(req, rep, parent, name);
}

FB_HANDLER(fb_op_mknod)
{
	const struct fuse_mknod_in *in = fb_arg(req, sizeof(*in));
	const char *name = fb_arg_str(req, sizeof(*in), NULL);
	if (!in || !name)
		return -EINVAL;
	struct fb_inode *parent = fb_req_inode(req);
	fb_caller_umask(in->umask);
	if (AS_CALLER(req, mknodat(parent->fd, name, in->mode, in->rdev)) < 0)
		return -errno;
	return reply_entry(req, rep, parent, name);
}

FB_HANDLER(fb_op_mkdir)
{
	const struct fuse_mkdir_in *in = fb_arg(req, sizeof(*in));
	const char *name = fb_arg_str(req, sizeof(*in), NULL);
	if (!in || !name)
		return -EINVAL;
	struct fb_inode *parent = fb_req_inode(req);
	fb_caller_umask(in->umask);
	if (AS_CALLER(req, mkdirat(parent->fd, name, in->mode)) < 0)
		return -errno;
	return reply_entry(req, rep, parent, name);
}

FB_HANDLER(fb_op_link)
{
	const struct fuse_link_in *in = fb_arg(req, sizeof(*in));
	const char *name = fb_arg_str(req, sizeof(*in), NULL);
	if (!in || !name)
		return -EINVAL;
	struct fb_inode *parent = fb_req_inode(req);
	struct fb_inode *old = fb_inode_of(&req->se->itable, in->oldnodeid);
	char path[FB_PROCPATH_MAX];
	fb_procpath(path, old->fd);
	/* Through /proc so no CAP_DAC_READ_SEARCH is needed (AT_EMPTY_PATH would). */
	if (AS_CALLER(req, linkat(AT_FDCWD, path, parent->fd, name, AT_SYMLINK_FOLLOW)) < 0)
		return -errno;
	return reply_entry(req, rep, parent, name);
}

static int remove_name(const struct fb_req *req, int flags)
{
	const char *name = fb_arg_str(req, 0, NULL);
	if (!name)
		return -EINVAL;
	if (unlinkat(fb_req_inode(req)->fd, name, flags) < 0)
		return -errno;
	return 0;
}

FB_HANDLER(fb_op_unlink)
{
	(void)rep;
	return remove_name(req, 0);
}

FB_HANDLER(fb_op_rmdir)
{
	(void)rep;
	return remove_name(req, AT_REMOVEDIR);
}

static int do_rename(const struct fb_req *req, uint64_t newdir, unsigned flags, size_t off)
{
	size_t next;
	const char *oldname = fb_arg_str(req, off, &next);
	const char *newname = oldname ? fb_arg_str(req, next, NULL) : NULL;
	if (!newname)
		return -EINVAL;
	struct fb_inode *dst = fb_inode_of(&req->se->itable, newdir);
	if (renameat2(fb_req_inode(req)->fd, oldname, dst->fd, newname, flags) < 0)
		return -errno;
	return 0;
}

FB_HANDLER(fb_op_rename)
{
	const struct fuse_rename_in *in = fb_arg(req, sizeof(*in));
	(void)rep;
	if (!in)
		return -EINVAL;
	return do_rename(req, in->newdir, 0, sizeof(*in));
}

FB_HANDLER(fb_op_rename2)
{
	const struct fuse_rename2_in *in = fb_arg(req, sizeof(*in));
	(void)rep;
	if (!in)
		return -EINVAL;
	if (in->flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;	/* RENAME_WHITEOUT is not offered */
	return do_rename(req, in->newdir, in->flags, sizeof(*in));
}
