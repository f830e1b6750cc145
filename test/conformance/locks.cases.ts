/**
 * Lock lifetimes, each kind by its own rule: an OFD lock lives as long as its open file description,
 * a POSIX lock until its process closes any fd of the file, a flock lock until the last fd of its
 * open file description closes. And blocked waiters must not stop the mount: more OFD waiters than
 * the daemon has workers (or io_uring queues), while other requests go on, and a signal ends a wait.
 * Every case runs under the hang guard: a mount that never answers a lock request gets its FUSE
 * connection aborted instead of leaving a process in D state.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { sleep } from '../../bench/system.js';
import type { ConformanceCase } from './harness.js';
import { hex, holdWith, py, spawnPy, type Outcome, type PyOp } from './ops.js';

/** Worker threads the daemon gets in the lock suite: fewer than the blocked waiters below. */
export const LOCK_SUITE_DAEMON_THREADS = 2;
/** More waiters than daemon workers and than io_uring queues (one per CPU). */
const WAITERS = Math.max(LOCK_SUITE_DAEMON_THREADS, os.cpus().length) + 2;

const ABORT_AFTER_MS = 20_000;

const FCNTL = 72; // x86_64 syscall number
const F_OFD_SETLKW = 38;

/** True once pid sleeps in fcntl(fd, cmd, …) (/proc/PID/syscall: number, then arguments in hex). */
function blockedInFcntl(pid: number, cmd: number): boolean {
  try {
    const [nr, , arg1] = readFileSync(`/proc/${pid}/syscall`, 'utf8').trim().split(' ');
    return Number(nr) === FCNTL && Number(arg1) === cmd;
  } catch {
    return false;
  }
}

async function waitUntilBlocked(pids: number[], cmd: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !pids.every((pid) => blockedInFcntl(pid, cmd))) await sleep(20);
  return pids.filter((pid) => blockedInFcntl(pid, cmd)).length;
}

const ofdWrite = (extra: Record<string, unknown> = {}): PyOp => ({ op: 'setlk', ofd: true, type: 'write', start: 0, length: 0, ...extra });

