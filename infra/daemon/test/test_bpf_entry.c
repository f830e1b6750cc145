/* Unit test: exact bytes of the FUSE-BPF LOOKUP reply for each ABI. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bpf_entry.h"

static int failures;

static void check(const char *what, int ok)
{
	printf("%s %s\n", ok ? "ok  " : "FAIL", what);
	if (!ok)
		failures++;
}

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(void)
{
	struct fuse_entry_out e;
	memset(&e, 0, sizeof(e));
	e.nodeid = 0x1122334455667788ull;
	e.generation = 7;
	e.attr.ino = 42;
	e.attr.mode = 040755;
	unsigned char buf[256];
	const int fd = 9;

	/* Android Common Kernel: 128 + struct fuse_entry_bpf_out (4 x u64). */
	memset(buf, 0xAA, sizeof(buf));
	size_t n = fb_bpf_lookup_reply(FB_BPF_ABI_ANDROID, &e, fd, buf, sizeof(buf));
	check("android: 160 bytes", n == 160);
	check("android: fuse_entry_out first, unchanged", memcmp(buf, &e, 128) == 0);
	check("android: nodeid at offset 0", le64(buf) == 0x1122334455667788ull);
	check("android: backing_action = REPLACE (2) at 128", le64(buf + 128) == 2);
	check("android: backing_fd at 136", le64(buf + 136) == (uint64_t)fd);
	check("android: bpf_action = KEEP (0) at 144", le64(buf + 144) == 0);
	check("android: bpf_fd = 0 at 152", le64(buf + 152) == 0);
	check("android: nothing written past 160", buf[160] == 0xAA);

	/* RFC v2: struct fuse_bpf_entry_out { u32 entry_type; u32 unused; u64 fd; }. */
	memset(buf, 0xAA, sizeof(buf));
	n = fb_bpf_lookup_reply(FB_BPF_ABI_RFC_V2, &e, fd, buf, sizeof(buf));
	check("rfc-v2: 144 bytes", n == 144);
	check("rfc-v2: entry_type = FUSE_ENTRY_BACKING (1) at 128", le32(buf + 128) == 1);
	check("rfc-v2: unused = 0 at 132", le32(buf + 132) == 0);
	check("rfc-v2: fd at 136", le64(buf + 136) == (uint64_t)fd);
	check("rfc-v2: nothing written past 144", buf[144] == 0xAA);

	/* RFC v3/v4: 24 bytes, the fd after a u64 of padding (union with name[16]). */
	memset(buf, 0xAA, sizeof(buf));
	n = fb_bpf_lookup_reply(FB_BPF_ABI_RFC_V3, &e, fd, buf, sizeof(buf));
	check("rfc-v3: 152 bytes", n == 152);
	check("rfc-v3: entry_type = 1 at 128", le32(buf + 128) == 1);
	check("rfc-v3: unused and unused2 zero (132..143)", all_zero(buf + 132, 12));
	check("rfc-v3: fd at 144", le64(buf + 144) == (uint64_t)fd);
	check("rfc-v3: nothing written past 152", buf[152] == 0xAA);

	check("auto writes nothing", fb_bpf_lookup_reply(FB_BPF_ABI_AUTO, &e, fd, buf, sizeof(buf)) == 0);
	check("too small a buffer writes nothing", fb_bpf_lookup_reply(FB_BPF_ABI_ANDROID, &e, fd, buf, 159) == 0);
	return failures ? 1 : 0;
}
