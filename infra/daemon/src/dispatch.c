#define _GNU_SOURCE
#include "dispatch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ops.h"
#include "clock.h"
#include "session.h"

#define OP(code, nm, fn) [code] = { code, nm, fn }

/* The one table: every opcode the kernel defines up to STATX, with its handler. */
static const struct fb_op op_table[] = {
	OP(FUSE_LOOKUP,          "LOOKUP",          fb_op_lookup),
	OP(FUSE_FORGET,          "FORGET",          fb_op_forget),
	OP(FUSE_GETATTR,         "GETATTR",         fb_op_getattr),
	OP(FUSE_SETATTR,         "SETATTR",         fb_op_setattr),
	OP(FUSE_READLINK,        "READLINK",        fb_op_readlink),
	OP(FUSE_SYMLINK,         "SYMLINK",         fb_op_symlink),
	OP(FUSE_MKNOD,           "MKNOD",           fb_op_mknod),
	OP(FUSE_MKDIR,           "MKDIR",           fb_op_mkdir),
	OP(FUSE_UNLINK,          "UNLINK",          fb_op_unlink),
	OP(FUSE_RMDIR,           "RMDIR",           fb_op_rmdir),
	OP(FUSE_RENAME,          "RENAME",          fb_op_rename),
	OP(FUSE_LINK,            "LINK",            fb_op_link),
	OP(FUSE_OPEN,            "OPEN",            fb_op_open),
	OP(FUSE_READ,            "READ",            fb_op_read),
	OP(FUSE_WRITE,           "WRITE",           fb_op_write),
	OP(FUSE_STATFS,          "STATFS",          fb_op_statfs),
	OP(FUSE_RELEASE,         "RELEASE",         fb_op_release),
	OP(FUSE_FSYNC,           "FSYNC",           fb_op_fsync),
	OP(FUSE_SETXATTR,        "SETXATTR",        fb_op_setxattr),
	OP(FUSE_GETXATTR,        "GETXATTR",        fb_op_getxattr),
	OP(FUSE_LISTXATTR,       "LISTXATTR",       fb_op_listxattr),
	OP(FUSE_REMOVEXATTR,     "REMOVEXATTR",     fb_op_removexattr),
	OP(FUSE_FLUSH,           "FLUSH",           fb_op_flush),
	OP(FUSE_INIT,            "INIT",            fb_op_init),
	OP(FUSE_OPENDIR,         "OPENDIR",         fb_op_opendir),
	OP(FUSE_READDIR,         "READDIR",         fb_op_readdir),
	OP(FUSE_RELEASEDIR,      "RELEASEDIR",      fb_op_releasedir),
	OP(FUSE_FSYNCDIR,        "FSYNCDIR",        fb_op_fsyncdir),
	OP(FUSE_GETLK,           "GETLK",           NULL),
	OP(FUSE_SETLK,           "SETLK",           NULL),
	OP(FUSE_SETLKW,          "SETLKW",          NULL),
	OP(FUSE_ACCESS,          "ACCESS",          NULL),
	OP(FUSE_CREATE,          "CREATE",          fb_op_create),
	OP(FUSE_INTERRUPT,       "INTERRUPT",       fb_op_interrupt),
	OP(FUSE_BMAP,            "BMAP",            NULL),
	OP(FUSE_DESTROY,         "DESTROY",         fb_op_destroy),
	OP(FUSE_IOCTL,           "IOCTL",           NULL),
	OP(FUSE_POLL,            "POLL",            NULL),
	OP(FUSE_NOTIFY_REPLY,    "NOTIFY_REPLY",    NULL),
	OP(FUSE_BATCH_FORGET,    "BATCH_FORGET",    fb_op_batch_forget),
	OP(FUSE_FALLOCATE,       "FALLOCATE",       fb_op_fallocate),
	OP(FUSE_READDIRPLUS,     "READDIRPLUS",     fb_op_readdirplus),
	OP(FUSE_RENAME2,         "RENAME2",         fb_op_rename2),
	OP(FUSE_LSEEK,           "LSEEK",           fb_op_lseek),
	OP(FUSE_COPY_FILE_RANGE, "COPY_FILE_RANGE", fb_op_copy_file_range),
	OP(FUSE_SETUPMAPPING,    "SETUPMAPPING",    NULL),
	OP(FUSE_REMOVEMAPPING,   "REMOVEMAPPING",   NULL),
	OP(FUSE_SYNCFS,          "SYNCFS",          NULL),
	OP(FUSE_TMPFILE,         "TMPFILE",         NULL),
	OP(FUSE_STATX,           "STATX",           fb_op_statx),
};

