/* Session-level ops: INIT, DESTROY, INTERRUPT, STATFS. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "ops.h"
#include "ops_common.h"

/*
 * Capabilities we ask for when the kernel offers them. FUSE_DONT_MASK: the
 * caller's umask reaches us unapplied (see fb_caller_umask). Neither FUSE_POSIX_LOCKS
 * nor FUSE_FLOCK_LOCKS: the kernel then keeps POSIX, OFD and flock locks
 * itself, per open file description and lock owner exactly as on a local file
 * system, and never sends GETLK/SETLK/SETLKW. A daemon-side lock table cannot
 * do better for a single-host mirror, and a blocking SETLKW could hold a worker.
 */
static uint64_t wanted_flags(const struct fb_options *o)
{
	uint64_t want = FUSE_ASYNC_READ | FUSE_ATOMIC_O_TRUNC |
			FUSE_BIG_WRITES | FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO |
			FUSE_PARALLEL_DIROPS | FUSE_MAX_PAGES | FUSE_INIT_EXT | FUSE_DONT_MASK;
	if (o->writeback)
		want |= FUSE_WRITEBACK_CACHE;
	/*
	 * Where the kernel checks permissions, it must see ACLs too: FUSE_POSIX_ACL
	 * makes it read, cache and enforce them (and invalidate attributes after
	 * setting one). It also turns default_permissions on, so only then.
	 */
	if (o->default_permissions)
		want |= FUSE_POSIX_ACL;
	return want;
}

FB_HANDLER(fb_op_init)
{
	struct fb_session *se = req->se;
	const struct fuse_init_in *in = fb_arg(req, 16);	/* 7.6 layout: up to flags */
	if (!in)
		return -EINVAL;

	struct fb_init_info *ii = &se->init;
	ii->major = in->major;
	ii->minor = in->minor;
	ii->flags = in->flags;
	ii->flags2 = (in->flags & FUSE_INIT_EXT) && req->arglen >= 20 ? in->flags2 : 0;

	struct fuse_init_out *out = fb_reply_struct(rep, sizeof(*out));
	out->major = FB_PROTO_MAJOR;
	out->minor = FB_PROTO_MINOR;
	if (in->major > FB_PROTO_MAJOR)
		return 0;	/* the kernel retries INIT with our major */
	if (in->major < FB_PROTO_MAJOR || in->minor < 28) {
		fprintf(stderr, "error: kernel FUSE protocol %u.%u is older than 7.28\n",
			in->major, in->minor);
		ii->failed = true;
		return -EPROTO;
	}

	uint64_t offered = fb_init_flags64(ii->flags, ii->flags2);
	uint64_t want = wanted_flags(&se->opt);

	if (se->opt.mode == FB_MODE_PASSTHROUGH) {
		se->pt_abi = fb_pt_abi_choose(in->major, in->minor, offered);
		if (se->pt_abi == FB_PT_ABI_UPSTREAM_BACKING)
			want |= FUSE_PASSTHROUGH;
		else if (se->pt_abi == FB_PT_ABI_ANDROID)
			want |= FB_ANDROID_FUSE_PASSTHROUGH;
		else {
			ii->failed = true;
			return -EPROTO;	/* main reports and unmounts */
		}
	}

	if (se->opt.transport == FB_TRANSPORT_URING) {
		if (!(offered & FUSE_OVER_IO_URING)) {
			ii->failed = true;
			return -EPROTO;	/* main reports and unmounts */
		}
		want |= FUSE_OVER_IO_URING;
	}

	uint64_t reply = want & offered;
	out->minor = in->minor < FB_PROTO_MINOR ? in->minor : FB_PROTO_MINOR;
	out->max_readahead = in->max_readahead;
	out->flags = (uint32_t)reply;
	out->flags2 = (uint32_t)(reply >> 32);
	out->max_background = 0;	/* kernel default */
	out->congestion_threshold = 0;
	out->max_write = FB_MAX_WRITE;
	out->time_gran = 1;
	out->max_pages = FB_MAX_PAGES;
	if (se->pt_abi == FB_PT_ABI_UPSTREAM_BACKING)
		FB_INIT_OUT_MAX_STACK_DEPTH(out) = 1;	/* backing files may be on a plain fs */

	ii->reply_flags64 = reply;
	ii->reply_minor = out->minor;
	ii->max_write = FB_MAX_WRITE;
	ii->done = true;
	return 0;
}

FB_HANDLER(fb_op_destroy)
{
	(void)req;
	(void)rep;
	return 0;
}

FB_HANDLER(fb_op_interrupt)
{
	/* Handlers run to completion; the kernel needs no answer. */
	(void)req;
	(void)rep;
	return FB_NO_REPLY;
}

FB_HANDLER(fb_op_statfs)
{
	struct statvfs sv;
	if (fstatvfs(fb_req_inode(req)->fd, &sv) < 0)
		return -errno;
	struct fuse_statfs_out *out = fb_reply_struct(rep, sizeof(*out));
	out->st.blocks = sv.f_blocks;
	out->st.bfree = sv.f_bfree;
	out->st.bavail = sv.f_bavail;
	out->st.files = sv.f_files;
	out->st.ffree = sv.f_ffree;
	out->st.bsize = (uint32_t)sv.f_bsize;
	out->st.namelen = (uint32_t)sv.f_namemax;
	out->st.frsize = (uint32_t)sv.f_frsize;
	return 0;
}
