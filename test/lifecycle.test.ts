/**
 * The run lifecycle, in the order promised: mount → cache → collectors on → workload → collectors off
 * → check → unmount, with cleanup even when a phase throws. The backend and workload here are fakes:
 * this tests the code around them; integration tests mount for real.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Backend } from '../bench/backends/types.js';
import { cleanups } from '../bench/cleanup.js';
import type { Collector } from '../bench/collect/types.js';
import { executeRun, type RunContext } from '../bench/lifecycle.js';
import type { WorkloadRunner } from '../bench/workloads/index.js';

function harness(failAt?: string) {
  const log: string[] = [];
  const maybeFail = (step: string) => {
    if (failAt === step) throw new Error(`${step} broke`);
  };
  const backend: Backend = {
    name: 'fake',
    label: 'fake',
    colour: '#000000',
    kernelRequirement: 'none',
    optionsSchema: z.strictObject({}),
    probe: async () => ({ supported: true, facts: {} }),
    mount: async ({ mountpoint, lower }) => {
      log.push('backend.mount');
      maybeFail('mount');
      return { backend: 'fake', mountpoint, lower, info: {} };
    },
    unmount: async () => {
      log.push('backend.unmount');
      return {};
    },
    check: async () => {
      log.push('backend.check');
      return failAt === 'daemon' ? 'daemon exited with signal 9' : undefined;
    },
  };
  const collector: Collector = {
    name: 'fake',
    start: async () => {
      log.push('collector.start');
      return {
        workloadStarted: () => log.push('collector.workloadStarted'),
        stop: async () => {
          log.push('collector.stop');
          return { requestsByOpcode: { READ: 3 } };
        },
      };
    },
  };
  const workload: WorkloadRunner = {
    name: 'w',
    headline: 'readIops',
    writes: false,
    run: async ({ onStart }) => {
      log.push('workload.run');
      onStart(process.pid);
      maybeFail('workload');
      return { metrics: { readIops: 10, ioCount: 30 }, spec: 'job' };
    },
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lifecycle-'));
  const context: RunContext = {
    backend,
    backendOptions: {},
    workload,
    collectors: [collector],
    lower: dir,
    mountpoint: path.join(dir, 'mnt'),
    workDir: path.join(dir, 'work'),
    prepareCache: async () => {
      log.push('cache');
      maybeFail('cache');
    },
    recordPid: () => {},
    onPhase: (phase) => log.push(`phase:${phase}`),
    base: { repetition: 0, sequence: 0, accel: 'native' },
  };
  return { log, context };
}

describe('one run', () => {
  it('goes through the phases in the promised order', async () => {
    const { log, context } = harness();
    const record = await executeRun(context);
    expect(record.state).toBe('completed');
    expect(log.filter((entry) => entry.startsWith('phase:'))).toEqual(['phase:mount', 'phase:cache', 'phase:collectors-on', 'phase:workload', 'phase:collectors-off', 'phase:check', 'phase:unmount']);
    expect(log.filter((entry) => !entry.startsWith('phase:'))).toEqual(['backend.mount', 'cache', 'collector.start', 'workload.run', 'collector.workloadStarted', 'collector.stop', 'backend.check', 'backend.unmount']);
    expect(record.state === 'completed' && record.requestsByOpcode).toEqual({ READ: 3 });
    expect(cleanups.size).toBe(0);
  });
  it.each(['cache', 'workload'])('unmounts and stops collectors when %s throws, and records the failure', async (step) => {
    const { log, context } = harness(step);
    const record = await executeRun(context);
    expect(record.state).toBe('failed');
    expect(record.state === 'failed' && record.reason).toContain(`${step} broke`);
    expect(log).toContain('backend.unmount');
    if (step === 'workload') expect(log).toContain('collector.stop');
    expect(cleanups.size).toBe(0);
  });
  it('keeps a workload\'s set-up and clean-up outside the collectors\' window', async () => {
    const { log, context } = harness();
    context.workload = {
      ...context.workload,
      prepare: async () => void log.push('workload.prepare'),
      cleanup: async () => void log.push('workload.cleanup'),
    };
    await executeRun(context);
    const order = log.filter((entry) => !entry.startsWith('phase:'));
    expect(order).toEqual(['backend.mount', 'cache', 'workload.prepare', 'collector.start', 'workload.run', 'collector.workloadStarted', 'collector.stop', 'workload.cleanup', 'backend.check', 'backend.unmount']);
  });
  it('records a failed mount without unmounting what was never mounted', async () => {
    const { log, context } = harness('mount');
    const record = await executeRun(context);
    expect(record.state === 'failed' && record.reason).toBe('mount broke');
    expect(log).not.toContain('backend.unmount');
    expect(cleanups.size).toBe(0);
  });
  it('fails the run when the daemon died during the workload', async () => {
    const { context } = harness('daemon');
    const record = await executeRun(context);
    expect(record.state === 'failed' && record.reason).toBe('daemon exited with signal 9');
  });
});
