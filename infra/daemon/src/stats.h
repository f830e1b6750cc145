/*
 * Per-thread request counters. Each worker owns one fb_stats and is its only
 * writer, so the hot path needs no lock; the stats writer reads with relaxed
 * atomic loads.
 */
#ifndef FB_STATS_H
#define FB_STATS_H

#include <stdint.h>

#define FB_STATS_NOPS   64	/* opcodes 0..63 counted directly */
#define FB_STATS_NOTHER 8	/* a few slots for higher opcodes (e.g. 2016) */

struct fb_op_counter {
	uint64_t count;
	uint64_t total_ns;
};

struct fb_stats {
	struct fb_op_counter ops[FB_STATS_NOPS];
	uint32_t other_opcode[FB_STATS_NOTHER];
	struct fb_op_counter other[FB_STATS_NOTHER];
};

static inline void fb_counter_add(struct fb_op_counter *c, uint64_t ns)
{
	__atomic_store_n(&c->count, c->count + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&c->total_ns, c->total_ns + ns, __ATOMIC_RELAXED);
}

static inline void fb_stats_add(struct fb_stats *s, uint32_t opcode, uint64_t ns)
{
	if (opcode < FB_STATS_NOPS) {
		fb_counter_add(&s->ops[opcode], ns);
		return;
	}
	for (int i = 0; i < FB_STATS_NOTHER; i++) {
		if (s->other_opcode[i] == opcode || s->other_opcode[i] == 0) {
			__atomic_store_n(&s->other_opcode[i], opcode, __ATOMIC_RELAXED);
			fb_counter_add(&s->other[i], ns);
			return;
		}
	}
}

struct fb_session;
/* Write the JSON document to path.tmp, then rename it to path. 0 or -errno. */
int fb_stats_write(const struct fb_session *se, const char *path);

#endif
