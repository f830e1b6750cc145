#define _GNU_SOURCE
#include "stats.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "dispatch.h"
#include "session.h"
#include "transport.h"
#include "transport_ops.h"

static void sum_counter(struct fb_op_counter *acc, const struct fb_op_counter *c)
{
	acc->count += __atomic_load_n(&c->count, __ATOMIC_RELAXED);
	acc->total_ns += __atomic_load_n(&c->total_ns, __ATOMIC_RELAXED);
}

static void emit_op(FILE *f, int *first, uint32_t opcode, const struct fb_op_counter *c)
{
	char buf[24];
	if (c->count == 0)
		return;
	fprintf(f, "%s\"%s\":{\"count\":%llu,\"totalNs\":%llu}", *first ? "" : ",",
		fb_op_name(opcode, buf, sizeof(buf)),
		(unsigned long long)c->count, (unsigned long long)c->total_ns);
	*first = 0;
}

static void write_ops(FILE *f, const struct fb_session *se)
{
	struct fb_op_counter sum[FB_STATS_NOPS] = { { 0, 0 } };
	uint32_t other_code[FB_STATS_NOTHER * 8] = { 0 };
	struct fb_op_counter other[FB_STATS_NOTHER * 8] = { { 0, 0 } };
	int nother = 0;

	const struct fb_transport_ops *t = se->transport;
	int nq = t->nqueues ? t->nqueues(se) : 0;
	for (int w = 0; w < se->nworkers + nq; w++) {
		const struct fb_stats *s = w < se->nworkers ? &se->workers[w].stats
							    : t->queue_stats(se, w - se->nworkers);
		for (int op = 0; op < FB_STATS_NOPS; op++)
			sum_counter(&sum[op], &s->ops[op]);
		for (int i = 0; i < FB_STATS_NOTHER; i++) {
			uint32_t code = __atomic_load_n(&s->other_opcode[i], __ATOMIC_RELAXED);
			if (!code)
				continue;
			int j = 0;
			while (j < nother && other_code[j] != code)
				j++;
			if (j == nother) {
				if (nother == FB_STATS_NOTHER * 8)
					continue;
				other_code[nother++] = code;
			}
			sum_counter(&other[j], &s->other[i]);
		}
	}
	int first = 1;
	fputc('{', f);
	for (uint32_t op = 0; op < FB_STATS_NOPS; op++)
		emit_op(f, &first, op, &sum[op]);
	for (int j = 0; j < nother; j++)
		emit_op(f, &first, other_code[j], &other[j]);
	fputc('}', f);
}

int fb_stats_write(const struct fb_session *se, const char *path)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -errno;

	const char *abi = fb_pt_abi_name(se->pt_abi);
	fprintf(f, "{\"mode\":\"%s\",\"passthroughAbi\":", fb_mode_name(se->opt.mode));
	if (abi)
		fprintf(f, "\"%s\"", abi);
	else
		fputs("null", f);
	fprintf(f, ",\"transport\":\"%s\"", se->transport->name);
	if (se->transport->stats_json)
		se->transport->stats_json(f, se);
	if (se->opt.mode == FB_MODE_BPF)
		fprintf(f, ",\"fuseBpfAbi\":\"%s\"", fb_bpf_abi_name(se->bpf_abi));
	fprintf(f, ",\"pid\":%d,\"threads\":%d", (int)getpid(), se->opt.threads);
	fprintf(f, ",\"init\":{\"major\":%u,\"minor\":%u,\"flags\":%u,\"flags2\":%u,\"maxWrite\":%u}",
		se->init.major, se->init.minor, se->init.flags, se->init.flags2, se->init.max_write);
	fputs(",\"ops\":", f);
	write_ops(f, se);
	fputs("}\n", f);

	int err = ferror(f) ? EIO : 0;
	if (fclose(f) != 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) < 0)
		err = errno;
	if (err) {
		unlink(tmp);
		return -err;
	}
	return 0;
}
