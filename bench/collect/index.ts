/**
 * The collectors a benchmark run uses.
 *
 * With tracing (the default): trace (bpftrace), proc (/proc before/after) and daemon-stats (our
 * daemon's counters, cross-checked against the trace). The order matters a little: trace attaches
 * first, so proc's first snapshot does not include bpftrace's start-up, and the daemon's counters are
 * read last, when the trace is already counting.
 *
 * --no-trace (trace: false): proc only. It reads /proc before and after the workload and runs nothing
 * during it, so it costs the measured numbers nothing, and it keeps CPU per I/O and per GiB comparable
 * between traced and untraced runs (which is how the trace's own cost is measured). No bpftrace, no
 * signals to the daemon.
 */
import { RequestCountsBoard } from './board.js';
import { daemonStatsCollector } from './daemon-stats.js';
import { procCollector } from './proc.js';
import { traceCollector } from './trace.js';
import type { Collector } from './types.js';

export function defaultCollectors(options: { trace: boolean; syscalls?: boolean }): Collector[] {
  if (!options.trace) return [procCollector()];
  const board = new RequestCountsBoard();
  return [traceCollector({ board, syscalls: options.syscalls === true }), procCollector(), daemonStatsCollector({ board })];
}

export { daemonStatsCollector, procCollector, traceCollector, RequestCountsBoard };
