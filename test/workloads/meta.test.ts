import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { datasetFor } from '../../bench/dataset.js';
import { loadProfile } from '../../bench/profiles.js';
import { RunRecordSchema } from '../../bench/results/schema.js';
import { expandWorkloads } from '../../bench/sweep.js';
import { workloadRunner } from '../../bench/workloads/index.js';
import { fixtureLayout, prepareFixture } from '../../bench/workloads/meta-fixture.js';
import { metaRunner, tinybenchMetrics, type MetaOp, type MetaWorkload } from '../../bench/workloads/meta.js';
import { cli, FIXTURE_PROFILES } from '../helpers/cli.js';
import { missingRootOrFio, skipUnless } from '../helpers/kernel.js';

const OPS: MetaOp[] = ['stat', 'stat-missing', 'open-close', 'readdir', 'create-unlink', 'rename', 'write-fsync'];
const workload = (op: MetaOp, extra: Partial<MetaWorkload> = {}): MetaWorkload => ({ name: `meta-${op}`, engine: 'meta', op, dirEntries: 50, timeMs: 20, ...extra });
const context = (mountpoint: string) => ({ mountpoint, workDir: mountpoint, onStart: () => {} });

describe('tinybench statistics to metrics', () => {
  // Recorded from tinybench 6.2.5: statSync('/tmp'), time 50 ms (statistics in ms).
  const recorded = {
    period: 0.07894698373102128,
    latency: { mean: 0.07894698373102127, p50: 0.005019000000061169, p99: 0.1173981499999535, rme: 144.33048802472933, samplesCount: 922 },
  };

  it('turns milliseconds into µs, and the rate into 1000 / period', () => {
    const metrics = tinybenchMetrics(recorded, { opCount: 1000, cpuMicros: 50_000, wallMs: 80, setupOpsInWindow: 7 });
    expect(metrics.opLatencyMeanUs).toBeCloseTo(78.94698373, 6);
    expect(metrics.opLatencyP50Us).toBeCloseTo(5.019, 6);
    expect(metrics.opLatencyP99Us).toBeCloseTo(117.39814995, 6);
    expect(metrics.opLatencyRmePct).toBeCloseTo(144.33, 2);
    expect(metrics.opsPerSecond).toBeCloseTo(1000 / 0.07894698373102128, 6);
    expect(metrics.opSampleCount).toBe(922);
    expect(metrics.ioCount).toBe(1000);
    expect(metrics.workloadCpuUsPerIo).toBe(50);
    expect(metrics.runtimeSeconds).toBeCloseTo(0.08, 9);
    expect(metrics.setupOpsInWindow).toBe(7);
  });

  it('leaves out rates it cannot compute rather than storing Infinity', () => {
    const metrics = tinybenchMetrics({ ...recorded, period: 0 }, { opCount: 0, cpuMicros: 0, wallMs: 0, setupOpsInWindow: 0 });
    expect(metrics.opsPerSecond).toBeUndefined();
    expect(metrics.workloadCpuUsPerIo).toBeUndefined();
  });
});

