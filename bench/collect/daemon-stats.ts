/**
 * The daemon-stats collector: our daemon keeps per-opcode counters and writes them as JSON on SIGUSR1
 * (the protocol: bench/backends/daemon-stats-file.ts). Asked at start and at stop, the difference is what the daemon
 * served during the workload; it is compared with the traced counts of the same run (crosscheck.ts).
 * Daemons that are not ours (passthrough_ll, external) write no such file: nothing to compare, and the
 * record says so.
 */
import { requestDaemonStats, type DaemonStats, type OpCounter } from '../backends/daemon-stats-file.js';
import type { Mount } from '../backends/types.js';
import type { RequestCountsBoard } from './board.js';
import { requestMetrics } from './trace.js';
import { crossCheckRequests } from './crosscheck.js';
import { normalizeOpcodeName } from './opcodes.js';
import { waitForIdleConnection } from './quiesce.js';
import type { Collector, CollectorOutput, CollectorSession } from './types.js';

/** What the daemon served between two snapshots, by opcode name; opcodes with no request are left out. */
export function diffDaemonOps(before: DaemonStats, after: DaemonStats): Record<string, OpCounter> {
  const out: Record<string, OpCounter> = {};
  for (const [name, counter] of Object.entries(after.ops)) {
    const earlier = before.ops[name] ?? { count: 0, totalNs: 0 };
    const count = counter.count - earlier.count;
    if (count > 0) out[normalizeOpcodeName(name)] = { count, totalNs: counter.totalNs - earlier.totalNs };
  }
  return out;
}

export interface DaemonStatsCollectorOptions {
  /** Where the trace collector posts its counts for the same run. */
  board?: RequestCountsBoard;
}

export function daemonStatsCollector(options: DaemonStatsCollectorOptions = {}): Collector {
  return {
    name: 'daemon-stats',
    async start({ mount }): Promise<CollectorSession> {
      const { daemonPid, daemonStatsFile } = mount;
      if (daemonPid === undefined || daemonStatsFile === undefined) {
        const reason = daemonPid === undefined ? `no daemon serves ${mount.backend}` : `the ${mount.backend} daemon keeps no counters of its own (not ours)`;
        return { stop: async () => ({ details: { crossCheckSkipped: reason } }) };
      }
      await waitForIdleConnection(mount.fuseConnection);
      const before = await requestDaemonStats(daemonPid, daemonStatsFile);
      return {
        async stop(outcome) {
          await waitForIdleConnection(mount.fuseConnection);
          const after = await requestDaemonStats(daemonPid, daemonStatsFile);
          return daemonStatsOutput(diffDaemonOps(before, after), await options.board?.wait(mount), outcome, mount);
        },
      };
    },
  };
}

export function daemonStatsOutput(served: Record<string, OpCounter>, traced: Record<string, number> | undefined, outcome: { ioCount: number }, mount: Pick<Mount, 'backend'>): CollectorOutput {
  const daemonRequestsByOpcode = Object.fromEntries(Object.entries(served).map(([name, counter]) => [name, counter.count]));
  const daemonServiceMeanUsByOpcode = Object.fromEntries(Object.entries(served).map(([name, counter]) => [name, Math.round(counter.totalNs / counter.count / 10) / 100]));
  const details: Record<string, unknown> = { daemonRequestsByOpcode, daemonServiceMeanUsByOpcode };
  if (traced) {
    details.crossCheck = crossCheckRequests(traced, daemonRequestsByOpcode);
    return { details };
  }
  // Not traced (a kernel before 6.12 has no fuse tracepoints): the daemon's own counters are the
  // measurement of requests, labelled as such. FORGET and INTERRUPT never pass the tracepoint, so they
  // are left out to keep the numbers comparable with traced runs.
  details.crossCheckSkipped = `requests of ${mount.backend} were not traced in this run`;
  details.requestsSource = 'daemon counters (no fuse tracepoints)';
  const requestsByOpcode = Object.fromEntries(Object.entries(daemonRequestsByOpcode).filter(([name]) => !['FORGET', 'BATCH_FORGET', 'INTERRUPT'].includes(name)));
  return { details, requestsByOpcode, metrics: requestMetrics(requestsByOpcode, outcome.ioCount) };
}
