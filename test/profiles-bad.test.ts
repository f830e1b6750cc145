/**
 * The malformed-profile corpus (test/fixtures/profiles/bad/): each file's first line says the error it
 * must get. Every one is refused with exactly that one problem, naming the file and the field, before
 * anything is mounted; a sample goes through the real CLI (exit 2, no stack). Canaries: the files that
 * would run a command or write outside the scratch root aim at /tmp/fusebench-canary, which must never
 * appear, and their fio options are refused by the job-file writer even when validation is bypassed.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../bench/errors.js';
import { loadProfile, parseProfile, type FioWorkload } from '../bench/profiles.js';
import { readMounts } from '../bench/system.js';
import { fioJobFile } from '../bench/workloads/fio.js';
import { cli, FIXTURE_PROFILES } from './helpers/cli.js';

const BAD = path.join(FIXTURE_PROFILES, 'bad');
const CANARY = '/tmp/fusebench-canary';
const files = readdirSync(BAD).filter((file) => file.endsWith('.yaml')).sort();
const relative = (file: string) => path.relative(process.cwd(), path.join(BAD, file));
const expected = (file: string) => /^# expect: (.*)$/m.exec(readFileSync(path.join(BAD, file), 'utf8'))?.[1];
const isCanary = (file: string) => readFileSync(path.join(BAD, file), 'utf8').includes(CANARY);

function errorOf(file: string): unknown {
  try {
    loadProfile(relative(file));
  } catch (error) {
    return error;
  }
  return undefined;
}

beforeAll(() => rmSync(CANARY, { recursive: true, force: true }));
afterAll(() => expect(existsSync(CANARY), `${CANARY} appeared: something in a profile ran or wrote`).toBe(false));

describe('every malformed profile gets one clear error naming the file and the field', () => {
  it('the corpus is large and every file says what it expects', () => {
    expect(files.length).toBeGreaterThanOrEqual(100);
    for (const file of files) expect(expected(file), file).toBeTruthy();
    expect(files.filter(isCanary).length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)('%s', (file) => {
    const error = errorOf(file);
    expect(error, 'accepted').toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    expect(message, 'one problem, on one line').not.toContain('\n');
    expect(message.startsWith(`${relative(file)}:`), message).toBe(true);
    expect(message).toContain(expected(file));
  });
});

describe('canaries: what would run a command or write outside the scratch root', () => {
  const rawWorkloads = files.filter(isCanary).flatMap((file) => {
    const raw = parseYaml(readFileSync(path.join(BAD, file), 'utf8')) as { workloads?: Array<Record<string, unknown>> };
    return (raw.workloads ?? []).filter((workload) => JSON.stringify(workload).includes(CANARY)).map((workload) => [file, workload] as const);
  });
  const valid = parseProfile('name: x\nbackends: [bind]\nworkloads: [{name: w, rw: read, bs: 4k}]\n', 'x.yaml').profile.workloads[0] as FioWorkload;

  it('most canaries sit in workloads, where the job-file writer can be tried', () => {
    expect(rawWorkloads.length).toBeGreaterThanOrEqual(12);
  });

  // Validation bypassed: the raw YAML workload goes straight to the writer, which must refuse it or
  // leave the canary out of the job file.
  it.each(rawWorkloads)('%s: the job-file writer refuses it even when validation is bypassed', (_file, raw) => {
    const workload = { ...valid, ...raw, fioOptions: { ...(raw.fioOptions as object) } } as FioWorkload;
    let job: string | undefined;
    try {
      job = fioJobFile({ workload, files: ['/m/f'], fileSizeBytes: 4096, runtimeSeconds: 1 });
    } catch (error) {
      expect((error as Error).message).toMatch(/^job file:/);
    }
    if (job !== undefined) expect(job).not.toContain(CANARY);
  });
});

describe('through the real CLI', () => {
  const scratch = '/tmp/fb-test-profiles-bad';
  // A few, since each CLI start costs seconds: a canary, a range, the lower policy.
  const sample = ['fio-exec-prerun.yaml', 'bs-99999g.yaml', 'lower-symlink-to-etc.yaml'];
  it.each(sample)('%s: exit 2, "Error: <file>: <field>: <cause>", no stack, nothing mounted, no canary', async (file) => {
    const result = await cli(['run', '--profile', relative(file), '--out', path.join(scratch, 'out')], { env: { FUSEBENCH_SCRATCH: scratch } });
    expect(result.exitCode, result.all).toBe(2);
    expect(result.all.startsWith(`Error: ${relative(file)}: ${expected(file)}`), result.all).toBe(true);
    expect(result.all.trim().split('\n')).toHaveLength(1);
    expect(result.all).not.toMatch(/\n\s+at /);
    expect(readMounts().filter((entry) => entry.mountpoint.startsWith(scratch))).toEqual([]);
    expect(existsSync(path.join(scratch, 'out'))).toBe(false);
    expect(existsSync(CANARY)).toBe(false);
  });

  it('a directory given as --profile gets a one-line error, exit 2', async () => {
    const result = await cli(['run', '--profile', BAD], { env: { FUSEBENCH_SCRATCH: scratch } });
    expect(result.exitCode, result.all).toBe(2);
    expect(result.all).toMatch(/^Error: .*bad: is a directory, not a profile/);
    expect(result.all).not.toMatch(/EISDIR|\n\s+at /);
  });
});
