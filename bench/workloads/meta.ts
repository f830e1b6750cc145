/**
 * engine 'meta': one metadata operation on the mount, timed by tinybench inside this process with
 * Node's synchronous fs calls (one call, one syscall, no libuv thread pool in between).
 *
 * What is counted, and why:
 * - ioCount is every execution of the op that reached the mount, warm-up and tinybench's own probe
 *   call included, so the collectors' requests per I/O divide by what really ran, not by the samples.
 * - The fixture (meta-<workload>/) is made and removed through the mount, untimed, by the runner's
 *   `prepare`/`cleanup`, which the lifecycle calls outside the collectors' window. The untimed calls
 *   run() itself makes around the loop (write-fsync's open and close) are reported as
 *   setupOpsInWindow, so requests per I/O can be read with them in mind.
 * - The harness is the workload here, but onStart() is not called with our own pid: the proc collector
 *   would then charge the harness's whole lifetime CPU (earlier cells included) to this run, and the
 *   trace collector only follows processes the harness execs (fio). Instead the op's CPU comes from
 *   process.cpuUsage() around the timed loop (workloadCpuUsPerIo), which tinybench's own per-sample
 *   overhead inflates by well under a microsecond; workload syscall counts are not available.
 */
import { closeSync, constants, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Bench } from 'tinybench';
import type { Workload } from '../profiles.js';
import { workloadHeadline } from '../results/metrics.js';
import type { WorkloadContext, WorkloadOutcome, WorkloadRunner } from './index.js';
import { BLOCK, fixtureLayout, prepareFixture, removeTree, Tally } from './meta-fixture.js';

export type MetaWorkload = Extract<Workload, { engine: 'meta' }>;
export type MetaOp = MetaWorkload['op'];

/** The statistics of a tinybench result this module reads (TaskResultWithStatistics, times in ms). */
export interface TimedOp {
  latency: { mean: number; p50: number; p99: number; rme: number; samplesCount: number };
  /** Mean sample in ms: totalTime / samples. */
  period: number;
}

/**
 * Pure: tinybench's statistics (ms) to the suite's metrics (µs, ops/s). opsPerSecond is 1000 / period,
 * the rate of the timed loop, not tinybench's throughput.mean (a mean of per-sample rates, which
 * overweights the fastest samples).
 */
export function tinybenchMetrics(timed: TimedOp, counts: { opCount: number; cpuMicros: number; wallMs: number; setupOpsInWindow: number }): Record<string, number> {
  const { latency } = timed;
  const metrics: Record<string, number> = {
    opLatencyMeanUs: latency.mean * 1000,
    opLatencyP50Us: latency.p50 * 1000,
    opLatencyP99Us: latency.p99 * 1000,
    opLatencyRmePct: latency.rme,
    opSampleCount: latency.samplesCount,
    ioCount: counts.opCount,
    runtimeSeconds: counts.wallMs / 1000,
    setupOpsInWindow: counts.setupOpsInWindow,
  };
  if (timed.period > 0) metrics.opsPerSecond = 1000 / timed.period;
  if (counts.opCount > 0) metrics.workloadCpuUsPerIo = counts.cpuMicros / counts.opCount;
  return metrics;
}

interface Op {
  /** What one op does, for the spec. */
  calls: string;
  fn: () => void;
  /** Untimed, once around the loop (write-fsync's open file). */
  open?: () => void;
  close?: () => void;
  /** Checked once after the loop: the op did what it says (the missing file stayed missing…). */
  verify?: () => void;
}

