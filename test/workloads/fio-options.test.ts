/**
 * The fio allow-list: every allowed option is one fio itself accepts (checked with fio --parse-only),
 * refused options say why, and the job-file writer refuses anything off the list even when the
 * profile's validation was bypassed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProfile, type FioWorkload } from '../../bench/profiles.js';
import { fioJobFile } from '../../bench/workloads/fio.js';
import { fioOptionKeyProblem, FioOptionsSchema, profileFioOptions, renderJobFile } from '../../bench/workloads/fio-options.js';
import { parseFioJson } from '../../bench/workloads/fio.js';
import { parseFioMetaJson } from '../../bench/workloads/fio-meta.js';
import { workloadMetricNames } from '../../bench/results/metrics.js';
import { missingRootOrFio, skipUnless } from '../helpers/kernel.js';

/** One value per allowed option, as a profile would write it. Add one with every new option. */
const samples: Record<string, string | number | boolean> = {
  size: '64m', io_size: '1g', rwmixread: 70, rwmixwrite: 30, fdatasync: 8, sync: 'dsync', end_fsync: 1, fsync_on_close: true,
  buffered: 1, time_based: 1, invalidate: 0, random_distribution: 'zipf:1.2', random_generator: 'lfsr', percentage_random: 50,
  norandommap: true, randrepeat: 0, allrandrepeat: 1, randseed: 42, file_service_type: 'roundrobin', fadvise_hint: 'random',
  fallocate: 'none', overwrite: 1, pre_read: 0, ba: '4k', iodepth_batch_submit: 4, iodepth_batch_complete_min: 1,
  iodepth_batch_complete_max: 8, iodepth_low: 2, fixedbufs: 1, registerfiles: 1, sqthread_poll: 0, thread: 1, rate: '10m',
  rate_iops: 1000, thinktime: 10, thinktime_blocks: 4, zero_buffers: 0, refill_buffers: 1, scramble_buffers: 1,
  buffer_compress_percentage: 50, dedupe_percentage: 10, loops: 2, startdelay: 0, cpus_allowed: '0-1', cpus_allowed_policy: 'split',
  nice: 5, clocksource: 'clock_gettime',
};

const work = mkdtempSync(path.join(os.tmpdir(), 'fio-options-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the fio allow-list', () => {
  it('has a sample value for every allowed option, and each passes its own schema', () => {
    expect(Object.keys(samples).sort()).toEqual(Object.keys(profileFioOptions).sort());
    const parsed = FioOptionsSchema.safeParse(samples);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it.skipIf(skipUnless(missingRootOrFio()))('every allowed option is one fio accepts (fio --parse-only on a job with all of them)', () => {
    const workload = parseProfile(`name: x\nbackends: [bind]\nworkloads: [{name: all, rw: randrw, bs: 4k, ioengine: io_uring, iodepth: 8}]\n`, 'x.yaml').profile.workloads[0] as FioWorkload;
    const job = fioJobFile({ workload: { ...workload, fioOptions: FioOptionsSchema.parse(samples) }, files: [path.join(work, 'f')], fileSizeBytes: 1 << 20, runtimeSeconds: 1 });
    const file = path.join(work, 'all.fio');
    writeFileSync(file, job);
    // fio prints "Bad option <…>" and exits 1 for a name it does not know.
    expect(() => execFileSync('fio', ['--parse-only', file], { stdio: 'pipe' })).not.toThrow();
  });

  it.each([
    ['exec_prerun', 'not an allowed fio option (it runs a command)'],
    ['exec_postrun', 'not an allowed fio option (it runs a command)'],
    ['include', 'not an allowed fio option (it reads another file)'],
    ['write_bw_log', 'not an allowed fio option (it writes outside'],
    ['per_job_logs', 'not an allowed fio option (it writes outside'],
    ['filename', 'set by the suite'],
    ['opendir', 'not an allowed fio option (paths come from the suite'],
    ['runtime', 'set by runtimeSeconds'],
    ['bs', 'set by the workload\'s own field "bs"'],
    ['a=b', 'not an allowed fio option'],
    ['verify', 'not an allowed fio option'],
  ])('%s is refused: %s', (name, message) => {
    expect(fioOptionKeyProblem(name)).toContain(message);
  });

  it('values are typed: a size past its bound, a newline or section syntax in a string value are refused', () => {
    expect(FioOptionsSchema.safeParse({ size: '99999g' }).success).toBe(false);
    expect(FioOptionsSchema.safeParse({ random_distribution: 'zipf:1.2\nexec_prerun=touch /tmp/x' }).success).toBe(false);
    expect(FioOptionsSchema.safeParse({ cpus_allowed: '0]\n[evil' }).success).toBe(false);
    expect(FioOptionsSchema.safeParse({ norandommap: 'yes' }).success).toBe(false);
  });
});

describe('the job-file writer', () => {
  const workload = parseProfile('name: x\nbackends: [bind]\nworkloads: [{name: a, rw: read, bs: 4k}]\n', 'x.yaml').profile.workloads[0] as FioWorkload;
  const input = { files: ['/m/a'], fileSizeBytes: 1024, runtimeSeconds: 1 };

  it('refuses an option off the allow-list that bypassed validation', () => {
    expect(() => fioJobFile({ ...input, workload: { ...workload, fioOptions: { exec_prerun: 'touch /tmp/x' } } })).toThrow(/exec_prerun" is not on the allow-list/);
  });

  it('refuses a value that would start another line or section', () => {
    expect(() => fioJobFile({ ...input, workload: { ...workload, fioOptions: { size: '1m\nexec_prerun=touch /tmp/x' } } })).toThrow(/not a plain single line/);
    expect(() => renderJobFile({ suite: [['size', '1m]']] }, 'a')).toThrow(/not a plain single line/);
    expect(() => renderJobFile({ suite: [['size', '1m']] }, 'a]\n[b')).toThrow(/not a plain name/);
  });
});

describe('what each workload measures', () => {
  const fixture = (name: string) => JSON.parse(readFileSync(path.join('test', 'fixtures', name), 'utf8')) as unknown;
  it('the metric lists the headline check uses cover what the parsers give for recorded fio output', () => {
    expect(workloadMetricNames({ engine: 'fio', rw: 'read' })).toEqual(expect.arrayContaining(Object.keys(parseFioJson(fixture('fio-3.33-seqread-psync.json')).metrics)));
    expect(workloadMetricNames({ engine: 'fio', rw: 'randwrite' })).toEqual(expect.arrayContaining(Object.keys(parseFioJson(fixture('fio-3.33-randwrite-psync.json')).metrics)));
    expect(workloadMetricNames({ engine: 'fio-meta' })).toEqual(expect.arrayContaining(Object.keys(parseFioMetaJson(fixture('fio-3.33-filestat.json')).metrics)));
  });
});
