/**
 * One run of one cell, in the order the suite promises:
 *   mount → cache state → workload set-up → collectors on → workload → collectors off
 *   → workload clean-up → health check → unmount
 * Set-up and clean-up of a workload's fixture stay outside what the collectors count.
 * Cleanup of each resource is registered the moment it exists, and runs even when a later phase
 * throws; after a signal no further phase starts. The result is a record: completed, or failed with
 * the reason.
 */
import { mkdirSync } from 'node:fs';
import type { Backend, Mount, UnmountResult } from './backends/types.js';
import { cleanups, interruption, throwIfInterrupted, type CleanupHandle } from './cleanup.js';
import type { Collector, CollectorOutput, CollectorSession } from './collect/types.js';
import { errorMessage } from './errors.js';
import { terminate } from './system.js';
import type { RunRecord } from './results/schema.js';
import type { WorkloadRunner } from './workloads/index.js';

export type Phase = 'mount' | 'cache' | 'prepare' | 'collectors-on' | 'workload' | 'collectors-off' | 'workload-cleanup' | 'check' | 'unmount';

export interface RunContext {
  backend: Backend;
  backendOptions: Record<string, unknown>;
  workload: WorkloadRunner;
  collectors: readonly Collector[];
  lower: string;
  mountpoint: string;
  workDir: string;
  /** The profile's daemonCpus: passed to the backend, and recorded with the mount. */
  daemonCpus?: string;
  /** Brings the cache into the profile's state (warm: read the data set; cold: drop caches). */
  prepareCache: (mount: Mount) => Promise<void>;
  /** Records a started process for `cleanup` after a hard kill. */
  recordPid: (pid: number) => void;
  /** Each phase announces itself, for progress output and for tests of this order. */
  onPhase?: (phase: Phase) => void;
  base: { repetition: number; sequence: number } & Pick<RunRecord, 'accel' | 'accelReason'>;
}

function mergeOutputs(outputs: CollectorOutput[]): Required<CollectorOutput> {
  const merged: Required<CollectorOutput> = { metrics: {}, requestsByOpcode: {}, details: {} };
  let counted = false;
  for (const output of outputs) {
    Object.assign(merged.metrics, output.metrics);
    Object.assign(merged.details, output.details);
    if (output.requestsByOpcode) {
      counted = true;
      Object.assign(merged.requestsByOpcode, output.requestsByOpcode);
    }
  }
  if (!counted) (merged as CollectorOutput).requestsByOpcode = undefined;
  return merged;
}

