/* Unit test for fb_pt_abi_choose on INIT flags recorded from real kernels. */
#include <stdio.h>

#include "fuse_abi.h"
#include "passthrough_abi.h"

static int failures;

static void expect(const char *what, uint32_t major, uint32_t minor, uint32_t flags,
		   uint32_t flags2, enum fb_pt_abi want)
{
	enum fb_pt_abi got = fb_pt_abi_choose(major, minor, fb_init_flags64(flags, flags2));
	const char *gn = fb_pt_abi_name(got), *wn = fb_pt_abi_name(want);
	if (got != want) {
		failures++;
		printf("FAIL %s: got %s, want %s\n", what, gn ? gn : "none", wn ? wn : "none");
	} else {
		printf("ok   %s -> %s\n", what, gn ? gn : "none");
	}
}

int main(void)
{
	/* Android 6.1 guest (android14-6.1, CONFIG_FUSE_BPF): seen in its INIT. */
	expect("android14-6.1 guest offers bit 63", 7, 38, 0x73fffffb, 0x80000009,
	       FB_PT_ABI_ANDROID);
	/* Host 6.18.44: minor 45, flags 0x73fffffb, flags2 0x5fd (bit 5 = FUSE_PASSTHROUGH). */
	expect("host 6.18 offers FUSE_PASSTHROUGH", 7, 45, 0x73fffffb, 0x000005fd,
	       FB_PT_ABI_UPSTREAM_BACKING);
	expect("both bits: upstream wins", 7, 40, FUSE_INIT_EXT, 0x80000020,
	       FB_PT_ABI_UPSTREAM_BACKING);
	expect("no passthrough bit", 7, 45, 0x73fffffb, 0x00000001, FB_PT_ABI_NONE);
	expect("no INIT_EXT: flags2 meaningless", 7, 45, 0x33fffffb, 0x80000020, FB_PT_ABI_NONE);
	expect("bit 37 before 7.40 is not upstream", 7, 38, FUSE_INIT_EXT, 0x00000020,
	       FB_PT_ABI_NONE);
	expect("minor below 7.36", 7, 31, FUSE_INIT_EXT, 0x80000020, FB_PT_ABI_NONE);
	return failures ? 1 : 0;
}
