import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../bench/errors.js';
import { extractFioJson } from '../../bench/workloads/fio.js';
import { fioMetaJobFile, parseFioMetaJson, prepareFioMetaFiles, type FioMetaWorkload } from '../../bench/workloads/fio-meta.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '..', 'fixtures', name), 'utf8');
const workload = (ioengine: FioMetaWorkload['ioengine'], nrfiles = 500): FioMetaWorkload => ({ name: `fio-${ioengine}`, engine: 'fio-meta', ioengine, nrfiles });

// Recorded with fio 3.33 on tmpfs, 500 files, by the job fioMetaJobFile writes.
describe('parsing fio 3.33 JSON of the metadata engines', () => {
  it('reads filecreate IOPS and completion latency, in µs, and no bandwidth', () => {
    const { fioVersion, metrics } = parseFioMetaJson(extractFioJson(fixture('fio-3.33-filecreate.json')));
    expect(fioVersion).toBe('fio-3.33');
    expect(metrics.opsPerSecond).toBe(12500);
    expect(metrics.opLatencyMeanUs).toBeCloseTo(31.067024, 6);
    expect(metrics.opLatencyP50Us).toBeCloseTo(4.08, 6);
    expect(metrics.opLatencyP99Us).toBeCloseTo(189.44, 6);
    expect(metrics.ioCount).toBe(500);
    expect(metrics.runtimeSeconds).toBeCloseTo(0.039, 6);
    expect(metrics.fioContextSwitches).toBe(12);
    expect(Object.keys(metrics).filter((name) => /Bandwidth|^read|^write/.test(name))).toEqual([]);
  });

  it('reads filestat and filedelete the same way', () => {
    const stat = parseFioMetaJson(extractFioJson(fixture('fio-3.33-filestat.json'))).metrics;
    expect(stat).toMatchObject({ opsPerSecond: 20000, ioCount: 500 });
    expect(stat.opLatencyP50Us).toBeCloseTo(2.992, 6);
    expect(stat.opLatencyP99Us).toBeCloseTo(13.632, 6);
    const del = parseFioMetaJson(extractFioJson(fixture('fio-3.33-filedelete.json'))).metrics;
    expect(del.opsPerSecond).toBeCloseTo(16666.666667, 5);
    expect(del.opLatencyMeanUs).toBeCloseTo(36.65103, 5);
    expect(del.opLatencyP50Us).toBeCloseTo(4.768, 6);
    expect(del.ioCount).toBe(500);
  });

  it('reads the write side when the job logged its samples there', () => {
    const document = JSON.parse(fixture('fio-3.33-filestat.json')) as { jobs: Array<Record<string, unknown>> };
    const job = document.jobs[0]!;
    [job.read, job.write] = [job.write, job.read];
    expect(parseFioMetaJson(document).metrics).toMatchObject({ opsPerSecond: 20000, ioCount: 500 });
  });

  it('refuses a job that reported an error or did no operation', () => {
    const failed = JSON.parse(fixture('fio-3.33-filedelete.json')) as { jobs: Array<Record<string, unknown>> };
    failed.jobs[0]!.error = 2;
    expect(() => parseFioMetaJson(failed)).toThrow(/reported error 2/);
    const idle = JSON.parse(fixture('fio-3.33-filestat.json')) as { jobs: Array<{ read: { total_ios: number } }> };
    idle.jobs[0]!.read.total_ios = 0;
    expect(() => parseFioMetaJson(idle)).toThrow(UserError);
    expect(() => parseFioMetaJson(idle)).toThrow(/completed no operations/);
  });
});

describe('the fio metadata job', () => {
  it('names its measure, works in meta-<workload>/ under the mount and creates only at the timed open', () => {
    const job = fioMetaJobFile(workload('filecreate', 2000), '/mnt/x');
    expect(job.split('\n')[0]).toBe('# fusebench measure: fio-filecreate (2000 files, one op each)');
    expect(job).toContain('ioengine=filecreate\ndirectory=/mnt/x/meta-fio-filecreate\nfilename_format=f.$filenum\nnrfiles=2000\n');
    expect(job).toContain('create_on_open=1');
    expect(job).toContain('unlink=0');
    expect(job).toMatch(/\[fio-filecreate\]\n$/);
    expect(fioMetaJobFile(workload('filestat'), '/mnt/x')).toContain('stat_type=stat');
    expect(fioMetaJobFile(workload('filedelete'), '/mnt/x')).not.toContain('create_on_open');
  });
});

describe('laying out the files fio needs', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives filestat and filedelete nrfiles 4 KiB files with fio\'s names, and filecreate an empty directory', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fio-meta-'));
    const tally = prepareFioMetaFiles(dir, workload('filestat', 20));
    const files = readdirSync(path.join(dir, 'meta-fio-filestat'));
    expect(files).toHaveLength(20);
    expect(files).toContain('f.19');
    expect(statSync(path.join(dir, 'meta-fio-filestat', 'f.0')).size).toBe(4096);
    expect(tally.calls).toBe(1 + 20 * 3);
    prepareFioMetaFiles(dir, workload('filecreate', 20));
    expect(readdirSync(path.join(dir, 'meta-fio-filecreate'))).toEqual([]);
  });

  it('removes what a killed run left before laying out again', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fio-meta-'));
    prepareFioMetaFiles(dir, workload('filedelete', 30));
    const tally = prepareFioMetaFiles(dir, workload('filedelete', 10));
    expect(readdirSync(path.join(dir, 'meta-fio-filedelete'))).toHaveLength(10);
    expect(tally.calls).toBeGreaterThan(10 * 3 + 30);
    expect(existsSync(path.join(dir, 'meta-fio-filedelete', 'f.29'))).toBe(false);
  });
});