export async function executeRun(context: RunContext): Promise<RunRecord> {
  const { backend, workload } = context;
  const startedAt = new Date().toISOString();
  const base = { schemaVersion: 1 as const, backend: backend.name, workload: workload.name, ...workload.point, startedAt, ...context.base };
  const phase = (name: Phase) => {
    throwIfInterrupted();
    context.onPhase?.(name);
  };
  mkdirSync(context.mountpoint, { recursive: true });
  mkdirSync(context.workDir, { recursive: true });

  let mount: Mount | undefined;
  const sessions: CollectorSession[] = [];
  let stopCollectors: { run: () => Promise<void>; dismiss: () => void } | undefined;
  // A daemon that starts before its mount is complete is ended by the backend if the mount fails, and
  // by the cleanup of every started process after a signal; the pid file is for `cleanup` after a kill.
  const onProcess = context.recordPid;
  // One unmount, shared by this code and a signal's cleanup, which may both reach for it at once.
  let unmounting: Promise<UnmountResult> | undefined;
  const unmountOnce = (mounted: Mount) => (unmounting ??= backend.unmount(mounted));
  const unmountCleanup = cleanups.push(`unmount ${backend.name} at ${context.mountpoint}`, async () => {
    if (mount) await unmountOnce(mount);
  });
  // The workload goes first when cleanup runs: a mount in use can only be lazily detached.
  let workloadCleanup: CleanupHandle | undefined;
  try {
    phase('mount');
    mount = await backend.mount({
      lower: context.lower,
      mountpoint: context.mountpoint,
      workDir: context.workDir,
      options: context.backendOptions,
      writable: workload.writes,
      onProcess,
      daemonCpus: context.daemonCpus,
    });
    phase('cache');
    await context.prepareCache(mount);

    const mounted = mount;
    const workloadContext = {
      mountpoint: context.mountpoint,
      workDir: context.workDir,
      onStart: (pid: number) => {
        workloadPid = pid;
        context.recordPid(pid);
        workloadCleanup?.dismiss();
        workloadCleanup = cleanups.push(`end workload ${pid}`, () => terminate(pid));
        for (const session of sessions) session.workloadStarted?.(pid);
      },
    };
    let workloadPid: number | undefined;
    if (workload.prepare) {
      phase('prepare');
      await workload.prepare(workloadContext);
    }

    phase('collectors-on');
    stopCollectors = cleanups.push('stop collectors', async () => {
      // After a signal nothing collected is kept; the collectors' processes end like every other.
      if (interruption()) return;
      await Promise.allSettled(sessions.map((session) => session.stop({ ioCount: 0, bytes: 0 })));
    });
    for (const collector of context.collectors) sessions.push(await collector.start({ mount: mounted, workDir: context.workDir, recordPid: context.recordPid }));

    phase('workload');
    const outcome = await (async () => {
      try {
        return await workload.run(workloadContext);
      } catch (error) {
        // A workload that fails on a FUSE mount is most often a daemon that died: say that first.
        const daemonProblem = await backend.check?.(mounted);
        throw daemonProblem ? new Error(`${daemonProblem} (workload: ${errorMessage(error)})`, { cause: error }) : error;
      } finally {
        workloadCleanup?.dismiss();
      }
    })();

    phase('collectors-off');
    stopCollectors.dismiss();
    const ioCount = outcome.metrics.ioCount ?? 0;
    const bytes = ((outcome.metrics.readBandwidthMiBps ?? 0) + (outcome.metrics.writeBandwidthMiBps ?? 0)) * 1024 * 1024 * (outcome.metrics.runtimeSeconds ?? 0);
    const collected = mergeOutputs(await Promise.all(sessions.map((session) => session.stop({ ioCount, bytes }))));
    if (workload.cleanup) {
      phase('workload-cleanup');
      await workload.cleanup(workloadContext);
    }

    phase('check');
    const problem = await backend.check?.(mounted);

    phase('unmount');
    unmountCleanup.dismiss();
    const unmounted = await unmountOnce(mounted);
    const failure = problem ?? unmounted.daemonFailure;
    if (failure) {
      return { ...base, state: 'failed', finishedAt: new Date().toISOString(), reason: failure, log: unmounted.daemonLog };
    }
    return {
      ...base,
      state: 'completed',
      finishedAt: new Date().toISOString(),
      metrics: { ...outcome.metrics, ...collected.metrics },
      requestsByOpcode: collected.requestsByOpcode,
      details: { ...outcome.details, ...collected.details, ...(workloadPid ? { workloadPid } : {}), ...(outcome.fioVersion ? { fioVersion: outcome.fioVersion } : {}) },
      mount: {
        ...mounted.info,
        ...(mounted.daemonPid ? { daemonPid: mounted.daemonPid } : {}),
        ...(mounted.daemonAccounting ? { daemonAccounting: mounted.daemonAccounting } : {}),
        ...(mounted.daemonPid && context.daemonCpus ? { daemonCpus: context.daemonCpus } : {}),
        ...(mounted.fuseConnection !== undefined ? { fuseConnection: mounted.fuseConnection } : {}),
      },
      workloadSpec: outcome.spec,
    };
  } catch (error) {
    await stopCollectors?.run().catch(() => {});
    let log: string | undefined;
    let reason = errorMessage(error);
    if (mount) {
      unmountCleanup.dismiss();
      const unmounted = await unmountOnce(mount).catch((unmountError: unknown) => ({ daemonFailure: `unmount failed: ${errorMessage(unmountError)}`, daemonLog: undefined }));
      log = unmounted.daemonLog;
      if (unmounted.daemonFailure && !reason.includes(unmounted.daemonFailure)) reason = `${unmounted.daemonFailure}; ${reason}`;
    } else {
      unmountCleanup.dismiss();
      log = (error as { daemonLog?: string }).daemonLog;
    }
    return { ...base, state: 'failed', finishedAt: new Date().toISOString(), reason, log };
  }
}
