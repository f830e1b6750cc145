#define _GNU_SOURCE
#include "ioring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SQE_SIZE 128

static int sys_setup(unsigned entries, struct io_uring_params *p)
{
	return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int sys_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags)
{
	return (int)syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, NULL, 0);
}

static void *map(int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, off);
	return p == MAP_FAILED ? NULL : p;
}

int fb_ioring_init(struct fb_ioring *r, unsigned entries, bool defer_taskrun)
{
	struct io_uring_params p;
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	/*
	 * One thread submits and reaps, so task work (the kernel copying a FUSE
	 * request into our buffers) could wait until we enter the ring
	 * (DEFER_TASKRUN). It is off unless asked for (--uring-setup defer): on
	 * 2 CPUs, 3 x 3 s direct-I/O runs had rings without it 0.95-1.14x as fast
	 * as with it (ahead in 4 of 5 cells; docs/fuse-uring.md), and libfuse's
	 * lib/fuse_uring.c leaves it off for the same reason. Kernels before 6.1
	 * lack it: fall back to plain SQE128.
	 */
	static const unsigned flag_sets[] = {
		IORING_SETUP_SQE128 | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_SQE128,
	};
	int fd = -1;
	for (size_t i = defer_taskrun ? 0 : 1; i < sizeof(flag_sets) / sizeof(flag_sets[0]) && fd < 0; i++) {
		memset(&p, 0, sizeof(p));
		p.flags = flag_sets[i];
		fd = sys_setup(entries, &p);
		if (fd < 0 && errno != EINVAL)
			return -errno;
	}
	if (fd < 0)
		return -errno;
	r->fd = fd;
	r->sq_entries = p.sq_entries;

	r->sq_map_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	r->cq_map_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP) {
		if (r->cq_map_len > r->sq_map_len)
			r->sq_map_len = r->cq_map_len;
		r->sq_map = map(fd, r->sq_map_len, IORING_OFF_SQ_RING);
		r->cq_map = r->sq_map;
	} else {
		r->sq_map = map(fd, r->sq_map_len, IORING_OFF_SQ_RING);
		r->cq_map = map(fd, r->cq_map_len, IORING_OFF_CQ_RING);
	}
	r->sqe_map_len = (size_t)p.sq_entries * SQE_SIZE;
	r->sqe_map = map(fd, r->sqe_map_len, IORING_OFF_SQES);
	if (!r->sq_map || !r->cq_map || !r->sqe_map) {
		int err = errno;
		fb_ioring_exit(r);
		return -err;
	}
	unsigned char *sq = r->sq_map, *cq = r->cq_map;
	r->sq_head = (unsigned *)(sq + p.sq_off.head);
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	r->sqes = r->sqe_map;
	r->sq_local_tail = *r->sq_tail;
	return 0;
}

struct io_uring_sqe *fb_ioring_sqe(struct fb_ioring *r)
{
	unsigned head = __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
	if (r->sq_local_tail - head >= r->sq_entries)
		return NULL;
	unsigned idx = r->sq_local_tail & *r->sq_mask;
	struct io_uring_sqe *sqe = (struct io_uring_sqe *)(r->sqes + (size_t)idx * SQE_SIZE);
	memset(sqe, 0, SQE_SIZE);
	r->sq_array[idx] = idx;
	r->sq_local_tail++;
	r->to_submit++;
	return sqe;
}

int fb_ioring_submit_wait(struct fb_ioring *r, unsigned wait_nr)
{
	__atomic_store_n(r->sq_tail, r->sq_local_tail, __ATOMIC_RELEASE);
	unsigned flags = wait_nr ? IORING_ENTER_GETEVENTS : 0;
	for (;;) {
		r->enter_calls++;
		int n = sys_enter(r->fd, r->to_submit, wait_nr, flags);
		if (n >= 0) {
			r->to_submit -= (unsigned)n < r->to_submit ? (unsigned)n : r->to_submit;
			if (r->to_submit == 0 || wait_nr)
				return 0;
			continue;
		}
		if (errno == EINTR)
			continue;
		return -errno;
	}
}

struct io_uring_cqe *fb_ioring_peek(struct fb_ioring *r)
{
	unsigned head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return NULL;
	return &r->cqes[head & *r->cq_mask];
}

void fb_ioring_cqe_seen(struct fb_ioring *r)
{
	__atomic_store_n(r->cq_head, *r->cq_head + 1, __ATOMIC_RELEASE);
}

void fb_ioring_exit(struct fb_ioring *r)
{
	if (r->sqe_map)
		munmap(r->sqe_map, r->sqe_map_len);
	if (r->cq_map && r->cq_map != r->sq_map)
		munmap(r->cq_map, r->cq_map_len);
	if (r->sq_map)
		munmap(r->sq_map, r->sq_map_len);
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}
