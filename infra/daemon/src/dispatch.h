/*
 * Dispatch: decode a request, run the handler from the opcode table, count
 * it, and send the reply through the transport's channel. Handlers never
 * see the transport; transports never see an opcode.
 */
#ifndef FB_DISPATCH_H
#define FB_DISPATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "fuse_abi.h"
#include "stats.h"

struct fb_session;

/* A transport's way to send one reply; returns 0 or -errno. */
struct fb_chan {
	int (*send)(struct fb_chan *ch, const struct iovec *iov, int iovcnt);
	int fd;
};

/* Per-thread context a transport lends to dispatch. */
struct fb_ctx {
	struct fb_session *se;
	struct fb_chan *chan;
	struct fb_stats *stats;
	void *payload;		/* page-aligned reply buffer (O_DIRECT-safe) */
	size_t payload_cap;
};

struct fb_req {
	struct fb_session *se;
	struct fb_ctx *ctx;
	const struct fuse_in_header *h;
	const void *arg;	/* the op's argument, after the header */
	uint32_t arglen;
};

struct fb_reply {
	const void *data;	/* defaults to ctx->payload */
	size_t len;
	void *buf;		/* scratch = ctx->payload */
	size_t cap;
	/* Optional: runs once the reply was sent (send_err 0 or -errno), e.g. to close an fd. */
	void (*after_send)(const struct fb_req *req, struct fb_reply *rep, int send_err);
	int after_fd;
};

/* Handler result: 0 = send reply, -errno = error reply, FB_NO_REPLY = none. */
#define FB_NO_REPLY 1
typedef int (*fb_handler_fn)(const struct fb_req *req, struct fb_reply *rep);

struct fb_op {
	uint32_t opcode;
	const char *name;	/* kernel opcode name without FUSE_ */
	fb_handler_fn handler;	/* NULL: ENOSYS */
};

/* Process one request of len bytes. Returns 0, or -ENODEV if the session is gone. */
int fb_dispatch(struct fb_ctx *ctx, const void *msg, size_t len);

/* Name for stats and logs: "LOOKUP", ..., or "OP_<n>" for unknown. */
const char *fb_op_name(uint32_t opcode, char *buf, size_t buflen);

#endif
