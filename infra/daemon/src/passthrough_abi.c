#include "passthrough_abi.h"
#include "fuse_abi.h"

enum fb_pt_abi fb_pt_abi_choose(uint32_t major, uint32_t minor, uint64_t flags64)
{
	/* Both interfaces live in flags2, which exists only with INIT_EXT (7.36). */
	if (major != 7 || minor < 36 || !(flags64 & FUSE_INIT_EXT))
		return FB_PT_ABI_NONE;
	/* Upstream assigned bit 37 in 7.40; an older minor cannot mean it. */
	if (minor >= 40 && (flags64 & FUSE_PASSTHROUGH))
		return FB_PT_ABI_UPSTREAM_BACKING;
	if (flags64 & FB_ANDROID_FUSE_PASSTHROUGH)
		return FB_PT_ABI_ANDROID;
	return FB_PT_ABI_NONE;
}

const char *fb_pt_abi_name(enum fb_pt_abi abi)
{
	switch (abi) {
	case FB_PT_ABI_UPSTREAM_BACKING: return "upstream-backing";
	case FB_PT_ABI_ANDROID:          return "android-passthrough";
	default:                         return 0;
	}
}
