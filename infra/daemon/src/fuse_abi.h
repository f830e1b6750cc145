/*
 * Kernel FUSE ABI: Debian 12's <linux/fuse.h> (protocol 7.38) plus the
 * pieces this daemon needs from later protocol versions and from Android.
 * Each addition names the protocol version (or kernel tree) it comes from.
 */
#ifndef FB_FUSE_ABI_H
#define FB_FUSE_ABI_H

#include <linux/fuse.h>
#include <stdint.h>
#include <sys/ioctl.h>

/* The protocol version we speak; the kernel may offer a higher minor. */
#define FB_PROTO_MAJOR 7
#define FB_PROTO_MINOR 40

/* 7.39: FUSE_STATX opcode and its in/out structs. */
#ifndef FUSE_STATX
#define FUSE_STATX 52
struct fuse_sx_time {
	int64_t  tv_sec;
	uint32_t tv_nsec;
	int32_t  __reserved;
};
struct fuse_statx {
	uint32_t mask;
	uint32_t blksize;
	uint64_t attributes;
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint16_t mode;
	uint16_t __spare0[1];
	uint64_t ino;
	uint64_t size;
	uint64_t blocks;
	uint64_t attributes_mask;
	struct fuse_sx_time atime;
	struct fuse_sx_time btime;
	struct fuse_sx_time ctime;
	struct fuse_sx_time mtime;
	uint32_t rdev_major;
	uint32_t rdev_minor;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint64_t __spare2[14];
};
struct fuse_statx_in {
	uint32_t getattr_flags;
	uint32_t reserved;
	uint64_t fh;
	uint32_t sx_flags;
	uint32_t sx_mask;
};
struct fuse_statx_out {
	uint64_t attr_valid;
	uint32_t attr_valid_nsec;
	uint32_t flags;
	uint64_t spare[2];
	struct fuse_statx stat;
};
#endif

/* 7.40: upstream passthrough (Linux 6.9). INIT flag lives in flags2 bit 5. */
#ifndef FUSE_PASSTHROUGH
#define FUSE_PASSTHROUGH (1ULL << 37)
#endif
#ifndef FOPEN_PASSTHROUGH
#define FOPEN_PASSTHROUGH (1 << 7)
#endif
struct fb_backing_map {		/* 7.40 struct fuse_backing_map */
	int32_t  fd;
	uint32_t flags;
	uint64_t padding;
};
#define FB_DEV_IOC_BACKING_OPEN  _IOW(FUSE_DEV_IOC_MAGIC, 1, struct fb_backing_map) /* 0x4010E501 */
#define FB_DEV_IOC_BACKING_CLOSE _IOW(FUSE_DEV_IOC_MAGIC, 2, uint32_t)             /* 0x4004E502 */

/*
 * 7.40 fuse_init_out: max_stack_depth is the former unused[0] (offset 36);
 * fuse_open_out: backing_id is the former padding. We write these through
 * the 7.38 field names, with the helpers below naming what they mean.
 */
#define FB_INIT_OUT_MAX_STACK_DEPTH(o) ((o)->unused[0])
#define FB_OPEN_OUT_BACKING_ID(o)      ((o)->padding)

/*
 * Android common kernels (Alessio Balsini's passthrough, android12-5.4 ..
 * android14-6.1): INIT bit 1ULL<<63 (flags2 bit 31, protocol >= 7.36),
 * ioctl argument is the backing fd as uint32, the returned id goes in
 * fuse_open_out.padding (passthrough_fh). No FOPEN flag.
 */
#define FB_ANDROID_FUSE_PASSTHROUGH      (1ULL << 63)
#define FB_ANDROID_DEV_IOC_PASSTHROUGH_OPEN _IOW(FUSE_DEV_IOC_MAGIC, 126, uint32_t) /* 0x4004E57E */


/*
 * 7.42: FUSE over io_uring (Linux 6.14; kernel include/uapi/linux/fuse.h,
 * Documentation/filesystems/fuse-io-uring.rst). INIT flag in flags2 bit 9;
 * needs /sys/module/fuse/parameters/enable_uring = Y. FORGET and INTERRUPT
 * still arrive on /dev/fuse.
 */
