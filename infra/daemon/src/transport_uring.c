/*
 * FUSE over io_uring transport (protocol 7.42, Linux 6.14+). One queue per
 * possible CPU (qid = cpu, the kernel routes a request to the queue of the
 * CPU its caller runs on), each a thread pinned to that CPU (unless --uring-cpu any) with its own ring
 * and --uring-depth entries. An entry is a 288-byte header buffer plus a
 * payload buffer; the kernel fills both with a request when the entry's
 * command completes, and the reply goes back in the same buffers with
 * COMMIT_AND_FETCH, which also waits for the next request: one syscall per
 * request. Like the /dev/fuse transport it moves bytes only; FORGET and
 * INTERRUPT still come through the /dev/fuse reader (worker 0).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "dispatch.h"
#include "fuse_abi.h"
#include "ioring.h"
#include "session.h"
#include "threads.h"
#include "stats.h"
#include "transport_ops.h"

#define ENABLE_URING_PARAM "/sys/module/fuse/parameters/enable_uring"
#define PAGE 4096
/* The kernel wants max(8192, max_write, max_pages * page size) per payload buffer. */
#define PAYLOAD_SZ (FB_MAX_WRITE > FB_MAX_PAGES * PAGE ? FB_MAX_WRITE : FB_MAX_PAGES * PAGE)

/*
 * One ring entry. Memory: [header page][payload]. The header buffer (iov[0])
 * is the start of the first page; the rest of that page is room to rebuild
 * the request as one contiguous message ending where the payload begins, so
 * handlers see the same layout as from /dev/fuse and WRITE data stays
 * page-aligned without a copy.
 */
struct fb_uring_ent {
	unsigned char *mem;
	struct fb_uring_req_header *hdr;
	unsigned char *payload;
	struct iovec iov[2];
};

struct fb_uring_queue {
	struct fb_session *se;
	struct fb_uring *u;
	unsigned qid;
	pthread_t tid;
	bool started;
	struct fb_ioring ring;
	bool ring_ok;
	int nents;
	struct fb_uring_ent *ents;
	struct fb_uring_ent *cur;	/* the entry whose request is being served */
	uint64_t cur_commit_id;
	bool cur_replied;
	void *scratch;			/* reply buffer when the request uses the payload */
	struct fb_chan chan;
	struct fb_ctx ctx;
	struct fb_stats stats;
};

struct fb_uring {
	int nqueues;
	struct fb_uring_queue *q;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int reported;			/* queues that finished registering (or failed) */
	int err;			/* first failure */
	char why[256];
};

static void queue_cmd(struct fb_uring_queue *q, struct fb_uring_ent *e, uint32_t cmd_op,
		      uint64_t commit_id)
{
	struct io_uring_sqe *sqe = fb_ioring_sqe(&q->ring);
	/* Never full: the SQ has room for every entry and each has one command in flight. */
	if (!sqe)
		abort();
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = q->se->fd;
	sqe->cmd_op = cmd_op;
	sqe->user_data = (uint64_t)(uintptr_t)e;
	if (cmd_op == FB_IO_URING_CMD_REGISTER) {
		sqe->addr = (uint64_t)(uintptr_t)e->iov;
		sqe->len = 2;
	}
	struct fb_uring_cmd_req *cr = (struct fb_uring_cmd_req *)sqe->cmd;
	cr->commit_id = commit_id;
	cr->qid = (uint16_t)q->qid;
}