describe('timing one metadata op with tinybench', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(OPS)('%s: positive latencies, every call counted, fixture gone after cleanup', async (op) => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'meta-'));
    const runner = metaRunner(workload(op));
    await runner.prepare!(context(dir));
    const outcome = await runner.run(context(dir));
    await runner.cleanup!(context(dir));
    const { metrics } = outcome;
    expect(metrics.opLatencyP50Us).toBeGreaterThan(0);
    expect(metrics.opLatencyP99Us).toBeGreaterThanOrEqual(metrics.opLatencyP50Us!);
    expect(metrics.opsPerSecond).toBeGreaterThan(0);
    // Warm-up and tinybench's probe call hit the mount too: ioCount counts them, samples do not.
    expect(metrics.ioCount).toBeGreaterThan(metrics.opSampleCount!);
    // Only write-fsync makes untimed calls of its own in the window: the open and close of its file.
    expect(metrics.setupOpsInWindow).toBe(op === 'write-fsync' ? 2 : 0);
    expect(JSON.parse(outcome.spec)).toMatchObject({ measure: 'tinybench', op, setup: 'before the collectors (prepare/cleanup)' });
    expect(outcome.details).toMatchObject({ measure: 'tinybench', setupInWindow: false });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves the fixture to prepare and cleanup: run() makes no set-up calls of its own', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'meta-'));
    const runner = metaRunner(workload('readdir'));
    await runner.prepare!(context(dir));
    expect(readdirSync(path.join(dir, fixtureLayout('meta-readdir').entries))).toHaveLength(50);
    const { metrics } = await runner.run(context(dir));
    expect(metrics.setupOpsInWindow).toBe(0);
    expect(existsSync(path.join(dir, 'meta-meta-readdir'))).toBe(true);
    await runner.cleanup!(context(dir));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails instead of timing a hit when the "missing" name exists', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'meta-'));
    const runner = metaRunner(workload('stat-missing'));
    await runner.prepare!(context(dir));
    writeFileSync(path.join(dir, fixtureLayout('meta-stat-missing').missing), '');
    await expect(runner.run(context(dir))).rejects.toThrow(/exists: stat-missing measured a hit/);
  });

  it('replaces a fixture a killed run left behind', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'meta-'));
    prepareFixture(dir, workload('readdir', { dirEntries: 80 }));
    prepareFixture(dir, workload('readdir', { dirEntries: 10 }));
    expect(readdirSync(path.join(dir, fixtureLayout('meta-readdir').entries))).toHaveLength(10);
  });
});

describe('profiles/metadata.yaml', () => {
  it('has every op and every fio metadata engine, each headlined by the median op latency', () => {
    const { profile } = loadProfile('metadata');
    const runners = expandWorkloads(profile.workloads).map((w) => workloadRunner(w, profile, datasetFor(profile), {}));
    expect(runners.map((runner) => runner.name)).toEqual([...OPS.map((op) => `meta-${op}`), 'fio-filecreate', 'fio-filestat', 'fio-filedelete']);
    expect(new Set(runners.map((runner) => runner.headline))).toEqual(new Set(['opLatencyP50Us']));
    expect(runners.every((runner) => runner.writes)).toBe(true);
  });
});

describe.skipIf(skipUnless(missingRootOrFio()))('metadata workloads through the real CLI', () => {
  it('measures every op with both measures on bind and fuse', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-meta-'));
    const result = await cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'tiny-metadata.yaml'), '--backends', 'bind,fuse', '--repeat', '1', '--out', out], {
      env: { FUSEBENCH_SCRATCH: '/tmp/fb-meta' },
    });
    expect(result.exitCode, result.all).toBe(0);
    const records = readFileSync(path.join(out, 'runs.jsonl'), 'utf8').trim().split('\n').map((line) => RunRecordSchema.parse(JSON.parse(line)));
    const workloads = [...OPS.map((op) => `meta-${op}`), 'fio-filecreate', 'fio-filestat', 'fio-filedelete'];
    for (const backend of ['bind', 'fuse']) {
      for (const name of workloads) {
        const record = records.find((candidate) => candidate.backend === backend && candidate.workload === name);
        expect(record?.state, `${backend} × ${name}: ${record && 'reason' in record ? record.reason : 'no record'}`).toBe('completed');
        if (record?.state !== 'completed') continue;
        expect(record.metrics.opLatencyP50Us, `${backend} × ${name}`).toBeGreaterThan(0);
        expect(record.metrics.ioCount, `${backend} × ${name}`).toBeGreaterThan(0);
        expect(record.workloadSpec).toContain(name.startsWith('fio-') ? `fusebench measure: ${name}` : '"measure": "tinybench"');
      }
    }
    expect(existsSync('/tmp/fb-meta/lock')).toBe(false);
  }, 300_000);
});