#ifndef FUSE_OVER_IO_URING
#define FUSE_OVER_IO_URING (1ULL << 41)
#endif
#define FB_URING_IN_OUT_HEADER_SZ 128
#define FB_URING_OP_IN_OUT_SZ     128
#define FB_IO_URING_CMD_REGISTER         1	/* register an entry and fetch a request */
#define FB_IO_URING_CMD_COMMIT_AND_FETCH 2	/* commit the reply, fetch the next */

struct fb_uring_ent_in_out {	/* 7.42 struct fuse_uring_ent_in_out */
	uint64_t flags;
	uint64_t commit_id;	/* the request's unique; echo it in the commit */
	uint32_t payload_sz;	/* bytes used in the payload buffer, either way */
	uint32_t padding;
	uint64_t reserved;
};

struct fb_uring_req_header {	/* 7.42 struct fuse_uring_req_header: iov[0] */
	char in_out[FB_URING_IN_OUT_HEADER_SZ];	/* fuse_in_header / fuse_out_header */
	char op_in[FB_URING_OP_IN_OUT_SZ];	/* the op's first in-arg (its fixed struct) */
	struct fb_uring_ent_in_out ring_ent_in_out;
};

struct fb_uring_cmd_req {	/* 7.42 struct fuse_uring_cmd_req: the SQE128 command area */
	uint64_t flags;
	uint64_t commit_id;
	uint16_t qid;
	uint8_t padding[6];
};

_Static_assert(sizeof(struct fb_uring_ent_in_out) == 32, "fuse_uring_ent_in_out is 32 bytes");
_Static_assert(sizeof(struct fb_uring_req_header) == 288, "fuse_uring_req_header is 288 bytes");
_Static_assert(sizeof(struct fb_uring_cmd_req) == 24, "fuse_uring_cmd_req is 24 bytes");

/*
 * FUSE-BPF backing blocks appended to a LOOKUP reply after fuse_entry_out.
 * Android Common Kernel (include/uapi/linux/android_fuse.h, android14-6.1):
 * a second out arg struct fuse_entry_bpf_out. RFC v2 (2022): struct
 * fuse_bpf_entry_out, 16 bytes; RFC v3/v4 (2023-24): the same grown to 24
 * bytes (union { struct { u64 unused2; u64 fd; }; char name[16]; }).
 */
#define FB_FUSE_ACTION_KEEP    0
#define FB_FUSE_ACTION_REMOVE  1
#define FB_FUSE_ACTION_REPLACE 2
struct fb_android_entry_bpf_out {
	uint64_t backing_action;
	uint64_t backing_fd;
	uint64_t bpf_action;
	uint64_t bpf_fd;
};
#define FB_FUSE_ENTRY_BACKING 1
struct fb_rfc2_bpf_entry_out {
	uint32_t entry_type;
	uint32_t unused;
	uint64_t fd;
};
struct fb_rfc3_bpf_entry_out {
	uint32_t entry_type;
	uint32_t unused;
	uint64_t unused2;
	uint64_t fd;
};
_Static_assert(sizeof(struct fb_android_entry_bpf_out) == 32, "fuse_entry_bpf_out is 32 bytes");
_Static_assert(sizeof(struct fb_rfc2_bpf_entry_out) == 16, "RFC v2 fuse_bpf_entry_out is 16 bytes");
_Static_assert(sizeof(struct fb_rfc3_bpf_entry_out) == 24, "RFC v3 fuse_bpf_entry_out is 24 bytes");
_Static_assert(sizeof(struct fuse_entry_out) == 128, "fuse_entry_out is 128 bytes");
/* Android kernels send it (protocol 7.38 there); we answer ENOSYS. */
#define FB_ANDROID_FUSE_CANONICAL_PATH 2016

/* 7.36+: flags2 carries bits 32..63 of the INIT flags. */
static inline uint64_t fb_init_flags64(uint32_t flags, uint32_t flags2)
{
	return (uint64_t)flags | ((uint64_t)flags2 << 32);
}

#endif