function opFor(mountpoint: string, workload: MetaWorkload, tally: Tally): Op {
  const layout = fixtureLayout(workload.name);
  const at = (relative: string) => path.join(mountpoint, relative);
  switch (workload.op) {
    case 'stat': {
      const file = at(layout.file);
      return { calls: `statSync(${layout.file})`, fn: () => void statSync(file) };
    }
    case 'stat-missing': {
      // throwIfNoEntry: false keeps the ENOENT path free of a JS exception per op.
      const missing = at(layout.missing);
      let found = false;
      return {
        calls: `statSync(${layout.missing}, { throwIfNoEntry: false }) → ENOENT`,
        fn: () => {
          if (statSync(missing, { throwIfNoEntry: false }) !== undefined) found = true;
        },
        verify: () => {
          if (found) throw new Error(`${missing} exists: stat-missing measured a hit`);
        },
      };
    }
    case 'open-close': {
      const file = at(layout.file);
      return { calls: `closeSync(openSync(${layout.file}, O_RDONLY))`, fn: () => closeSync(openSync(file, constants.O_RDONLY)) };
    }
    case 'readdir': {
      const dir = at(layout.entries);
      let listed = -1;
      return {
        calls: `readdirSync(${layout.entries}) of ${workload.dirEntries} entries`,
        fn: () => {
          listed = readdirSync(dir).length;
        },
        verify: () => {
          if (listed !== workload.dirEntries) throw new Error(`readdir of ${dir} listed ${listed} entries, expected ${workload.dirEntries}`);
        },
      };
    }
    case 'create-unlink': {
      const file = at(layout.created);
      // O_EXCL: every op must really create, never open a leftover.
      const flags = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY;
      return {
        calls: `closeSync(openSync(${layout.created}, O_CREAT|O_EXCL|O_WRONLY, 0o644)); unlinkSync(${layout.created})`,
        fn: () => {
          closeSync(openSync(file, flags, 0o644));
          unlinkSync(file);
        },
      };
    }
    case 'rename': {
      // Back and forth: each op is one rename, the file alternates between the two names.
      let from = at(layout.renameA);
      let to = at(layout.renameB);
      return {
        calls: `renameSync(${layout.renameA}, ${layout.renameB}), then back, alternating`,
        fn: () => {
          renameSync(from, to);
          [from, to] = [to, from];
        },
      };
    }
    case 'write-fsync': {
      const file = at(layout.file);
      const block = Buffer.alloc(BLOCK, 0xa5);
      let fd = -1;
      return {
        calls: `writeSync(fd of ${layout.file}, 4 KiB, position 0); fsyncSync(fd) — fd opened once, untimed`,
        open: () => {
          fd = openSync(file, constants.O_WRONLY);
          tally.add();
        },
        fn: () => {
          writeSync(fd, block, 0, BLOCK, 0);
          fsyncSync(fd);
        },
        close: () => {
          if (fd >= 0) closeSync(fd);
          tally.add();
        },
      };
    }
  }
}

/** Times the op with tinybench (synchronously: the event loop waits, nothing else of ours runs). */
export function timeOp(mountpoint: string, workload: MetaWorkload, tally: Tally, options: { signal?: AbortSignal } = {}) {
  const op = opFor(mountpoint, workload, tally);
  let opCount = 0;
  const fn = () => {
    opCount++;
    op.fn();
  };
  const warmupTimeMs = Math.min(250, Math.max(10, Math.round(workload.timeMs / 4)));
  const bench = new Bench({ time: workload.timeMs, iterations: 64, warmupTime: warmupTimeMs, warmupIterations: 16, throws: true, signal: options.signal });
  bench.add(workload.op, fn);
  op.open?.();
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  let task;
  try {
    [task] = bench.runSync();
  } finally {
    op.close?.();
  }
  const wallMs = performance.now() - wallBefore;
  const cpu = process.cpuUsage(cpuBefore);
  op.verify?.();
  const result = task?.result;
  if (!result || !('latency' in result) || result.state !== 'completed') {
    const error = result && 'error' in result ? result.error : undefined;
    throw new Error(`tinybench did not complete ${workload.op}: ${result?.state ?? 'no result'}${error ? ` (${String(error)})` : ''}`, { cause: error });
  }
  return { timed: result as TimedOp, opCount, cpuMicros: cpu.user + cpu.system, wallMs, calls: op.calls, warmupTimeMs };
}

/**
 * What both metadata engines' runners share but run(): the headline, a writable mount, and a fixture
 * in `dir` under the mount that prepare lays out (with `layOut`) and cleanup removes.
 */
export function metaFixtureRunner(
  workload: { name: string; headline?: string },
  dir: string,
  layOut: (mountpoint: string) => void,
): Omit<WorkloadRunner, 'run'> {
  return {
    name: workload.name,
    headline: workloadHeadline({ engine: 'meta', ...(workload.headline ? { headline: workload.headline } : {}) })!,
    writes: true,
    async prepare(context) {
      layOut(context.mountpoint);
    },
    async cleanup(context) {
      removeTree(path.join(context.mountpoint, dir), new Tally());
    },
  };
}

export function metaRunner(workload: MetaWorkload): WorkloadRunner {
  return {
    ...metaFixtureRunner(workload, fixtureLayout(workload.name).dir, (mountpoint) => prepareFixture(mountpoint, workload)),
    async run(context: WorkloadContext): Promise<WorkloadOutcome> {
      const tally = new Tally();
      const measured = timeOp(context.mountpoint, workload, tally, { signal: context.signal });
      const spec = {
        measure: 'tinybench',
        op: workload.op,
        calls: measured.calls,
        ...(workload.op === 'readdir' ? { dirEntries: workload.dirEntries } : {}),
        timeMs: workload.timeMs,
        warmupTimeMs: measured.warmupTimeMs,
        fixture: fixtureLayout(workload.name).dir,
        setup: 'before the collectors (prepare/cleanup)',
        node: process.version,
      };
      return {
        metrics: tinybenchMetrics(measured.timed, { opCount: measured.opCount, cpuMicros: measured.cpuMicros, wallMs: measured.wallMs, setupOpsInWindow: tally.calls }),
        spec: JSON.stringify(spec, null, 2),
        details: { measure: 'tinybench', op: workload.op, setupInWindow: false },
      };
    },
  };
}
