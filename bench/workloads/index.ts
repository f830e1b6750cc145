/** Turns a profile's workload into something the runner can run on a mountpoint. */
import path from 'node:path';
import type { Dataset } from '../dataset.js';
import { UserError } from '../errors.js';
import type { Profile, WorkloadPoint } from '../profiles.js';
import type { SweepPoint } from '../results/cell.js';
import { workloadHeadline } from '../results/metrics.js';
import { fioJobFile, runFio } from './fio.js';
import { fioMetaRunner } from './fio-meta.js';
import { metaRunner } from './meta.js';

export interface WorkloadOutcome {
  metrics: Record<string, number>;
  /** The exact job (fio job file or op list), stored with the record. */
  spec: string;
  fioVersion?: string;
  /** What the record's details should say about the workload (which measure produced it…). */
  details?: Record<string, unknown>;
}

export interface WorkloadContext {
  mountpoint: string;
  workDir: string;
  onStart: (pid: number) => void;
  signal?: AbortSignal;
}

export interface WorkloadRunner {
  name: string;
  headline: string;
  /** For a point of a swept workload: which workload, and the point's parameters (kept in its records). */
  point?: SweepPoint;
  /** Metadata workloads create and remove files, so they need a writable mount. */
  writes: boolean;
  run(context: WorkloadContext): Promise<WorkloadOutcome>;
  /**
   * Untimed set-up on the mount (metadata fixtures). The lifecycle calls prepare before the
   * collectors start and cleanup after they stop, so these calls stay out of the counts; run() expects
   * prepare to have run. What set-up still falls inside the window (write-fsync's untimed open and
   * close) is reported as the metric setupOpsInWindow.
   */
  prepare?(context: WorkloadContext): Promise<void>;
  cleanup?(context: WorkloadContext): Promise<void>;
}

/** The runner of one workload, or of one point of a swept workload (sweep.ts expandWorkload). */
export function workloadRunner(workload: WorkloadPoint, profile: Profile, dataset: Dataset, overrides: { runtimeSeconds?: number }): WorkloadRunner {
  if (workload.engine === 'fio') {
    const runtimeSeconds = overrides.runtimeSeconds ?? profile.runtimeSeconds;
    const rampSeconds = Math.min(profile.rampSeconds, Math.max(0, runtimeSeconds / 4));
    const jobFor = (mountpoint: string, seconds: number) =>
      fioJobFile({
        workload,
        files: dataset.relativeFiles.map((file) => path.join(mountpoint, file)),
        fileSizeBytes: dataset.fileSizeBytes,
        runtimeSeconds: seconds,
      });
    return {
      name: workload.name,
      headline: workloadHeadline(workload)!,
      ...(workload.point ? { point: workload.point } : {}),
      writes: /write|rw/.test(workload.rw),
      // The ramp is a job of its own before the collectors start, not fio's ramp_time: fio leaves the
      // ramp out of its I/O count, and the collectors would count its requests, inflating every
      // per-I/O figure by (ramp + runtime) / runtime.
      ...(rampSeconds > 0
        ? {
            async prepare(context: WorkloadContext) {
              await runFio(jobFor(context.mountpoint, rampSeconds), context.workDir, { onStart: context.onStart, signal: context.signal, timeoutMs: rampSeconds * 3000 + 60_000 });
            },
          }
        : {}),
      async run(context) {
        const spec = jobFor(context.mountpoint, runtimeSeconds);
        const timeoutMs = runtimeSeconds * 1000 * 3 + 60_000;
        const fio = await runFio(spec, context.workDir, { onStart: context.onStart, signal: context.signal, timeoutMs });
        return { metrics: fio.result.metrics, spec, fioVersion: fio.result.fioVersion };
      },
    };
  }
  if (workload.engine === 'meta') return metaRunner(workload);
  if (workload.engine === 'fio-meta') return fioMetaRunner(workload);
  const unknown = workload as { name: string; engine: string };
  throw new UserError(`workload ${unknown.name}: engine "${unknown.engine}" is not available in this version of the suite`);
}
