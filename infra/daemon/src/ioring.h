/*
 * A minimal io_uring against the raw kernel ABI (io_uring_setup/enter and the
 * three mmaps), just what the FUSE-over-io_uring transport needs: 128-byte
 * SQEs, one submitter thread per ring, submit-and-wait in one syscall.
 */
#ifndef FB_IORING_H
#define FB_IORING_H

#include <linux/io_uring.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fb_ioring {
	int fd;
	unsigned sq_entries;
	unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_cqe *cqes;
	unsigned char *sqes;		/* sq_entries * 128 bytes (IORING_SETUP_SQE128) */
	unsigned sq_local_tail;		/* SQEs handed out but not yet published */
	unsigned to_submit;
	void *sq_map, *cq_map, *sqe_map;
	size_t sq_map_len, cq_map_len, sqe_map_len;
	uint64_t enter_calls;		/* io_uring_enter syscalls made */
};

/* Set up a ring of `entries` 128-byte SQEs. 0 or -errno. */
int fb_ioring_init(struct fb_ioring *r, unsigned entries, bool defer_taskrun);

/* A zeroed SQE to fill, or NULL if the SQ is full. Published by the next submit. */
struct io_uring_sqe *fb_ioring_sqe(struct fb_ioring *r);

/* Submit what is pending and wait for at least wait_nr completions. 0 or -errno. */
int fb_ioring_submit_wait(struct fb_ioring *r, unsigned wait_nr);

/* The oldest unconsumed completion, or NULL; fb_ioring_cqe_seen consumes it. */
struct io_uring_cqe *fb_ioring_peek(struct fb_ioring *r);
void fb_ioring_cqe_seen(struct fb_ioring *r);

void fb_ioring_exit(struct fb_ioring *r);

#endif