#define NOPS (sizeof(op_table) / sizeof(op_table[0]))

static inline const struct fb_op *op_lookup(uint32_t opcode)
{
	if (opcode < NOPS && op_table[opcode].name)
		return &op_table[opcode];
	return NULL;
}

const char *fb_op_name(uint32_t opcode, char *buf, size_t buflen)
{
	const struct fb_op *op = op_lookup(opcode);
	if (op)
		return op->name;
	snprintf(buf, buflen, "OP_%u", opcode);
	return buf;
}

int fb_dispatch(struct fb_ctx *ctx, const void *msg, size_t len)
{
	uint64_t t0 = fb_monotonic_ns();
	const struct fuse_in_header *h = msg;
	struct fb_session *se = ctx->se;
	char namebuf[24];
	int ret = 0;

	if (len < sizeof(*h) || h->len != len) {
		fprintf(stderr, "fusebench-daemon: short or malformed request (%zu bytes)\n", len);
		return 0;
	}

	const struct fb_op *op = op_lookup(h->opcode);
	struct fb_req req = {
		.se = se, .ctx = ctx, .h = h,
		.arg = (const char *)msg + sizeof(*h),
		.arglen = (uint32_t)(len - sizeof(*h)),
	};
	struct fb_reply rep = {
		.data = ctx->payload, .len = 0,
		.buf = ctx->payload, .cap = ctx->payload_cap,
		.after_send = NULL, .after_fd = -1,
	};

	if (se->opt.debug)
		fprintf(stderr, "req   %-15s unique=%llu nodeid=%llu len=%u\n",
			fb_op_name(h->opcode, namebuf, sizeof(namebuf)),
			(unsigned long long)h->unique, (unsigned long long)h->nodeid, h->len);

	int r = (op && op->handler) ? op->handler(&req, &rep) : -ENOSYS;

	/*
	 * A spin, not a sleep: nanosleep's slack (50 µs by default) would make a few microseconds of
	 * injected delay both larger and noisier than asked.
	 */
	if (se->opt.inject_delay_us) {
		uint64_t until = fb_monotonic_ns() + (uint64_t)se->opt.inject_delay_us * 1000u;
		while (fb_monotonic_ns() < until)
			;
	}

	/*
	 * Counted before the reply leaves: once the kernel has the reply, the caller may go on and ask
	 * for our stats (SIGUSR1), and a worker preempted between send and count would be missing a
	 * request the kernel's tracepoint already saw. So service time ends at the reply, not after it.
	 */
	fb_stats_add(ctx->stats, h->opcode, fb_monotonic_ns() - t0);

	if (r != FB_NO_REPLY) {
		struct fuse_out_header oh = {
			.len = (uint32_t)sizeof(oh),
			.error = r < 0 ? r : 0,
			.unique = h->unique,
		};
		struct iovec iov[2] = { { &oh, sizeof(oh) }, { (void *)rep.data, rep.len } };
		int iovcnt = 1;
		if (r == 0 && rep.len) {
			oh.len += (uint32_t)rep.len;
			iovcnt = 2;
		}
		int s = ctx->chan->send(ctx->chan, iov, iovcnt);
		if (s == -ENODEV)
			ret = -ENODEV;
		if (rep.after_send)
			rep.after_send(&req, &rep, s);
		if (se->opt.debug)
			fprintf(stderr, "reply %-15s unique=%llu %s=%d%s\n",
				fb_op_name(h->opcode, namebuf, sizeof(namebuf)),
				(unsigned long long)h->unique, r < 0 ? "error" : "len",
				r < 0 ? r : (int)(oh.len - sizeof(oh)),
				s < 0 && s != -ENOENT ? " (send failed)" : "");
	} else if (se->opt.debug) {
		fprintf(stderr, "reply %-15s unique=%llu (none)\n",
			fb_op_name(h->opcode, namebuf, sizeof(namebuf)),
			(unsigned long long)h->unique);
	}

	return ret;
}
