/**
 * External daemons as users bring them, on real mounts: Debian's passthrough_ll without -f daemonizes
 * (its first process exits 0 once mounted). Two of them, named, run beside our daemon in one run, each
 * in a cgroup of its own; a CLI killed by SIGKILL leaves nothing after `cleanup`; and without a
 * writable cgroup2 hierarchy the suite falls back to pids and says so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCgroup2Mount } from '../../bench/cgroups.js';
import { EnvironmentSchema, RunRecordSchema } from '../../bench/results/schema.js';
import { readMounts } from '../../bench/system.js';
import { cli, FIXTURE_PROFILES, ROOT } from '../helpers/cli.js';
import { missingRootOrFio, skipUnless } from '../helpers/kernel.js';

const PASSTHROUGH_LL = path.join(ROOT, 'build', 'passthrough_ll');
const ENABLE_URING = '/sys/module/fuse/parameters/enable_uring';
const scratch = `/tmp/fb-test-externals-${process.pid}`;
const env = { FUSEBENCH_SCRATCH: scratch };
const suiteMounts = () => readMounts().filter((entry) => entry.mountpoint.startsWith(`${scratch}/`));
/** Processes whose command line names the scratch root: the daemons, fio, anything of these runs. */
const processesInScratch = (): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        return !/^State:\s+Z/m.test(status) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${scratch}/`);
      } catch {
        return false;
      }
    })
    .map(Number);
const cgroupRoot = findCgroup2Mount(readMounts());
const runCgroups = () => (cgroupRoot && existsSync(path.join(cgroupRoot, 'fusebench')) ? readdirSync(path.join(cgroupRoot, 'fusebench')).filter((name) => name.startsWith('run-')) : []);
const records = (out: string) => readFileSync(path.join(out, 'runs.jsonl'), 'utf8').trim().split('\n').map((line) => RunRecordSchema.parse(JSON.parse(line)));
// No -f: libfuse daemonizes once the mount is up, as passthrough_hp does by default.
const daemonizing = `${PASSTHROUGH_LL} -o source={lower} {mnt}`;

const missing = (): string | undefined => missingRootOrFio() ?? (existsSync(PASSTHROUGH_LL) ? undefined : `${PASSTHROUGH_LL} is not built (npm run setup)`) ?? (cgroupRoot ? undefined : 'no cgroup2 hierarchy');

describe.skipIf(skipUnless(missing()))('external daemons that daemonize', () => {
  afterAll(() => {
    if (suiteMounts().length === 0) rmSync(scratch, { recursive: true, force: true });
  });

  it('two named externals and our daemon in one run: all complete, each daemon measured through its cgroup', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-externals-'));
    const result = await cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'tiny-seqread.yaml'), '--backends', 'fuse', '--external', `ll-a=${daemonizing}`, '--external', `ll-b=${daemonizing}`, '--trace-all', '--runtime', '1', '--repeat', '1', '--out', out], { env });
    expect(result.exitCode, result.all).toBe(0);
    const all = records(out);
    expect(all.map((record) => record.backend).sort()).toEqual(['fuse', 'll-a', 'll-b']);
    for (const record of all) {
      expect(record.state, JSON.stringify(record)).toBe('completed');
      if (record.state !== 'completed') continue;
      expect(String(record.mount.daemonAccounting)).toMatch(new RegExp(`^cgroup ${cgroupRoot}/fusebench/run-\\d+/`));
      expect(record.metrics.daemonCpuUsPerIo).toBeGreaterThan(0);
      expect(record.metrics.daemonSyscallsPerIo).toBeGreaterThan(0);
      expect(record.metrics.daemonContextSwitchesPerIo).toBeGreaterThan(0);
      expect((record.details.proc as Record<string, unknown>).daemonCpuMethod).toMatch(/cpu\.stat/);
    }
    const environment = EnvironmentSchema.parse(JSON.parse(readFileSync(path.join(out, 'environment.json'), 'utf8')));
    expect(environment.daemonAccounting).toMatch(/^each daemon in a cgroup of its own/);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('ll-b');
    expect(suiteMounts()).toEqual([]);
    expect(processesInScratch()).toEqual([]);
  }, 120_000);

  it('an external over io_uring: enable_uring is set for it, the ring is checked, and a daemon without one fails saying so', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-externals-uring-'));
    const daemon = path.join(ROOT, 'infra', 'daemon', 'build', 'fusebench-daemon');
    const before = readFileSync(ENABLE_URING, 'utf8').trim();
    const result = await cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'tiny-seqread.yaml'), '--backends', 'ring', '--external', `ring=${daemon} --mode plain --transport uring --foreground {lower} {mnt}`, '--external', `plain=${daemon} --mode plain --foreground {lower} {mnt}`, '--external-uring', 'ring', '--external-uring', 'plain', '--no-trace', '--runtime', '1', '--repeat', '1', '--out', out, '--keep-going'], { env });
    expect(result.exitCode, result.all).toBe(0);
    const byBackend = new Map(records(out).map((record) => [record.backend, record]));
    expect(byBackend.get('ring')?.state, result.all).toBe('completed');
    expect(byBackend.get('plain')?.state).toBe('failed');
    const plain = byBackend.get('plain');
    expect(plain?.state === 'failed' ? plain.reason : '').toMatch(/plain: the daemon mounted, but none of its processes holds an io_uring/);
    expect(readFileSync(ENABLE_URING, 'utf8').trim()).toBe(before);
    expect(suiteMounts()).toEqual([]);
  }, 120_000);

  it('a CLI killed by SIGKILL mid-run leaves nothing of the daemon after npm run cleanup', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-externals-kill-'));
    const run = cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'tiny-seqread.yaml'), '--backends', 'll', '--external', `ll=${daemonizing}`, '--no-trace', '--runtime', '20', '--repeat', '1', '--out', out], { env });
    // Wait until the daemon has daemonized and its mount is up, then kill the CLI where it stands.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !suiteMounts().some((entry) => entry.fsType.startsWith('fuse'))) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(suiteMounts().some((entry) => entry.fsType.startsWith('fuse')), 'the external mount never appeared').toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const cliPid = run.pid!;
    expect(runCgroups()).toContain(`run-${cliPid}`);
    run.kill('SIGKILL');
    await run;
    expect(processesInScratch().length, 'the daemon outlived the CLI, as it should until cleanup').toBeGreaterThan(0);
    const cleanup = await cli(['cleanup'], { env });
    expect(cleanup.exitCode, cleanup.all).toBe(0);
    expect(cleanup.all).toContain(`leftover cgroup ${cgroupRoot}/fusebench/run-${cliPid}`);
    expect(processesInScratch()).toEqual([]);
    expect(runCgroups()).not.toContain(`run-${cliPid}`);
    expect(suiteMounts()).toEqual([]);
  }, 120_000);

  it('without a writable cgroup2 hierarchy: the run completes, accounted by pid, and the records say why', async () => {
    const readOnly = mkdtempSync(path.join(os.tmpdir(), 'fb-cgroup-ro-'));
    execFileSync('mount', ['--bind', '-o', 'ro', cgroupRoot!, readOnly]);
    execFileSync('mount', ['-o', 'remount,bind,ro', readOnly]);
    try {
      const out = mkdtempSync(path.join(os.tmpdir(), 'bench-externals-pid-'));
      const result = await cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'tiny-seqread.yaml'), '--backends', 'fuse', '--external', `ll=${daemonizing}`, '--runtime', '1', '--repeat', '1', '--out', out], { env: { ...env, FUSEBENCH_CGROUP_ROOT: readOnly } });
      expect(result.exitCode, result.all).toBe(0);
      for (const record of records(out)) {
        expect(record.state).toBe('completed');
        if (record.state === 'completed') expect(String(record.mount.daemonAccounting)).toMatch(/^pid only: FUSEBENCH_CGROUP_ROOT=.*EROFS/);
      }
      const fuse = records(out).find((record) => record.backend === 'fuse');
      // Our daemon stays in the foreground: its pid is all it is, so its CPU is still measured.
      expect(fuse?.state === 'completed' && fuse.metrics.daemonCpuUsPerIo).toBeGreaterThan(0);
      const environment = EnvironmentSchema.parse(JSON.parse(readFileSync(path.join(out, 'environment.json'), 'utf8')));
      expect(environment.daemonAccounting).toMatch(/^by pid only/);
      expect(processesInScratch()).toEqual([]);
    } finally {
      execFileSync('umount', [readOnly]);
      rmSync(readOnly, { recursive: true, force: true });
    }
  }, 120_000);
});
