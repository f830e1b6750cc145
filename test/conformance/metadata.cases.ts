/**
 * Metadata: chmod, chown, utimens with nanoseconds, statfs against the lower's, and user.* xattrs.
 */
import { chmod, chown, lchown, lstat, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { ConformanceCase } from './harness.js';
import { attempt, py, type Outcome } from './ops.js';

const XATTR_CREATE = 1;
const XATTR_REPLACE = 2;

const modeOf = async (file: string) => ((await stat(file)).mode & 0o7777).toString(8);
const owner = async (file: string, follow = true) => {
  const st = follow ? await stat(file) : await lstat(file);
  return `${st.uid}:${st.gid}`;
};

export const metadataCases: ConformanceCase[] = [
  {
    name: 'chmod sets permission, setuid and sticky bits, seen through the mount and on the lower',
    async run({ dir, lowerDir }) {
      const f = path.join(dir, 'f');
      await writeFile(f, 'x', { mode: 0o600 });
      await mkdir(path.join(dir, 'd'));
      const modes: Record<string, string> = { created: await modeOf(f) };
      for (const mode of [0o640, 0o4755, 0o2750, 0o000, 0o777]) {
        await chmod(f, mode);
        modes[mode.toString(8)] = await modeOf(f);
      }
      await chmod(path.join(dir, 'd'), 0o1777);
      return { modes, dir: await modeOf(path.join(dir, 'd')), lower: await modeOf(path.join(lowerDir, 'f')), missing: await attempt(() => chmod(path.join(dir, 'nope'), 0o644)) };
    },
    verify(reference) {
      expect(reference).toEqual({
        modes: { created: '600', '640': '640', '4755': '4755', '2750': '2750', '0': '0', '777': '777' },
        dir: '1777', lower: '777', missing: { errno: 'ENOENT' },
      });
    },
  },

  {
    name: 'chown to 1234:1234, -1 keeps a field, lchown changes the link not its target',
    async run({ dir, lowerDir }) {
      const f = path.join(dir, 'f');
      await writeFile(f, 'x');
      await chmod(f, 0o4755);
      await chown(f, 1234, 1234);
      const after = await owner(f);
      // chown by root still clears setuid on a regular file (the kernel's should_remove_suid).
      const modeAfter = await modeOf(f);
      await chown(f, -1, 4321);
      const keepUid = await owner(f);
      await symlink('f', path.join(dir, 'l'));
      await lchown(path.join(dir, 'l'), 777, 777);
      return { after, modeAfter, keepUid, link: await owner(path.join(dir, 'l'), false), target: await owner(f), lower: await owner(path.join(lowerDir, 'f')) };
    },
    verify(reference) {
      expect(reference).toEqual({ after: '1234:1234', modeAfter: '755', keepUid: '1234:4321', link: '777:777', target: '1234:4321', lower: '1234:4321' });
    },
  },

  {
    name: 'utimens with nanoseconds: the times read back exactly as the lower keeps them; a symlink not followed',
    async run({ dir, lowerDir }) {
      const f = path.join(dir, 'f');
      await writeFile(f, 'x');
      await symlink('f', path.join(dir, 'l'));
      const outcomes = await py([
        { op: 'utime_ns', path: f, atime: '1600000000123456789', mtime: '1700000000987654321' },
        { op: 'stat', path: f },
        { op: 'stat', path: path.join(lowerDir, 'f') },
        // AT_SYMLINK_NOFOLLOW: the link's own times change, the target's stay.
        { op: 'utime_ns', path: path.join(dir, 'l'), atime: '1500000000000000001', mtime: '1500000000000000002', follow: false },
        { op: 'stat', path: path.join(dir, 'l'), follow: false },
        { op: 'stat', path: f },
        { op: 'utime_ns', path: path.join(dir, 'nope'), atime: '0', mtime: '0' },
      ]);
      const times = (outcome: Outcome | undefined) => (outcome && 'ok' in outcome ? { atimeNs: (outcome.ok as any).atimeNs, mtimeNs: (outcome.ok as any).mtimeNs } : outcome);
      return outcomes.map((outcome, i) => ([1, 2, 4, 5].includes(i) ? times(outcome) : outcome));
    },
    verify(reference) {
      const set = { atimeNs: '1600000000123456789', mtimeNs: '1700000000987654321' };
      expect(reference).toEqual([
        { ok: null }, set, set, { ok: null }, { atimeNs: '1500000000000000001', mtimeNs: '1500000000000000002' }, set, { errno: 'ENOENT' },
      ]);
    },
  },
  {
    name: 'statfs through the mount matches the lower: block size, blocks, free blocks within 1%, inodes',
    async run({ dir, lowerDir }) {
      const [mount, lower] = (await py([
        { op: 'statvfs', path: dir },
        { op: 'statvfs', path: lowerDir },
      ])) as Outcome<Record<string, number>>[];
      if (!mount || !('ok' in mount) || !lower || !('ok' in lower)) return { mount, lower };
      const m = mount.ok;
      const l = lower.ok;
      const bytes = (s: Record<string, number>, field: string) => s[field]! * s.frsize!;
      const within = (a: number, b: number) => Math.abs(a - b) <= 0.01 * Math.max(a, b, 1);
      return {
        totalBytesEqual: bytes(m, 'blocks') === bytes(l, 'blocks'),
        freeBytesWithin1Percent: within(bytes(m, 'bfree'), bytes(l, 'bfree')),
        availBytesWithin1Percent: within(bytes(m, 'bavail'), bytes(l, 'bavail')),
        filesEqual: m.files === l.files,
        freeFilesWithin1Percent: within(m.ffree!, l.ffree!),
        namemax: m.namemax,
      };
    },
    verify(reference) {
      expect(reference).toEqual({ totalBytesEqual: true, freeBytesWithin1Percent: true, availBytesWithin1Percent: true, filesEqual: true, freeFilesWithin1Percent: true, namemax: 255 });
    },
  },

  {
    name: 'user.* xattrs: set, get, list, replace, remove; ENODATA and EEXIST where due',
    async run({ dir, lowerDir }) {
      const f = path.join(dir, 'f');
      await writeFile(f, 'x');
      const big = 'v'.repeat(4000);
      return py([
        { op: 'setxattr', path: f, name: 'user.a', value: 'one' },
        { op: 'setxattr', path: f, name: 'user.b', value: big },
        { op: 'getxattr', path: f, name: 'user.a' },
        { op: 'listxattr', path: f },
        { op: 'setxattr', path: f, name: 'user.a', value: 'again', flags: XATTR_CREATE },
        { op: 'setxattr', path: f, name: 'user.c', value: 'x', flags: XATTR_REPLACE },
        { op: 'setxattr', path: f, name: 'user.a', value: 'two', flags: XATTR_REPLACE },
        { op: 'getxattr', path: f, name: 'user.a' },
        { op: 'getxattr', path: path.join(lowerDir, 'f'), name: 'user.a' },
        { op: 'removexattr', path: f, name: 'user.a' },
        { op: 'getxattr', path: f, name: 'user.a' },
        { op: 'removexattr', path: f, name: 'user.a' },
        { op: 'listxattr', path: f },
        { op: 'getxattr', path: f, name: 'user.missing' },
        { op: 'setxattr', path: f, name: 'user.empty', value: '' },
        { op: 'getxattr', path: f, name: 'user.empty' },
      ]).then((outcomes) => outcomes.map((outcome) => ('ok' in outcome && outcome.ok === big ? { ok: `${big.length} × v` } : outcome)));
    },
    verify(reference) {
      expect(reference).toEqual([
        { ok: null }, { ok: null }, { ok: 'one' }, { ok: ['user.a', 'user.b'] },
        { errno: 'EEXIST' }, { errno: 'ENODATA' }, { ok: null }, { ok: 'two' }, { ok: 'two' },
        { ok: null }, { errno: 'ENODATA' }, { errno: 'ENODATA' }, { ok: ['user.b'] }, { errno: 'ENODATA' },
        { ok: null }, { ok: '' },
      ]);
    },
  },
];
