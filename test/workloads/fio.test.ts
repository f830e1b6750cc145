import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../bench/profiles.js';
import { workloadHeadline as defaultHeadline } from '../../bench/results/metrics.js';
import { extractFioJson, fioJobFile, parseFioJson } from '../../bench/workloads/fio.js';
import type { FioWorkload } from '../../bench/profiles.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '..', 'fixtures', name), 'utf8');

describe('parsing fio 3.33 JSON', () => {
  it('reads bandwidth, IOPS, latency percentiles, CPU and context switches of a read job', () => {
    const { fioVersion, metrics } = parseFioJson(extractFioJson(fixture('fio-3.33-seqread-psync.json')));
    expect(fioVersion).toBe('fio-3.33');
    expect(metrics.readBandwidthMiBps).toBeCloseTo(12004452813 / 1024 / 1024, 3);
    expect(metrics.readIops).toBeCloseTo(91586.706647, 3);
    expect(metrics.readLatencyP50Us).toBeCloseTo(8.768, 6);
    expect(metrics.readLatencyP90Us).toBeCloseTo(15.808, 6);
    expect(metrics.readLatencyP99Us).toBeCloseTo(51.968, 6);
    expect(metrics.readLatencyP999Us).toBeCloseTo(80.384, 6);
    expect(metrics.fioUserCpuPct).toBeCloseTo(9.35);
    expect(metrics.fioSystemCpuPct).toBeCloseTo(90.55);
    expect(metrics.fioContextSwitches).toBe(9);
    expect(metrics.ioCount).toBe(183265);
    expect(metrics.writeBandwidthMiBps).toBeUndefined();
  });
  it('reads the write side of a write job', () => {
    const { metrics } = parseFioJson(extractFioJson(fixture('fio-3.33-randwrite-psync.json')));
    expect(metrics.writeIops).toBeGreaterThan(0);
    expect(metrics.writeLatencyP99Us).toBeGreaterThan(0);
    expect(metrics.readIops).toBeUndefined();
  });
  it('skips error lines fio prints before its JSON', () => {
    const noisy = `fio: file hash not empty on exit\nnote: both iodepth >= 1 and synchronous I/O engine are selected\n${fixture('fio-3.33-seqread-psync.json')}`;
    expect(parseFioJson(extractFioJson(noisy)).metrics.readIops).toBeGreaterThan(0);
  });
  it('gives the run\'s runtime for a group of jobs, not the sum fio reports over them (numjobs=2, recorded)', () => {
    const { metrics } = parseFioJson(extractFioJson(fixture('fio-3.33-seqread-psync-2jobs.json')));
    // job_runtime is 2048 ms over two jobs of a 1-second run.
    expect(metrics.runtimeSeconds).toBeCloseTo(1.024, 6);
    expect(metrics.readIops).toBeCloseTo(20178.331735, 3);
  });
  it('says what fio printed when there is no JSON at all', () => {
    expect(() => extractFioJson('fio: failed parsing bs=banana\n')).toThrow(/fio wrote no JSON: fio: failed parsing bs=banana/);
  });
  it('reports a job error instead of numbers', () => {
    const doc = JSON.parse(fixture('fio-3.33-seqread-psync.json'));
    doc.jobs[0].error = 5;
    expect(() => parseFioJson(doc)).toThrow(/reported error 5/);
  });
});

describe('fio job files', () => {
  const workload = (fields: string): FioWorkload =>
    parseProfile(`name: x\nbackends: [bind]\nworkloads: [{name: w, ${fields}}]\n`, 'x.yaml').profile.workloads[0] as FioWorkload;
  it('drops the mount\'s page cache at every pass, so each pass goes through the path under test; the ramp is a job of its own', () => {
    const job = fioJobFile({ workload: workload('rw: read, bs: 128k'), files: ['/m/data/file0'], fileSizeBytes: 1 << 30, runtimeSeconds: 3 });
    expect(job).toContain('invalidate=1');
    expect(job).toContain('ramp_time=0');
  });
  it('names every option the profile gives, and the files joined with colons', () => {
    const job = fioJobFile({ workload: workload('rw: randwrite, bs: 4k, ioengine: libaio, iodepth: 8, fsync: 16, fioOptions: {norandommap: 1}'), files: ['/m/a', '/m/b'], fileSizeBytes: 1024, runtimeSeconds: 5 });
    for (const line of ['ioengine=libaio', 'rw=randwrite', 'bs=4k', 'iodepth=8', 'fsync=16', 'norandommap=1', 'filename=/m/a:/m/b', 'size=2048', 'runtime=5', 'time_based=1', 'percentile_list=50:90:99:99.9']) {
      expect(job).toContain(line);
    }
    expect(job).toMatch(/^\[global\]/);
    expect(job).toContain('[w]');
  });
  it('headlines bandwidth for large blocks and IOPS for small ones', () => {
    expect(defaultHeadline(workload('rw: read, bs: 128k'))).toBe('readBandwidthMiBps');
    expect(defaultHeadline(workload('rw: randread, bs: 4k'))).toBe('readIops');
    expect(defaultHeadline(workload('rw: randwrite, bs: 4k'))).toBe('writeIops');
  });
});
