#include "bpf_entry.h"

#include <string.h>

size_t fb_bpf_block_size(enum fb_bpf_abi abi)
{
	switch (abi) {
	case FB_BPF_ABI_ANDROID: return sizeof(struct fb_android_entry_bpf_out);
	case FB_BPF_ABI_RFC_V2:  return sizeof(struct fb_rfc2_bpf_entry_out);
	case FB_BPF_ABI_RFC_V3:  return sizeof(struct fb_rfc3_bpf_entry_out);
	case FB_BPF_ABI_AUTO:    break;
	}
	return 0;
}

size_t fb_bpf_lookup_reply(enum fb_bpf_abi abi, const struct fuse_entry_out *e, int backing_fd,
			   void *buf, size_t cap)
{
	size_t block = fb_bpf_block_size(abi);
	if (!block || cap < sizeof(*e) + block)
		return 0;
	char *out = buf;
	memmove(out, e, sizeof(*e));
	char *b = out + sizeof(*e);
	memset(b, 0, block);
	switch (abi) {
	case FB_BPF_ABI_ANDROID: {
		/* Replace the backing with this fd; keep whatever BPF program the node has (none). */
		struct fb_android_entry_bpf_out a = {
			.backing_action = FB_FUSE_ACTION_REPLACE,
			.backing_fd = (uint64_t)backing_fd,
			.bpf_action = FB_FUSE_ACTION_KEEP,
			.bpf_fd = 0,
		};
		memcpy(b, &a, sizeof(a));
		break;
	}
	case FB_BPF_ABI_RFC_V2: {
		struct fb_rfc2_bpf_entry_out r = { .entry_type = FB_FUSE_ENTRY_BACKING, .fd = (uint64_t)backing_fd };
		memcpy(b, &r, sizeof(r));
		break;
	}
	case FB_BPF_ABI_RFC_V3: {
		struct fb_rfc3_bpf_entry_out r = { .entry_type = FB_FUSE_ENTRY_BACKING, .fd = (uint64_t)backing_fd };
		memcpy(b, &r, sizeof(r));
		break;
	}
	case FB_BPF_ABI_AUTO:
		return 0;
	}
	return sizeof(*e) + block;
}
