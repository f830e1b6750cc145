/** Turns a profile's workload into something the runner can run on a mountpoint. */
import path from 'node:path';
import type { Dataset } from '../dataset.js';
import { UserError } from '../errors.js';
import type { Profile, Workload } from '../profiles.js';
import { defaultHeadline, fioJobFile, runFio } from './fio.js';

export interface WorkloadOutcome {
  metrics: Record<string, number>;
  /** The exact job (fio job file or op list), stored with the record. */
  spec: string;
  fioVersion?: string;
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
  /** Metadata workloads create and remove files, so they need a writable mount. */
  writes: boolean;
  run(context: WorkloadContext): Promise<WorkloadOutcome>;
}

export function workloadRunner(workload: Workload, profile: Profile, dataset: Dataset, overrides: { runtimeSeconds?: number }): WorkloadRunner {
  if (workload.engine === 'fio') {
    const runtimeSeconds = overrides.runtimeSeconds ?? profile.runtimeSeconds;
    const rampSeconds = Math.min(profile.rampSeconds, Math.max(0, runtimeSeconds / 4));
    return {
      name: workload.name,
      headline: defaultHeadline(workload),
      writes: /write|rw/.test(workload.rw),
      async run(context) {
        const spec = fioJobFile({
          workload,
          files: dataset.relativeFiles.map((file) => path.join(context.mountpoint, file)),
          fileSizeBytes: dataset.fileSizeBytes,
          runtimeSeconds,
          rampSeconds,
          cache: profile.cache,
        });
        const timeoutMs = (runtimeSeconds + rampSeconds) * 1000 * 3 + 60_000;
        const fio = await runFio(spec, context.workDir, { onStart: context.onStart, signal: context.signal, timeoutMs });
        return { metrics: fio.result.metrics, spec, fioVersion: fio.result.fioVersion };
      },
    };
  }
  throw new UserError(`workload ${workload.name}: engine "${workload.engine}" is not available in this version of the suite`);
}
