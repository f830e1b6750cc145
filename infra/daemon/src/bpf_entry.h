/*
 * FUSE-BPF LOOKUP replies: fuse_entry_out followed by a block that tells the
 * kernel to serve the node (and everything below it) from a lower file or
 * directory, given as an fd the daemon closes once the reply is written.
 * Pure byte layout, unit tested in test/test_bpf_entry.c.
 */
#ifndef FB_BPF_ENTRY_H
#define FB_BPF_ENTRY_H

#include <stddef.h>

#include "fuse_abi.h"
#include "options.h"

/* Size of the backing block for abi: 32 (android), 16 (rfc-v2), 24 (rfc-v3); 0 for auto. */
size_t fb_bpf_block_size(enum fb_bpf_abi abi);

/*
 * Write the LOOKUP reply for entry e backed by backing_fd into buf:
 * e, then the block for abi. Returns the reply length, or 0 if abi is AUTO
 * or cap is too small.
 */
size_t fb_bpf_lookup_reply(enum fb_bpf_abi abi, const struct fuse_entry_out *e, int backing_fd,
			   void *buf, size_t cap);

#endif