export const locksCases: ConformanceCase[] = [
  {
    name: 'OFD lock: lock, close, reopen and lock again succeeds; another open conflicts until the holder goes',
    abortAfterMs: ABORT_AFTER_MS,
    async run({ dir }) {
      const f = path.join(dir, 'ofd');
      writeFileSync(f, 'x');
      const holder = await holdWith([
        { op: 'open', path: f, flags: ['O_RDWR'] },
        ofdWrite(),
        { op: 'close' },
        { op: 'open', path: f, flags: ['O_RDWR'] },
        ofdWrite(),
      ]);
      let whileHeld: Outcome[];
      try {
        whileHeld = await py([
          { op: 'open', path: f, flags: ['O_RDWR'] },
          ofdWrite(),
          { op: 'getlk', ofd: true, type: 'read', start: 0, length: 10 },
        ]);
      } finally {
        await holder.release();
      }
      const afterRelease = await py([{ op: 'open', path: f, flags: ['O_RDWR'] }, ofdWrite()]);
      return { holder: holder.outcomes, whileHeld, afterRelease };
    },
    verify(reference) {
      expect(reference).toEqual({
        holder: [{ ok: null }, { ok: null }, { ok: null }, { ok: null }, { ok: null }],
        // An OFD lock has no owning process: F_OFD_GETLK reports l_pid -1.
        whileHeld: [{ ok: null }, { errno: 'EAGAIN' }, { ok: { type: 'write', start: 0, length: 0, pid: -1 } }],
        afterRelease: [{ ok: null }, { ok: null }],
      });
    },
  },

  {
    name: `OFD F_OFD_SETLKW: ${WAITERS} blocked waiters (more than daemon workers) do not stop other requests; a signal ends a wait with EINTR; each waiter gets the lock in turn`,
    abortAfterMs: ABORT_AFTER_MS,
    async run({ dir }) {
      const f = path.join(dir, 'contended');
      writeFileSync(f, '');
      const holder = await holdWith([{ op: 'open', path: f, flags: ['O_RDWR'] }, ofdWrite()]);
      const waiters = Array.from({ length: WAITERS }, (_, i) =>
        spawnPy([
          { op: 'open', path: f, flags: ['O_RDWR', 'O_APPEND'] },
          ofdWrite({ wait: true }),
          { op: 'write', hex: hex(`${i}.`) },
          { op: 'close' },
        ]),
      );
      let blocked: number;
      let others: Outcome[];
      let interrupted: Outcome[];
      try {
        blocked = await waitUntilBlocked(waiters.map((waiter) => waiter.pid), F_OFD_SETLKW);
        // Every waiter sleeps in F_OFD_SETLKW now: the mount must still serve everything else.
        others = await py([
          { op: 'stat', path: dir },
          { op: 'open', path: path.join(dir, 'other'), flags: ['O_RDWR', 'O_CREAT'] },
          { op: 'write', hex: hex('still served') },
          { op: 'close' },
          { op: 'open', path: path.join(dir, 'other'), flags: ['O_RDONLY'] },
          { op: 'read', length: 100 },
          { op: 'close' },
          { op: 'scandir', path: dir },
        ]).then((outcomes) => outcomes.map((outcome, i) => (i === 0 && 'ok' in outcome ? { ok: 'stat works' } : outcome)));
        interrupted = await py([{ op: 'open', path: f, flags: ['O_RDWR'] }, ofdWrite({ wait: true, alarm: 0.3 })]);
      } finally {
        await holder.release();
      }
      const granted = await Promise.all(waiters.map((waiter) => waiter.outcomes));
      const written = readFileSync(f, 'utf8').split('.').filter(Boolean).sort();
      return { blocked, others, interrupted, granted, written };
    },
    verify(reference) {
      expect(reference).toEqual({
        blocked: WAITERS,
        others: [{ ok: 'stat works' }, { ok: null }, { ok: 12 }, { ok: null }, { ok: null }, { ok: hex('still served') }, { ok: null }, { ok: ['contended', 'other'] }],
        interrupted: [{ ok: null }, { errno: 'EINTR' }],
        granted: Array(WAITERS).fill([{ ok: null }, { ok: null }, { ok: 2 }, { ok: null }]),
        written: Array.from({ length: WAITERS }, (_, i) => String(i)).sort(),
      });
    },
  },

  {
    name: "POSIX locks belong to the process: its second fd does not conflict, and closing either fd releases them",
    abortAfterMs: ABORT_AFTER_MS,
    async run({ dir }) {
      const f = path.join(dir, 'posix');
      writeFileSync(f, Buffer.alloc(4096));
      const holder = await holdWith([
        { op: 'open', path: f, flags: ['O_RDWR'], as: 'a' },
        { op: 'setlk', fd: 'a', type: 'write', start: 0, length: 100 },
        { op: 'open', path: f, flags: ['O_RDWR'], as: 'b' },
        { op: 'setlk', fd: 'b', type: 'write', start: 50, length: 10 },
        { op: 'close', fd: 'b' },
      ]);
      let afterClose: Outcome[];
      try {
        afterClose = await py([{ op: 'open', path: f, flags: ['O_RDWR'] }, { op: 'setlk', type: 'write', start: 0, length: 100 }]);
      } finally {
        await holder.release();
      }
      return { holder: holder.outcomes, afterClose };
    },
    verify(reference) {
      expect(reference).toEqual({
        holder: [{ ok: null }, { ok: null }, { ok: null }, { ok: null }, { ok: null }],
        afterClose: [{ ok: null }, { ok: null }],
      });
    },
  },

  {
    name: 'flock belongs to the open file description: a dup shares it, another open conflicts, it lasts until the last fd closes, fcntl locks are separate',
    abortAfterMs: ABORT_AFTER_MS,
    async run({ dir }) {
      const f = path.join(dir, 'flock');
      writeFileSync(f, '');
      return py([
        { op: 'open', path: f, flags: ['O_RDWR'], as: 'a' },
        { op: 'flock', fd: 'a', how: 'ex' },
        { op: 'dup', fd: 'a', as: 'd' },
        { op: 'open', path: f, flags: ['O_RDWR'], as: 'b' },
        { op: 'flock', fd: 'b', how: 'ex', nonblock: true },
        { op: 'flock', fd: 'd', how: 'ex', nonblock: true },
        { op: 'close', fd: 'a' },
        { op: 'flock', fd: 'b', how: 'sh', nonblock: true },
        { op: 'setlk', fd: 'b', type: 'write', start: 0, length: 0 },
        { op: 'close', fd: 'd' },
        { op: 'flock', fd: 'b', how: 'ex', nonblock: true },
      ]);
    },
    verify(reference) {
      expect(reference).toEqual([
        { ok: null }, { ok: null }, { ok: null }, { ok: null }, { errno: 'EAGAIN' }, { ok: null },
        { ok: null }, { errno: 'EAGAIN' }, { ok: null }, { ok: null }, { ok: null },
      ]);
    },
  },
];
