/**
 * Daemon cgroups on the real cgroup2 hierarchy: a process that forks and exits stays counted, cpu.stat
 * is read, cgroup.kill ends what is left, leftovers of a dead run are found; and a hierarchy that
 * cannot be written falls back to pids with the reason.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cgroupSupport, commandInCgroup, createDaemonCgroup, findCgroup2Mount, forgetCgroupSupport, parseFlatKeyed, removeLeftoverCgroups, type DaemonCgroup } from '../bench/cgroups.js';
import { processAlive } from '../bench/processes.js';
import { readMounts } from '../bench/system.js';
import { skipUnless } from './helpers/kernel.js';

describe('cgroup files, parsed', () => {
  it('reads cpu.stat and cgroup.events as numbers', () => {
    const stat = parseFlatKeyed('usage_usec 3643\nuser_usec 1200\nsystem_usec 2443\nnice_usec 0\n');
    expect(stat.get('user_usec')).toBe(1200);
    expect(stat.get('system_usec')).toBe(2443);
    expect(parseFlatKeyed('populated 0\nfrozen 0\n').get('populated')).toBe(0);
  });

  it('prefers /sys/fs/cgroup when it is cgroup2, else the hybrid unified mount', () => {
    expect(findCgroup2Mount([{ mountpoint: '/sys/fs/cgroup/unified', fsType: 'cgroup2' }, { mountpoint: '/sys/fs/cgroup/cpu', fsType: 'cgroup' }])).toBe('/sys/fs/cgroup/unified');
    expect(findCgroup2Mount([{ mountpoint: '/x', fsType: 'cgroup2' }, { mountpoint: '/sys/fs/cgroup', fsType: 'cgroup2' }])).toBe('/sys/fs/cgroup');
    expect(findCgroup2Mount([{ mountpoint: '/sys/fs/cgroup', fsType: 'tmpfs' }])).toBeUndefined();
  });
});

const missingCgroup2 = (): string | undefined => {
  if (process.getuid?.() !== 0) return 'needs root (cgroups)';
  return findCgroup2Mount(readMounts()) ? undefined : 'no cgroup2 hierarchy is mounted';
};

describe.skipIf(skipUnless(missingCgroup2()))('daemon cgroups on this machine', () => {
  const made: DaemonCgroup[] = [];
  afterEach(async () => {
    for (const cgroup of made.splice(0)) await cgroup.end();
  });

  const newCgroup = (): DaemonCgroup => {
    const cgroup = createDaemonCgroup('test');
    if (!('path' in cgroup)) throw new Error(`no cgroup: ${cgroup.reason}`);
    made.push(cgroup);
    return cgroup;
  };

  it('holds what a daemon forks after its first process exits, counts its CPU, and cgroup.kill ends it', async () => {
    const cgroup = newCgroup();
    // A "daemon" that does some work, forks a child that outlives it, and exits 0: as daemonizing does.
    const script = 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 60 </dev/null >/dev/null 2>&1 & exit 0';
    const { command, args } = commandInCgroup(cgroup.procsFile, '/bin/sh', ['-c', script]);
    const first = await execa(command, args, { reject: false });
    expect(first.exitCode).toBe(0);
    const left = cgroup.pids();
    expect(left).toHaveLength(1);
    expect(readFileSync(`/proc/${left[0]}/cmdline`, 'utf8')).toContain('sleep');
    expect(cgroup.populated()).toBe(true);
    // The loop's CPU belongs to a process that has exited: cpu.stat still has it.
    expect(cgroup.cpu()!.userSeconds + cgroup.cpu()!.systemSeconds).toBeGreaterThan(0);
    expect(cgroup.memoryPeak()!.mib).toBeGreaterThan(0);
    await cgroup.end();
    made.pop();
    expect(processAlive(left[0]!)).toBe(false);
    expect(existsSync(cgroup.path)).toBe(false);
  });

  it('cleanup finds the cgroup of a run whose process is gone, ends what runs in it and removes it', async () => {
    const support = cgroupSupport();
    if (support.mode !== 'cgroup') throw new Error(support.reason);
    // A pid that is certainly not running: a child that has exited and been reaped.
    const deadPid = Number(execFileSync('/bin/sh', ['-c', 'echo $$']).toString().trim());
    const orphan = path.join(support.root, 'fusebench', `run-${deadPid}`, 'daemon-1');
    mkdirSync(orphan, { recursive: true });
    const { command, args } = commandInCgroup(path.join(orphan, 'cgroup.procs'), '/bin/sh', ['-c', 'sleep 60 </dev/null >/dev/null 2>&1 & exit 0']);
    await execa(command, args);
    const pids = readFileSync(path.join(orphan, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    expect(pids).toHaveLength(1);
    const lines: string[] = [];
    expect(await removeLeftoverCgroups((line) => lines.push(line))).toBe(1);
    expect(lines.join('\n')).toContain(`run-${deadPid}`);
    expect(existsSync(path.dirname(orphan))).toBe(false);
    expect(processAlive(pids[0]!)).toBe(false);
  });
});

describe.skipIf(skipUnless(missingCgroup2()))('without a cgroup2 hierarchy the suite can write', () => {
  const readOnly = mkdtempSync(path.join(os.tmpdir(), 'fb-cgroup-ro-'));
  afterEach(() => {
    delete process.env.FUSEBENCH_CGROUP_ROOT;
    forgetCgroupSupport();
  });
  afterAll(() => {
    try {
      execFileSync('umount', [readOnly]);
    } catch {
      /* not mounted */
    }
    rmSync(readOnly, { recursive: true, force: true });
  });

  it('a read-only cgroup2 mount: daemons are accounted by pid, and the reason says why', () => {
    const root = findCgroup2Mount(readMounts())!;
    execFileSync('mount', ['--bind', '-o', 'ro', root, readOnly]);
    execFileSync('mount', ['-o', 'remount,bind,ro', readOnly]);
    process.env.FUSEBENCH_CGROUP_ROOT = readOnly;
    forgetCgroupSupport();
    const support = cgroupSupport();
    expect(support.mode).toBe('pid');
    if (support.mode === 'pid') expect(support.reason).toMatch(/cannot create .*fusebench\/run-\d+ \(EROFS\)/);
    const placement = createDaemonCgroup('test');
    expect('reason' in placement && placement.reason).toMatch(/EROFS/);
  });

  it('a directory that is no cgroup2 hierarchy: pid accounting, saying so', () => {
    const plain = mkdtempSync(path.join(os.tmpdir(), 'fb-not-cgroup-'));
    writeFileSync(path.join(plain, 'cpu.stat'), 'usage_usec 1\n');
    process.env.FUSEBENCH_CGROUP_ROOT = plain;
    forgetCgroupSupport();
    const support = cgroupSupport();
    expect(support).toEqual({ mode: 'pid', reason: `FUSEBENCH_CGROUP_ROOT=${plain}: ${plain} is not a cgroup2 directory (no cgroup.procs)` });
    rmSync(plain, { recursive: true, force: true });
  });
});
