/**
 * The harness end to end on a real bind mount: real fio, real mounts, real signals.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunRecordSchema, SummarySchema } from '../../bench/results/schema.js';
import { readMounts } from '../../bench/system.js';
import { cli, FIXTURE_PROFILES } from '../helpers/cli.js';
import { missingRootOrFio, skipUnless } from '../helpers/kernel.js';

// A scratch root of its own (this process's), so processes and mounts of this test are told apart from
// anyone else's, and the same test running at once from another checkout cannot hold its lock.
const scratch = `/tmp/fb-test-bind-${process.pid}`;
const env = { FUSEBENCH_SCRATCH: scratch };
const suiteMounts = () => readMounts().filter((entry) => entry.mountpoint.startsWith(`${scratch}/`));
const childProcessesOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const processesNamed = (pattern: RegExp): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return pattern.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
      } catch {
        return false;
      }
    })
    .map(Number);

describe.skipIf(skipUnless(missingRootOrFio()))('bench on a real bind mount', () => {
  afterAll(() => {
    // The runs removed their own directories; the root goes too unless something is still mounted in it.
    if (suiteMounts().length === 0) rmSync(scratch, { recursive: true, force: true });
  });

  it('a 2-second fio job gives records with non-zero bandwidth, a summary and a CSV, and leaves nothing mounted', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-bind-'));
    const result = await cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'tiny-seqread.yaml'), '--backends', 'bind', '--runtime', '2', '--repeat', '2', '--out', out], { env });
    expect(result.exitCode, result.all).toBe(0);
    const lines = readFileSync(path.join(out, 'runs.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      const record = RunRecordSchema.parse(JSON.parse(line));
      expect(record.state).toBe('completed');
      if (record.state === 'completed') {
        expect(record.metrics.readBandwidthMiBps).toBeGreaterThan(0);
        expect(record.metrics.readLatencyP99Us).toBeGreaterThan(0);
        expect(record.workloadSpec).toContain('rw=read');
      }
    }
    const summary = SummarySchema.parse(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')));
    expect(summary.cells[0]!.metrics.readBandwidthMiBps!.n).toBe(2);
    expect(summary.environment.fioVersion).toMatch(/^fio-/);
    expect(summary.environment.commandLine).toContain('--backends bind');
    expect(readFileSync(path.join(out, 'results.csv'), 'utf8')).toMatch(/^backend,workload,state/);
    expect(result.all).toMatch(/\[1\/2\] bind · seqread-128k/);
    expect(suiteMounts()).toEqual([]);
    expect(existsSync(path.join(scratch, 'lock'))).toBe(false);
  });

  it('SIGINT mid-run leaves no mount, no child process and no lock, and keeps the records already written', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-sigint-'));
    const child = cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'tiny-seqread.yaml'), '--backends', 'bind', '--runtime', '3', '--repeat', '4', '--out', out], { env });
    let output = '';
    const sawSecondRun = new Promise<void>((resolve) => {
      child.all!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('[2/4]')) resolve();
      });
    });
    await Promise.race([sawSecondRun, child.then((result) => expect.fail(`the run ended before its second repetition:\n${result.all}`))]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const oursBefore = processesNamed(new RegExp(scratch));
    expect(oursBefore.length, 'fio (and collectors) running in the scratch root').toBeGreaterThan(0);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, result.all).toBe(130);
    expect(suiteMounts()).toEqual([]);
    expect(existsSync(path.join(scratch, 'lock'))).toBe(false);
    expect(processesNamed(new RegExp(scratch))).toEqual([]);
    expect(childProcessesOf(child.pid!)).toEqual([]);
    const lines = readFileSync(path.join(out, 'runs.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) expect(RunRecordSchema.parse(JSON.parse(line)).state).toBe('completed');
  });

  it('a run where nothing completed exits 1 and says why (the first failure)', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-none-'));
    const result = await cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'tiny-seqread.yaml'), '--backends', 'external', '--external', '/nonexistent/daemon {lower} {mnt}', '--runtime', '1', '--repeat', '1', '--out', out], { env });
    expect(result.exitCode, result.all).toBe(1);
    expect(result.all).toMatch(/\nnothing completed: first failure \(external · seqread-128k\): could not start \/nonexistent\/daemon: no such executable file$/);
    expect(suiteMounts()).toEqual([]);
  });

  it('a profile with a misspelt field gets a one-line error naming it, and a non-zero exit', async () => {
    const result = await cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'typo.yaml')]);
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/^Error: .*typo\.yaml: runtimeSecond: unknown field/);
    expect(result.all).not.toMatch(/\n\s+at /);
  });

  it('an unknown backend is named, with the known ones', async () => {
    const result = await cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'tiny-seqread.yaml'), '--backends', 'bind,nfs']);
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/Error: --backends: unknown backend "nfs"/);
  });
});
