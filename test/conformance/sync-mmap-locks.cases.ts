/**
 * Sync, mapping and locks: fsync/fdatasync on files and directories, shared mmap read and write,
 * flock and POSIX (fcntl) locks between two processes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { ConformanceCase } from './harness.js';
import { hex, holdWith, pattern, py, sha256, type Outcome } from './ops.js';

export const syncMmapLocksCases: ConformanceCase[] = [
  {
    name: 'fsync and fdatasync succeed on a written file and on a directory; the data is on the lower',
    async run({ dir, lowerDir }) {
      const f = path.join(dir, 'f');
      const outcomes = await py([
        { op: 'open', path: f, flags: ['O_RDWR', 'O_CREAT'] },
        { op: 'write', hex: hex('synced data') },
        { op: 'fsync' },
        { op: 'write', hex: hex(' and more') },
        { op: 'fdatasync' },
        { op: 'close' },
        { op: 'open', path: dir, flags: ['O_RDONLY', 'O_DIRECTORY'], as: 'dir' },
        { op: 'fsync', fd: 'dir' },
        { op: 'fdatasync', fd: 'dir' },
        { op: 'close', fd: 'dir' },
      ]);
      return { outcomes, lower: await readFile(path.join(lowerDir, 'f'), 'utf8') };
    },
    verify(reference) {
      expect(reference.outcomes.map((outcome: Outcome) => ('errno' in outcome ? outcome.errno : 'ok'))).toEqual(Array(10).fill('ok'));
      expect(reference.lower).toBe('synced data and more');
    },
  },

  {
    name: 'mmap: a shared mapping reads the file, and its writes after msync are read back and reach the lower',
    async run({ dir, lowerDir }) {
      const f = path.join(dir, 'm');
      const data = pattern(64 * 1024, 11);
      await writeFile(f, data);
      const outcomes = await py([
        { op: 'mmap_sha256', path: f },
        { op: 'mmap_write', path: f, offset: 1000, length: 64 * 1024, hex: hex('written through mmap') },
        { op: 'mmap_write', path: f, offset: 64 * 1024 - 4, length: 64 * 1024, hex: hex('end!') },
      ]);
      const expected = Buffer.from(data);
      expected.write('written through mmap', 1000);
      expected.write('end!', 64 * 1024 - 4);
      const back = await readFile(f);
      return { outcomes, readBack: back.equals(expected), size: back.length, lowerMatches: (await readFile(path.join(lowerDir, 'm'))).equals(expected), mappedShaIsFile: outcomes[0] && 'ok' in outcomes[0] ? outcomes[0].ok === sha256(data) : outcomes[0] };
    },
    verify(reference) {
      expect(reference).toMatchObject({ readBack: true, size: 64 * 1024, lowerMatches: true, mappedShaIsFile: true });
    },
  },

  {
    name: 'flock: an exclusive lock held by one process makes another EWOULDBLOCK, until released',
    async run({ dir }) {
      const f = path.join(dir, 'lock');
      await writeFile(f, '');
      const holder = await holdWith([{ op: 'open', path: f, flags: ['O_RDONLY'] }, { op: 'flock', how: 'ex' }]);
      let whileHeld: Outcome[];
      try {
        whileHeld = await py([
          { op: 'open', path: f, flags: ['O_RDONLY'] },
          { op: 'flock', how: 'ex', nonblock: true },
          { op: 'flock', how: 'sh', nonblock: true },
        ]);
      } finally {
        await holder.release();
      }
      const afterRelease = await py([{ op: 'open', path: f, flags: ['O_RDONLY'] }, { op: 'flock', how: 'ex', nonblock: true }]);
      const shared = await holdWith([{ op: 'open', path: f, flags: ['O_RDONLY'] }, { op: 'flock', how: 'sh' }]);
      let sharedWithShared: Outcome[];
      try {
        sharedWithShared = await py([{ op: 'open', path: f, flags: ['O_RDONLY'] }, { op: 'flock', how: 'sh', nonblock: true }, { op: 'flock', how: 'ex', nonblock: true }]);
      } finally {
        await shared.release();
      }
      return { holder: holder.outcomes, whileHeld, afterRelease, sharedWithShared };
    },
    verify(reference) {
      // EWOULDBLOCK is EAGAIN on Linux; python names errno 11 EAGAIN.
      expect(reference).toEqual({
        holder: [{ ok: null }, { ok: null }],
        whileHeld: [{ ok: null }, { errno: 'EAGAIN' }, { errno: 'EAGAIN' }],
        afterRelease: [{ ok: null }, { ok: null }],
        sharedWithShared: [{ ok: null }, { ok: null }, { errno: 'EAGAIN' }],
      });
    },
  },

  {
    name: 'fcntl POSIX locks: F_SETLK conflicts across processes, F_GETLK names the holder and its range',
    async run({ dir }) {
      const f = path.join(dir, 'posix');
      await writeFile(f, Buffer.alloc(4096));
      const holder = await holdWith([
        { op: 'open', path: f, flags: ['O_RDWR'] },
        { op: 'setlk', type: 'write', start: 0, length: 100 },
        { op: 'setlk', type: 'read', start: 1000, length: 10 },
      ]);
      let whileHeld: Outcome[];
      try {
        whileHeld = await py([
          { op: 'open', path: f, flags: ['O_RDWR'] },
          { op: 'setlk', type: 'write', start: 50, length: 10 },
          { op: 'setlk', type: 'read', start: 99, length: 1 },
          { op: 'setlk', type: 'write', start: 200, length: 10 },
          { op: 'setlk', type: 'read', start: 1000, length: 10 },
          { op: 'setlk', type: 'write', start: 1005, length: 1 },
          { op: 'getlk', type: 'write', start: 0, length: 10 },
          { op: 'getlk', type: 'write', start: 1000, length: 1 },
          { op: 'getlk', type: 'read', start: 1000, length: 1 },
          { op: 'getlk', type: 'write', start: 500, length: 10 },
        ]);
      } finally {
        await holder.release();
      }
      const afterRelease = await py([{ op: 'open', path: f, flags: ['O_RDWR'] }, { op: 'setlk', type: 'write', start: 0, length: 0 }]);
      // The holder's pid as the caller sees it: what the kernel reports for a local lock, and for FUSE
      // what the daemon put in fuse_lk_out (translated into the caller's pid namespace).
      const named = whileHeld.map((outcome) =>
        'ok' in outcome && outcome.ok && typeof outcome.ok === 'object' && 'pid' in outcome.ok
          ? { ok: { ...outcome.ok, pid: (outcome.ok as { pid: number }).pid === holder.pid ? 'holder' : (outcome.ok as { pid: number }).pid } }
          : outcome,
      );
      return { holder: holder.outcomes, whileHeld: named, afterRelease };
    },
    verify(reference) {
      expect(reference).toEqual({
        holder: [{ ok: null }, { ok: null }, { ok: null }],
        whileHeld: [
          { ok: null },
          { errno: 'EAGAIN' },
          { errno: 'EAGAIN' },
          { ok: null },
          { ok: null },
          { errno: 'EAGAIN' },
          { ok: { type: 'write', start: 0, length: 100, pid: 'holder' } },
          { ok: { type: 'read', start: 1000, length: 10, pid: 'holder' } },
          { ok: { type: 'unlock', start: 1000, length: 1, pid: 0 } },
          { ok: { type: 'unlock', start: 500, length: 10, pid: 0 } },
        ],
        afterRelease: [{ ok: null }, { ok: null }],
      });
    },
  },
];
