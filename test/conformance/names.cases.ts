/**
 * Names: rename (plain, over a file, NOREPLACE, EXCHANGE, over an open file), link and unlink of a
 * file held open, symlinks, mkdir/rmdir, and readdir of 10,000 entries with resumed offsets.
 */
import { writeFileSync } from 'node:fs';
import { link, lstat, mkdir, open, opendir, readdir, readFile, readlink, rename, rmdir, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { ConformanceCase } from './harness.js';
import { attempt, hex, py, type Outcome } from './ops.js';

// renameat2(2) flags from <linux/fs.h>.
const RENAME_NOREPLACE = 1;
const RENAME_EXCHANGE = 2;

const READDIR_ENTRIES = 10_000;

const contentOf = (file: string) => attempt(() => readFile(file, 'utf8'));

/** Names listed, as counts: how many of the expected appear, how many twice, how many strangers. */
function tally(listed: string[], expected: Set<string>) {
  const seen = new Map<string, number>();
  for (const name of listed) seen.set(name, (seen.get(name) ?? 0) + 1);
  return {
    listed: listed.length,
    missing: [...expected].filter((name) => !seen.has(name)).length,
    duplicated: [...seen].filter(([, count]) => count > 1).map(([name]) => name).slice(0, 5),
    unexpected: [...seen.keys()].filter((name) => !expected.has(name) && name !== '.' && name !== '..').slice(0, 5),
    dotEntries: ['.', '..'].filter((name) => seen.has(name)),
  };
}

export const namesCases: ConformanceCase[] = [
  {
    name: 'rename moves a name, and replaces an existing target',
    async run({ dir }) {
      await writeFile(path.join(dir, 'a'), 'A');
      await writeFile(path.join(dir, 'b'), 'B');
      await mkdir(path.join(dir, 'sub'));
      await mkdir(path.join(dir, 'emptydir'));
      const first = await attempt(() => rename(path.join(dir, 'a'), path.join(dir, 'sub', 'moved')));
      const over = await attempt(() => rename(path.join(dir, 'b'), path.join(dir, 'sub', 'moved')));
      const missing = await attempt(() => rename(path.join(dir, 'a'), path.join(dir, 'c')));
      const fileOverDir = await attempt(() => rename(path.join(dir, 'sub', 'moved'), path.join(dir, 'emptydir')));
      const dirIntoItself = await attempt(() => rename(path.join(dir, 'sub'), path.join(dir, 'sub', 'inner')));
      return { first, over, missing, fileOverDir, dirIntoItself, moved: await contentOf(path.join(dir, 'sub', 'moved')), a: await contentOf(path.join(dir, 'a')), listing: (await readdir(dir)).sort() };
    },
    verify(reference) {
      expect(reference).toEqual({
        first: { ok: undefined }, over: { ok: undefined }, missing: { errno: 'ENOENT' }, fileOverDir: { errno: 'EISDIR' },
        dirIntoItself: { errno: 'EINVAL' }, moved: { ok: 'B' }, a: { errno: 'ENOENT' }, listing: ['emptydir', 'sub'],
      });
    },
  },

  {
    name: 'RENAME_NOREPLACE refuses an existing target with EEXIST and moves to a new one',
    async run({ dir }) {
      await writeFile(path.join(dir, 'src'), 'S');
      await writeFile(path.join(dir, 'dst'), 'D');
      const outcomes = await py([
        { op: 'renameat2', old: path.join(dir, 'src'), new: path.join(dir, 'dst'), flags: RENAME_NOREPLACE },
        { op: 'renameat2', old: path.join(dir, 'src'), new: path.join(dir, 'new'), flags: RENAME_NOREPLACE },
      ]);
      return { outcomes, dst: await contentOf(path.join(dir, 'dst')), new: await contentOf(path.join(dir, 'new')), src: await contentOf(path.join(dir, 'src')) };
    },
    verify(reference) {
      expect(reference).toEqual({ outcomes: [{ errno: 'EEXIST' }, { ok: 0 }], dst: { ok: 'D' }, new: { ok: 'S' }, src: { errno: 'ENOENT' } });
    },
  },

  {
    name: 'RENAME_EXCHANGE swaps a file and a directory atomically; with a missing name ENOENT',
    async run({ dir }) {
      await writeFile(path.join(dir, 'x'), 'X');
      await mkdir(path.join(dir, 'y'));
      await writeFile(path.join(dir, 'y', 'inside'), 'I');
      const outcomes = await py([
        { op: 'renameat2', old: path.join(dir, 'x'), new: path.join(dir, 'y'), flags: RENAME_EXCHANGE },
        { op: 'renameat2', old: path.join(dir, 'x'), new: path.join(dir, 'nothing'), flags: RENAME_EXCHANGE },
        { op: 'renameat2', old: path.join(dir, 'x'), new: path.join(dir, 'y'), flags: RENAME_EXCHANGE | RENAME_NOREPLACE },
      ]);
      return {
        outcomes,
        y: await contentOf(path.join(dir, 'y')),
        xInside: await contentOf(path.join(dir, 'x', 'inside')),
        xIsDir: (await stat(path.join(dir, 'x'))).isDirectory(),
      };
    },
    verify(reference) {
      expect(reference).toEqual({ outcomes: [{ ok: 0 }, { errno: 'ENOENT' }, { errno: 'EINVAL' }], y: { ok: 'X' }, xInside: { ok: 'I' }, xIsDir: true });
    },
  },

  {
    name: 'rename over an open file: the old fd still reads the old content',
    async run({ dir, lowerDir }) {
      await writeFile(path.join(dir, 'target'), 'OLD content');
      await writeFile(path.join(dir, 'incoming'), 'NEW');
      const held = await open(path.join(dir, 'target'), 'r');
      await rename(path.join(dir, 'incoming'), path.join(dir, 'target'));
      const buffer = Buffer.alloc(64);
      const { bytesRead } = await held.read(buffer, 0, 64, 0);
      const heldNlink = (await held.stat()).nlink;
      await held.close();
      return { heldReads: buffer.subarray(0, bytesRead).toString(), heldNlink, byName: await contentOf(path.join(dir, 'target')), lower: await contentOf(path.join(lowerDir, 'target')) };
    },
    verify(reference) {
      expect(reference).toEqual({ heldReads: 'OLD content', heldNlink: 0, byName: { ok: 'NEW' }, lower: { ok: 'NEW' } });
    },
  },

  {
    name: 'link and unlink with the file held open: nlink counts, the fd keeps reading and writing',
    async run({ dir }) {
      const f = path.join(dir, 'f');
      const g = path.join(dir, 'g');
      await writeFile(f, 'linked');
      const held = await open(f, 'r+');
      await link(f, g);
      const afterLink = { f: (await stat(f)).nlink, g: (await stat(g)).nlink, fd: (await held.stat()).nlink };
      const linkExisting = await attempt(() => link(f, g));
      await unlink(f);
      const afterFirstUnlink = (await held.stat()).nlink;
      const gContent = await contentOf(g);
      await unlink(g);
      const afterSecondUnlink = (await held.stat()).nlink;
      await held.write('LINK', 0);
      const buffer = Buffer.alloc(16);
      const { bytesRead } = await held.read(buffer, 0, 16, 0);
      await held.close();
      return { afterLink, linkExisting, afterFirstUnlink, gContent, afterSecondUnlink, fdReads: buffer.subarray(0, bytesRead).toString(), unlinkAgain: await attempt(() => unlink(g)), listing: await readdir(dir) };
    },
    verify(reference) {
      expect(reference).toEqual({
        afterLink: { f: 2, g: 2, fd: 2 }, linkExisting: { errno: 'EEXIST' }, afterFirstUnlink: 1, gContent: { ok: 'linked' },
        afterSecondUnlink: 0, fdReads: 'LINKed', unlinkAgain: { errno: 'ENOENT' }, listing: [],
      });
    },
  },

  {
    name: 'symlink and readlink: relative and absolute targets, dangling links, lstat',
    async run({ dir }) {
      await writeFile(path.join(dir, 'target'), 'through the link');
      await symlink('target', path.join(dir, 'rel'));
      await symlink('/nonexistent/fb-conformance', path.join(dir, 'dangling'));
      const long = 'd/'.repeat(1000) + 'end';
      await symlink(long, path.join(dir, 'long'));
      const relStat = await lstat(path.join(dir, 'rel'));
      return {
        readRel: await attempt(() => readlink(path.join(dir, 'rel'))),
        readDangling: await attempt(() => readlink(path.join(dir, 'dangling'))),
        readLongLength: (await readlink(path.join(dir, 'long'))).length,
        lstat: { symlink: relStat.isSymbolicLink(), size: relStat.size },
        follow: await contentOf(path.join(dir, 'rel')),
        statDangling: await attempt(() => stat(path.join(dir, 'dangling')).then(() => 'exists')),
        readlinkOnFile: await attempt(() => readlink(path.join(dir, 'target'))),
        symlinkExisting: await attempt(() => symlink('x', path.join(dir, 'rel'))),
      };
    },
    verify(reference) {
      expect(reference).toEqual({
        readRel: { ok: 'target' }, readDangling: { ok: '/nonexistent/fb-conformance' }, readLongLength: 2003,
        lstat: { symlink: true, size: 6 }, follow: { ok: 'through the link' }, statDangling: { errno: 'ENOENT' },
        readlinkOnFile: { errno: 'EINVAL' }, symlinkExisting: { errno: 'EEXIST' },
      });
    },
  },

  {
    name: 'mkdir and rmdir: modes, EEXIST, ENOENT, ENOTDIR, and ENOTEMPTY for a non-empty directory',
    async run({ dir }) {
      const d = path.join(dir, 'd');
      const made = await attempt(() => mkdir(d, { mode: 0o750 }));
      const mode = ((await stat(d)).mode & 0o7777).toString(8);
      const again = await attempt(() => mkdir(d));
      await writeFile(path.join(d, 'file'), 'x');
      await mkdir(path.join(dir, 'e'));
      await writeFile(path.join(dir, 'plain'), 'p');
      return {
        made,
        mode,
        again,
        nlinkBefore: (await stat(dir)).nlink,
        rmdirNonEmpty: await attempt(() => rmdir(d)),
        renameOverNonEmpty: await attempt(() => rename(path.join(dir, 'e'), d)),
        rmdirFile: await attempt(() => rmdir(path.join(dir, 'plain'))),
        mkdirUnderFile: await attempt(() => mkdir(path.join(dir, 'plain', 'x'))),
        unlinkDir: await attempt(() => unlink(d)),
        emptied: await attempt(() => unlink(path.join(d, 'file'))),
        rmdir: await attempt(() => rmdir(d)),
        rmdirAgain: await attempt(() => rmdir(d)),
        nlinkAfter: (await stat(dir)).nlink,
      };
    },
    verify(reference) {
      expect(reference).toEqual({
        made: { ok: undefined }, mode: '750', again: { errno: 'EEXIST' }, nlinkBefore: 4,
        rmdirNonEmpty: { errno: 'ENOTEMPTY' }, renameOverNonEmpty: { errno: 'ENOTEMPTY' }, rmdirFile: { errno: 'ENOTDIR' },
        mkdirUnderFile: { errno: 'ENOTDIR' }, unlinkDir: { errno: 'EISDIR' }, emptied: { ok: undefined },
        rmdir: { ok: undefined }, rmdirAgain: { errno: 'ENOENT' }, nlinkAfter: 3,
      });
    },
  },

  {
    name: 'readdir of 10,000 entries lists every name exactly once, with small and large getdents buffers',
    timeoutMs: 180_000,
    async run({ dir, lowerDir }) {
      const names = new Set<string>();
      // Names of varied length, so entries straddle buffer and page boundaries differently.
      for (let i = 0; i < READDIR_ENTRIES; i++) names.add(`e${i}-${'n'.repeat(i % 97)}`);
      // Made on the lower: this case is about listing, not about 10,000 CREATEs.
      for (const name of names) writeFileSync(path.join(lowerDir, name), '');
      const [scandir, small, large] = (await py([
        { op: 'scandir', path: dir },
        { op: 'getdents', path: dir, bufferBytes: 512 },
        { op: 'getdents', path: dir, bufferBytes: 65536 },
      ])) as Outcome<any>[];
      const listed: string[] = [];
      const handle = await opendir(dir, { bufferSize: 1 });
      for await (const entry of handle) listed.push(entry.name);
      const ok = (outcome: Outcome<any> | undefined) => (outcome && 'ok' in outcome ? outcome.ok : outcome);
      return {
        scandir: 'ok' in scandir! ? tally(scandir.ok as string[], names) : scandir,
        getdents512: 'ok' in small! ? { ...tally(ok(small).names, names), manyCalls: ok(small).calls > 100 } : small,
        getdents64k: 'ok' in large! ? tally(ok(large).names, names) : large,
        nodeOpendir: tally(listed, names),
      };
    },
    verify(reference) {
      const clean = { listed: READDIR_ENTRIES, missing: 0, duplicated: [], unexpected: [], dotEntries: [] };
      const withDots = { ...clean, listed: READDIR_ENTRIES + 2, dotEntries: ['.', '..'] };
      expect(reference).toEqual({ scandir: clean, getdents512: { ...withDots, manyCalls: true }, getdents64k: withDots, nodeOpendir: clean });
    },
  },

  {
    name: 'unlink of a name in a directory another fd is reading: the listing stays consistent',
    async run({ dir }) {
      for (let i = 0; i < 300; i++) await writeFile(path.join(dir, `f${i}`), hex(String(i)));
      const handle = await opendir(dir, { bufferSize: 32 });
      const seen: string[] = [];
      let removed = false;
      for await (const entry of handle) {
        seen.push(entry.name);
        if (!removed && seen.length === 50) {
          for (let i = 0; i < 300; i += 2) await unlink(path.join(dir, `f${i}`));
          removed = true;
        }
      }
      const unique = new Set(seen);
      const left = (await readdir(dir)).length;
      // POSIX leaves it open whether removed names still appear after the first read: count only what it fixes.
      const survivorsListedTwice = seen.filter((name, i) => seen.indexOf(name) !== i && Number(name.slice(1)) % 2 === 1);
      return {
        survivorsListedTwice: { count: survivorsListedTwice.length, first: survivorsListedTwice.slice(0, 5) },
        allSurvivorsListed: [...Array(150).keys()].every((i) => unique.has(`f${2 * i + 1}`)),
        left,
      };
    },
    verify(reference) {
      expect(reference).toEqual({ survivorsListedTwice: { count: 0, first: [] }, allSurvivorsListed: true, left: 150 });
    },
  },
];
