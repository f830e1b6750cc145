/**
 * The daemon's --uring-cpu: by default queue N's thread is pinned to CPU N (the kernel routes a
 * request to the queue of the CPU its caller runs on); `any` leaves the threads to the scheduler, so
 * the affinity study in docs/fuse-uring.md can hold the two against each other. Checked on a real
 * mount over io_uring by reading each daemon thread's Cpus_allowed_list.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAEMON_BINARY } from '../../bench/backends/fusebench-daemon.js';
import { ENABLE_URING_PARAM } from '../../bench/backends/fuse-uring.js';
import { skipUnless } from '../helpers/kernel.js';

const cpuCount = os.cpus().length;

function missingRing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to mount';
  if (!existsSync(ENABLE_URING_PARAM)) return `${ENABLE_URING_PARAM} is absent: no FUSE over io_uring in this kernel`;
  if (cpuCount < 2) return 'needs two CPUs to tell a pinned thread from a free one';
  return undefined;
}

/** Each thread's allowed CPUs, from /proc/PID/task/TID/status. */
function threadCpus(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))![1]!);
}

/** Mount over io_uring with the given --uring-cpu, hand back every thread's CPU list, unmount. */
async function threadCpusWith(setting: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fb-uring-cpu-'));
  const lower = path.join(dir, 'lower');
  const mnt = path.join(dir, 'mnt');
  spawnSync('mkdir', ['-p', lower, mnt]);
  writeFileSync(path.join(lower, 'f'), 'ring');
  const before = readFileSync(ENABLE_URING_PARAM, 'utf8').trim();
  writeFileSync(ENABLE_URING_PARAM, 'Y');
  const daemon = spawn(DAEMON_BINARY, ['--transport', 'uring', '--uring-cpu', setting, '--foreground', '--ready-fd', '3', lower, mnt], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  try {
    const ready = await new Promise<string>((resolve) => {
      let text = '';
      daemon.stdio[3]!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(text.trim());
      });
      daemon.on('exit', () => resolve(text.trim() || 'exited before ready'));
    });
    expect(ready).toBe('ready');
    expect(readFileSync(path.join(mnt, 'f'), 'utf8')).toBe('ring');
    return threadCpus(daemon.pid!);
  } finally {
    spawnSync('umount', [mnt]);
    await new Promise((resolve) => (daemon.exitCode !== null ? resolve(undefined) : daemon.on('exit', resolve)));
    writeFileSync(ENABLE_URING_PARAM, before);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('--uring-cpu', () => {
  it('refuses a value other than pinned or any, naming the flag', () => {
    const result = spawnSync(DAEMON_BINARY, ['--transport', 'uring', '--uring-cpu', 'free', '/nonexistent', '/nonexistent'], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/--uring-cpu must be pinned or any, got 'free'/);
  });

  describe.skipIf(skipUnless(missingRing()))('on a real mount over io_uring', () => {
    const allCpus = `0-${cpuCount - 1}`;

    it('pinned (the default): one queue thread on each CPU alone', async () => {
      const cpus = await threadCpusWith('pinned');
      for (let cpu = 0; cpu < cpuCount; cpu++) expect(cpus).toContain(String(cpu));
    });

    it('any: no thread is confined to one CPU', async () => {
      const cpus = await threadCpusWith('any');
      expect(cpus.length).toBeGreaterThan(cpuCount);
      for (const list of cpus) expect(list).toBe(allCpus);
    });
  });
});
