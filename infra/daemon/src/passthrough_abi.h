/* Which passthrough interface a kernel offers, decided from its INIT request. */
#ifndef FB_PASSTHROUGH_ABI_H
#define FB_PASSTHROUGH_ABI_H

#include <stdint.h>

enum fb_pt_abi {
	FB_PT_ABI_NONE = 0,
	FB_PT_ABI_UPSTREAM_BACKING,	/* FUSE_DEV_IOC_BACKING_OPEN, protocol 7.40 */
	FB_PT_ABI_ANDROID,		/* FUSE_DEV_IOC_PASSTHROUGH_OPEN, Android */
};

/*
 * Pure: given the kernel's offered major, minor and 64-bit INIT flags
 * (flags | flags2 << 32), pick the interface to use. Upstream wins when both
 * bits appear.
 */
enum fb_pt_abi fb_pt_abi_choose(uint32_t major, uint32_t minor, uint64_t flags64);

/* "upstream-backing", "android-passthrough" or NULL for none. */
const char *fb_pt_abi_name(enum fb_pt_abi abi);

#endif
