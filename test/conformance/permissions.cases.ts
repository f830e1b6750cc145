/**
 * Permissions as a non-root user (uid/gid 65534, no supplementary groups): the daemon runs with
 * default_permissions and allow_other, so the kernel checks modes as on bind.
 */
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { ConformanceCase } from './harness.js';
import { attempt, hex, py } from './ops.js';

export const NOBODY = { uid: 65534, gid: 65534 };

const owner = (file: string) =>
  attempt(async () => {
    const st = await stat(file);
    return `${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}`;
  });

export const permissionsCases: ConformanceCase[] = [
  {
    name: 'uid 65534: a 0600 root file is EACCES, a 0644 one reads, writing it is EACCES',
    async run({ dir, lowerDir }) {
      await writeFile(path.join(lowerDir, 'secret'), 'secret');
      await chmod(path.join(lowerDir, 'secret'), 0o600);
      await writeFile(path.join(lowerDir, 'public'), 'public');
      await chmod(path.join(lowerDir, 'public'), 0o644);
      return py(
        [
          { op: 'open', path: path.join(dir, 'secret'), flags: ['O_RDONLY'], as: 's' },
          { op: 'open', path: path.join(dir, 'public'), flags: ['O_RDONLY'] },
          { op: 'read', length: 100 },
          { op: 'open', path: path.join(dir, 'public'), flags: ['O_WRONLY'], as: 'w' },
          { op: 'access', path: path.join(dir, 'public'), mode: 4 },
          { op: 'access', path: path.join(dir, 'secret'), mode: 4 },
          { op: 'chmod', path: path.join(dir, 'public'), mode: 0o666 },
          { op: 'stat', path: path.join(dir, 'secret') },
        ],
        NOBODY,
      ).then((outcomes) => outcomes.map((outcome, i) => (i === 7 && 'ok' in outcome ? { ok: 'stat works' } : outcome)));
    },
    verify(reference) {
      expect(reference).toEqual([
        { errno: 'EACCES' }, { ok: null }, { ok: hex('public') }, { errno: 'EACCES' }, { ok: true }, { ok: false }, { errno: 'EPERM' }, { ok: 'stat works' },
      ]);
    },
  },

  {
    name: 'uid 65534 creating in a 0777 directory owns the new file and directory; not in a 0755 one',
    async run({ dir, lowerDir }) {
      await mkdir(path.join(lowerDir, 'drop'));
      await chmod(path.join(lowerDir, 'drop'), 0o777);
      const outcomes = await py(
        [
          { op: 'open', path: path.join(dir, 'drop', 'mine'), flags: ['O_WRONLY', 'O_CREAT', 'O_EXCL'], mode: 0o640 },
          { op: 'write', hex: hex('by nobody') },
          { op: 'close' },
          { op: 'mkdir', path: path.join(dir, 'drop', 'subdir'), mode: 0o750 },
          { op: 'open', path: path.join(dir, 'not-mine'), flags: ['O_WRONLY', 'O_CREAT'] },
          { op: 'mkdir', path: path.join(dir, 'nodir') },
        ],
        NOBODY,
      );
      return {
        outcomes,
        file: await owner(path.join(dir, 'drop', 'mine')),
        fileOnLower: await owner(path.join(lowerDir, 'drop', 'mine')),
        subdir: await owner(path.join(dir, 'drop', 'subdir')),
      };
    },
    verify(reference) {
      expect(reference).toEqual({
        outcomes: [{ ok: null }, { ok: 9 }, { ok: null }, { ok: null }, { errno: 'EACCES' }, { errno: 'EACCES' }],
        file: { ok: '65534:65534 640' }, fileOnLower: { ok: '65534:65534 640' }, subdir: { ok: '65534:65534 750' },
      });
    },
  },

  {
    name: "uid 65534 in a sticky 01777 directory: cannot remove root's file, can remove its own",
    async run({ dir, lowerDir }) {
      await mkdir(path.join(lowerDir, 'tmp'));
      await chmod(path.join(lowerDir, 'tmp'), 0o1777);
      await writeFile(path.join(lowerDir, 'tmp', 'roots'), 'r');
      await chmod(path.join(lowerDir, 'tmp', 'roots'), 0o666);
      return py(
        [
          { op: 'unlink', path: path.join(dir, 'tmp', 'roots') },
          { op: 'open', path: path.join(dir, 'tmp', 'own'), flags: ['O_WRONLY', 'O_CREAT'] },
          { op: 'close' },
          { op: 'unlink', path: path.join(dir, 'tmp', 'own') },
          { op: 'open', path: path.join(dir, 'tmp', 'roots'), flags: ['O_WRONLY', 'O_TRUNC'] },
        ],
        NOBODY,
      );
    },
    verify(reference) {
      // Opening root's 0666 file without O_CREAT is allowed (protected_regular concerns O_CREAT only).
      expect(reference).toEqual([{ errno: 'EPERM' }, { ok: null }, { ok: null }, { ok: null }, { ok: null }]);
    },
  },
];