/* The transport's send: copy the reply into the entry's buffers and queue the commit. */
static int ring_send(struct fb_chan *ch, const struct iovec *iov, int iovcnt)
{
	struct fb_uring_queue *q = (struct fb_uring_queue *)((char *)ch - offsetof(struct fb_uring_queue, chan));
	struct fb_uring_ent *e = q->cur;
	if (!e || q->cur_replied || iovcnt < 1 || iov[0].iov_len != sizeof(struct fuse_out_header))
		return -EINVAL;
	size_t len = 0;
	for (int i = 1; i < iovcnt; i++) {
		if (iov[i].iov_len > PAYLOAD_SZ - len)
			return -EINVAL;
		if (iov[i].iov_base != e->payload + len)
			memmove(e->payload + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	memcpy(e->hdr->in_out, iov[0].iov_base, sizeof(struct fuse_out_header));
	e->hdr->ring_ent_in_out.payload_sz = (uint32_t)len;
	e->hdr->ring_ent_in_out.flags = 0;
	queue_cmd(q, e, FB_IO_URING_CMD_COMMIT_AND_FETCH, q->cur_commit_id);
	q->cur_replied = true;
	return 0;
}

static void reply_error(struct fb_uring_queue *q, uint64_t unique, int err)
{
	struct fuse_out_header oh = { .len = sizeof(oh), .error = err, .unique = unique };
	struct iovec iov = { &oh, sizeof(oh) };
	(void)ring_send(&q->chan, &iov, 1);
}

static void serve(struct fb_uring_queue *q, struct fb_uring_ent *e)
{
	struct fuse_in_header ih;
	memcpy(&ih, e->hdr->in_out, sizeof(ih));
	uint32_t psz = e->hdr->ring_ent_in_out.payload_sz;
	q->cur = e;
	q->cur_commit_id = e->hdr->ring_ent_in_out.commit_id;
	q->cur_replied = false;

	/* The kernel's in.h.len counts every in-arg: op_in holds the first, the payload the rest. */
	if (ih.len < sizeof(ih) + psz || ih.len - sizeof(ih) - psz > FB_URING_OP_IN_OUT_SZ ||
	    psz > PAYLOAD_SZ) {
		fprintf(stderr, "fusebench-daemon: queue %u: malformed ring request (len %u, payload %u)\n",
			q->qid, ih.len, psz);
		reply_error(q, ih.unique, -EIO);
		return;
	}
	size_t oplen = ih.len - sizeof(ih) - psz;
	unsigned char *msg = e->payload - oplen - sizeof(ih);
	memcpy(msg, &ih, sizeof(ih));
	memcpy(msg + sizeof(ih), e->hdr->op_in, oplen);
	/* Reply straight into the payload buffer unless the request's own bytes live there. */
	q->ctx.payload = psz ? q->scratch : e->payload;
	fb_dispatch(&q->ctx, msg, ih.len);
	if (!q->cur_replied)	/* a handler that never replies has no place on the ring */
		reply_error(q, ih.unique, -EIO);
	q->cur = NULL;
}

static void report(struct fb_uring_queue *q, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(struct fb_uring_queue *q, int err, const char *fmt, ...)
{
	struct fb_uring *u = q->u;
	pthread_mutex_lock(&u->lock);
	if (err && !u->err) {
		u->err = err;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(u->why, sizeof(u->why), fmt, ap);
		va_end(ap);
	}
	u->reported++;
	pthread_cond_broadcast(&u->cond);
	pthread_mutex_unlock(&u->lock);
}

/* Ring, REGISTER of every entry, and a look for commands the kernel refused at once. */
static int queue_setup(struct fb_uring_queue *q)
{
	int r = fb_ioring_init(&q->ring, (unsigned)q->nents, q->se->opt.uring_defer);
	if (r < 0) {
		report(q, r, "queue %u: io_uring_setup: %s", q->qid, strerror(-r));
		return r;
	}
	q->ring_ok = true;
	for (int i = 0; i < q->nents; i++)
		queue_cmd(q, &q->ents[i], FB_IO_URING_CMD_REGISTER, 0);
	r = fb_ioring_submit_wait(&q->ring, 0);
	if (r < 0) {
		report(q, r, "queue %u: io_uring_enter: %s", q->qid, strerror(-r));
		return r;
	}
	/* A refused REGISTER completes inline; a good one stays pending until a request comes. */
	unsigned head = *q->ring.cq_head, tail = __atomic_load_n(q->ring.cq_tail, __ATOMIC_ACQUIRE);
	for (; head != tail; head++) {
		int res = q->ring.cqes[head & *q->ring.cq_mask].res;
		if (res < 0) {
			report(q, res, "queue %u: FUSE_IO_URING_CMD_REGISTER: %s", q->qid, strerror(-res));
			return res;
		}
	}
	report(q, 0, "%s", "");
	return 0;
}

static void pin(unsigned cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* An offline possible CPU cannot be pinned to; its queue just runs anywhere. */
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *queue_main(void *arg)
{
	struct fb_uring_queue *q = arg;
	if (!q->se->opt.uring_float)
		pin(q->qid);
	int err = fb_thread_own_umask();
	if (err < 0) {
		report(q, err, "queue %u: unshare(CLONE_FS): %s", q->qid, strerror(-err));
		return NULL;
	}
	if (queue_setup(q) < 0)
		return NULL;
	for (;;) {
		int r = fb_ioring_submit_wait(&q->ring, 1);
		if (r < 0) {
			fprintf(stderr, "fusebench-daemon: queue %u: io_uring_enter: %s\n", q->qid, strerror(-r));
			break;
		}
		struct io_uring_cqe *cqe;
		int end = 0;
		while ((cqe = fb_ioring_peek(&q->ring))) {
			struct fb_uring_ent *e = (struct fb_uring_ent *)(uintptr_t)cqe->user_data;
			int res = cqe->res;
			fb_ioring_cqe_seen(&q->ring);
			if (res == 0) {
				serve(q, e);
				continue;
			}
			/* ENOTCONN/ECANCELED: the connection is going away. */
			if (res != -ENOTCONN && res != -ECANCELED && res != -ENODEV)
				fprintf(stderr, "fusebench-daemon: queue %u: ring command failed: %s\n",
					q->qid, strerror(-res));
			end = 1;
		}
		if (end)
			break;
	}
	if (!__atomic_load_n(&q->se->ending, __ATOMIC_ACQUIRE))
		kill(getpid(), SIGUSR2);
	return NULL;
}

static int alloc_queue(struct fb_session *se, struct fb_uring *u, unsigned qid)
{
	struct fb_uring_queue *q = &u->q[qid];
	q->se = se;
	q->u = u;
	q->qid = qid;
	q->nents = se->opt.uring_depth;
	q->ents = calloc((size_t)q->nents, sizeof(*q->ents));
	q->scratch = aligned_alloc(PAGE, PAYLOAD_SZ);
	if (!q->ents || !q->scratch)
		return -ENOMEM;
	for (int i = 0; i < q->nents; i++) {
		struct fb_uring_ent *e = &q->ents[i];
		e->mem = aligned_alloc(PAGE, PAGE + PAYLOAD_SZ);
		if (!e->mem)
			return -ENOMEM;
		memset(e->mem, 0, PAGE);
		e->hdr = (struct fb_uring_req_header *)e->mem;
		e->payload = e->mem + PAGE;
		e->iov[0] = (struct iovec){ e->hdr, sizeof(*e->hdr) };
		e->iov[1] = (struct iovec){ e->payload, PAYLOAD_SZ };
	}
	q->chan.send = ring_send;
	q->chan.fd = se->fd;
	q->ctx.se = se;
	q->ctx.chan = &q->chan;
	q->ctx.stats = &q->stats;
	q->ctx.payload = q->scratch;
	q->ctx.payload_cap = PAYLOAD_SZ;
	return 0;
}

/*
 * Start the queue threads, register every entry, and wait until all queues
 * report. 0, or -errno with a reason in why (EOPNOTSUPP: enable_uring is N).
 */
static int start_queues(struct fb_session *se, char *why, size_t whylen)
{
	struct fb_uring *u = calloc(1, sizeof(*u));
	if (!u)
		goto nomem;
	se->uring = u;
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->cond, NULL);
	u->nqueues = fb_possible_cpus();  /* the kernel expects a queue per possible CPU */
	u->q = calloc((size_t)u->nqueues, sizeof(*u->q));
	if (!u->q)
		goto nomem;
	for (int i = 0; i < u->nqueues; i++) {
		int r = alloc_queue(se, u, (unsigned)i);
		if (r < 0) {
			snprintf(why, whylen, "allocating io_uring queue buffers: %s", strerror(-r));
			return r;
		}
	}
	int started = 0;
	for (int i = 0; i < u->nqueues; i++) {
		int r = pthread_create(&u->q[i].tid, NULL, queue_main, &u->q[i]);
		if (r) {
			snprintf(why, whylen, "starting io_uring queue thread: %s", strerror(r));
			pthread_mutex_lock(&u->lock);
			u->reported += u->nqueues - started;	/* they never will */
			pthread_mutex_unlock(&u->lock);
			return -r;
		}
		u->q[i].started = true;
		started++;
	}
	pthread_mutex_lock(&u->lock);
	while (u->reported < u->nqueues)
		pthread_cond_wait(&u->cond, &u->lock);
	int err = u->err;
	if (err)
		snprintf(why, whylen, "%s", u->why);
	pthread_mutex_unlock(&u->lock);
	return err;
nomem:
	snprintf(why, whylen, "allocating io_uring queues: %s", strerror(ENOMEM));
	return -ENOMEM;
}

static bool join_queues(struct fb_session *se, int timeout_ms)
{
	struct fb_uring *u = se->uring;
	if (!u)
		return true;
	struct timespec deadline = fb_deadline_after_ms(timeout_ms);
	bool all = true;
	for (int i = 0; i < u->nqueues; i++)
		all &= fb_join_by(u->q[i].tid, &u->q[i].started, &deadline);
	return all;
}

static void free_queues(struct fb_session *se)
{
	struct fb_uring *u = se->uring;
	if (!u)
		return;
	for (int i = 0; u->q && i < u->nqueues; i++) {
		struct fb_uring_queue *q = &u->q[i];
		if (q->ring_ok)
			fb_ioring_exit(&q->ring);
		for (int j = 0; q->ents && j < q->nents; j++)
			free(q->ents[j].mem);
		free(q->ents);
		free(q->scratch);
	}
	free(u->q);
	pthread_mutex_destroy(&u->lock);
	pthread_cond_destroy(&u->cond);
	free(u);
	se->uring = NULL;
}

/* For the stats writer: number of queues and each one's counters. */
static int uring_nqueues(const struct fb_session *se)
{
	return se->uring ? se->uring->nqueues : 0;
}

static const struct fb_stats *uring_queue_stats(const struct fb_session *se, int qid)
{
	return &se->uring->q[qid].stats;
}

/* io_uring_enter calls made by all queues so far. */
static unsigned long long enter_calls(const struct fb_session *se)
{
	unsigned long long n = 0;
	for (int i = 0; se->uring && i < se->uring->nqueues; i++)
		n += __atomic_load_n(&se->uring->q[i].ring.enter_calls, __ATOMIC_RELAXED);
	return n;
}

/* INIT (before the rings exist), FORGET and INTERRUPT still come on /dev/fuse: one reader. */
static int uring_dev_readers(const struct fb_options *o)
{
	(void)o;
	return 1;
}

static int uring_start(struct fb_session *se, char *why, size_t whylen)
{
	int r = fb_transport_dev.start(se, why, whylen);
	if (r)
		return r;
	char reason[512];
	r = start_queues(se, reason, sizeof(reason));
	if (r == -EOPNOTSUPP) {
		snprintf(why, whylen, "%s: the kernel refused FUSE over io_uring; set "
			 ENABLE_URING_PARAM " to Y", reason);
		return FB_TRANSPORT_REFUSED;
	}
	if (r < 0)
		snprintf(why, whylen, "%s", reason);
	return r;
}

/* The /dev/fuse reader first, then the queues, each with its own timeout. */
static bool uring_join(struct fb_session *se, int timeout_ms)
{
	bool joined = fb_transport_dev.join(se, timeout_ms);
	return join_queues(se, timeout_ms) && joined;
}

static void uring_free(struct fb_session *se)
{
	free_queues(se);
	fb_transport_dev.free(se);
}

static void uring_stats_json(FILE *f, const struct fb_session *se)
{
	fprintf(f, ",\"uring\":{\"queues\":%d,\"depth\":%d,\"enterCalls\":%llu}",
		uring_nqueues(se), se->opt.uring_depth, enter_calls(se));
}

const struct fb_transport_ops fb_transport_uring = {
	.name = "uring",
	.dev_readers = uring_dev_readers,
	.init_flags = FUSE_OVER_IO_URING,
	.init_flags_name = "FUSE_OVER_IO_URING",
	.init_flags_hint = "set " ENABLE_URING_PARAM " to Y (needs Linux 6.14+ with CONFIG_FUSE_IO_URING)",
	.start = uring_start,
	.join = uring_join,
	.free = uring_free,
	.stats_json = uring_stats_json,
	.nqueues = uring_nqueues,
	.queue_stats = uring_queue_stats,
};
