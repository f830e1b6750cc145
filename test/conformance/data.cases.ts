/**
 * Data: what is written is what is read back, through the mount and on the lower, at page-boundary
 * sizes, sparse offsets past 4 GiB, with O_APPEND, truncate, fallocate, SEEK_DATA/SEEK_HOLE and
 * copy_file_range.
 */
import { open, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { ConformanceCase } from './harness.js';
import { attempt, fileDigest, pattern, py, sha256 } from './ops.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

// fallocate(2) modes from <linux/falloc.h>.
const FALLOC_FL_KEEP_SIZE = 0x01;
const FALLOC_FL_PUNCH_HOLE = 0x02;
const FALLOC_FL_COLLAPSE_RANGE = 0x08;
const FALLOC_FL_ZERO_RANGE = 0x10;

/** Writes size bytes through the mount in chunks, reads them back through it and on the lower. */
async function roundTrip(file: string, lowerFile: string, size: number) {
  const chunk = 8 * MiB;
  const data = pattern(size, size);
  const handle = await open(file, 'w');
  try {
    for (let offset = 0; offset < size; offset += chunk) await handle.write(data, offset, Math.min(chunk, size - offset), offset);
  } finally {
    await handle.close();
  }
  return { statSize: (await stat(file)).size, mount: await fileDigest(file), lower: await fileDigest(lowerFile) };
}

const sizeCase = (label: string, size: number, heavy = false): ConformanceCase => ({
  name: `write then read ${label} (${size} bytes): same sha256 through the mount and on the lower`,
  heavy,
  timeoutMs: heavy ? 180_000 : undefined,
  run: ({ dir, lowerDir }) => roundTrip(path.join(dir, 'f'), path.join(lowerDir, 'f'), size),
  verify(reference) {
    const digest = sha256(pattern(size, size));
    expect(reference).toEqual({ statSize: size, mount: { size, sha256: digest }, lower: { size, sha256: digest } });
  },
});

export const dataCases: ConformanceCase[] = [
  sizeCase('0 bytes', 0),
  sizeCase('1 byte', 1),
  sizeCase('a page less one', 4095),
  sizeCase('one page', 4096),
  sizeCase('a page and one', 4097),
  sizeCase('1 MiB and one', MiB + 1),
  sizeCase('16 MiB', 16 * MiB),
  sizeCase('256 MiB', 256 * MiB, true),

  {
    name: 'a write at 5 GiB makes a sparse file: size, data there, zeros before, few blocks',
    async run({ dir, lowerDir }) {
      const file = path.join(dir, 'sparse');
      const data = pattern(4096, 5);
      const handle = await open(file, 'w+');
      const at = 5 * GiB;
      await handle.write(data, 0, data.length, at);
      const back = Buffer.alloc(4096);
      await handle.read(back, 0, 4096, at);
      const zeros = Buffer.alloc(4096, 1);
      await handle.read(zeros, 0, 4096, 4 * GiB + 12345);
      const st = await handle.stat();
      await handle.close();
      const lower = await stat(path.join(lowerDir, 'sparse'));
      const seeks = await py([
        { op: 'seek', path: file, whence: 'data', offset: 0 },
        { op: 'seek', path: file, whence: 'hole', offset: at },
      ]);
      return {
        size: st.size,
        lowerSize: lower.size,
        sameData: back.equals(data),
        zerosBefore: zeros.every((byte) => byte === 0),
        allocatedBytesUnder1MiB: st.blocks * 512 < MiB,
        seeks,
      };
    },
    verify(reference) {
      expect(reference).toEqual({
        size: 5 * GiB + 4096,
        lowerSize: 5 * GiB + 4096,
        sameData: true,
        zerosBefore: true,
        allocatedBytesUnder1MiB: true,
        seeks: [{ ok: 5 * GiB }, { ok: 5 * GiB + 4096 }],
      });
    },
  },

  {
    name: 'O_APPEND from two fds: every write lands at the end, in order',
    async run({ dir, lowerDir }) {
      const file = path.join(dir, 'log');
      await writeFile(file, 'start\n');
      const a = await open(file, 'a');
      const b = await open(file, 'a');
      for (let i = 0; i < 4; i++) {
        await a.write(`a${i}-${'x'.repeat(1000)}\n`);
        await b.write(`b${i}-${'y'.repeat(100)}\n`);
      }
      // A positional write on an O_APPEND fd still appends on Linux (pwrite(2) BUGS).
      await a.write('positional\n', 0);
      await a.close();
      await b.close();
      const text = await readFile(file, 'utf8');
      return { lines: text.split('\n').map((line) => line.slice(0, 3)), size: text.length, lowerSha: sha256(await readFile(path.join(lowerDir, 'log'))) };
    },
    verify(reference) {
      expect(reference.lines).toEqual(['sta', 'a0-', 'b0-', 'a1-', 'b1-', 'a2-', 'b2-', 'a3-', 'b3-', 'pos', '']);
    },
  },

  {
    name: 'truncate down then up: prefix kept, the extension reads as zeros',
    async run({ dir }) {
      const file = path.join(dir, 't');
      const data = pattern(10_000, 7);
      await writeFile(file, data);
      const handle = await open(file, 'r+');
      await handle.truncate(3000);
      const afterDown = (await handle.stat()).size;
      await truncate(file, 8192);
      const content = await readFile(file);
      await handle.write(Buffer.from('tail'), 0, 4, 9000);
      const afterWrite = await readFile(file);
      await handle.close();
      return {
        afterDown,
        afterUp: content.length,
        prefixKept: content.subarray(0, 3000).equals(data.subarray(0, 3000)),
        zeros: content.subarray(3000).every((byte) => byte === 0),
        afterWrite: { size: afterWrite.length, sha256: sha256(afterWrite) },
        truncateMissing: await attempt(() => truncate(path.join(dir, 'missing'), 1)),
      };
    },
    verify(reference) {
      expect(reference).toMatchObject({ afterDown: 3000, afterUp: 8192, prefixKept: true, zeros: true, truncateMissing: { errno: 'ENOENT' } });
    },
  },

  {
    name: 'fallocate: allocate, keep-size, punch hole; zero-range and collapse as the lower answers',
    async run({ dir, lowerDir }) {
      const f = path.join(dir, 'fa');
      await writeFile(path.join(dir, 'keep'), pattern(4096, 1));
      await writeFile(path.join(dir, 'punch'), pattern(256 * KiB, 2));
      const keep = path.join(dir, 'keep');
      const punch = path.join(dir, 'punch');
      const outcomes = await py([
        { op: 'fallocate', path: f, mode: 0, offset: 0, length: MiB },
        { op: 'stat', path: f },
        { op: 'fallocate', path: keep, mode: FALLOC_FL_KEEP_SIZE, offset: 0, length: 64 * KiB },
        { op: 'stat', path: keep },
        { op: 'fallocate', path: punch, mode: FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset: 64 * KiB, length: 64 * KiB },
        { op: 'stat', path: punch },
        { op: 'seek', path: punch, whence: 'hole', offset: 0 },
        { op: 'seek', path: punch, whence: 'data', offset: 64 * KiB },
        { op: 'fallocate', path: punch, mode: FALLOC_FL_ZERO_RANGE, offset: 0, length: 4096 },
        { op: 'fallocate', path: punch, mode: FALLOC_FL_COLLAPSE_RANGE, offset: 0, length: 64 * KiB },
        { op: 'fallocate', path: punch, mode: FALLOC_FL_PUNCH_HOLE, offset: 0, length: 4096 },
      ]);
      const summary = outcomes.map((outcome) => ('ok' in outcome && outcome.ok && typeof outcome.ok === 'object' ? { size: (outcome.ok as { size: number }).size, blocks: (outcome.ok as { blocks: number }).blocks } : outcome));
      const punched = await readFile(punch);
      return {
        outcomes: summary,
        punchedReadsZeros: punched.subarray(64 * KiB, 128 * KiB).every((byte) => byte === 0),
        restKept: punched.subarray(128 * KiB).equals(pattern(256 * KiB, 2).subarray(128 * KiB)),
        lowerPunchedSha: sha256(await readFile(path.join(lowerDir, 'punch'))),
      };
    },
    verify(reference) {
      expect(reference.outcomes.slice(0, 8)).toEqual([
        { ok: 0 }, { size: MiB, blocks: 2048 },
        { ok: 0 }, { size: 4096, blocks: 128 },
        { ok: 0 }, { size: 256 * KiB, blocks: 384 },
        { ok: 64 * KiB }, { ok: 128 * KiB },
      ]);
      // vfs_fallocate() refuses PUNCH_HOLE without KEEP_SIZE with EOPNOTSUPP, before the file system.
      expect(reference.outcomes[10]).toEqual({ errno: 'ENOTSUP' });
      expect(reference).toMatchObject({ punchedReadsZeros: true, restKept: true });
    },
  },

  {
    name: 'SEEK_DATA and SEEK_HOLE walk data, hole, data, and ENXIO past the end',
    async run({ dir }) {
      const file = path.join(dir, 'holes');
      const handle = await open(file, 'w');
      await handle.write(pattern(64 * KiB, 3), 0, 64 * KiB, 0);
      await handle.write(pattern(4096, 4), 0, 4096, MiB);
      await handle.close();
      return py([
        { op: 'seek', path: file, whence: 'data', offset: 0 },
        { op: 'seek', path: file, whence: 'hole', offset: 0 },
        { op: 'seek', path: file, whence: 'data', offset: 64 * KiB },
        { op: 'seek', path: file, whence: 'hole', offset: MiB },
        { op: 'seek', path: file, whence: 'data', offset: MiB + 4096 },
        { op: 'seek', path: file, whence: 'hole', offset: MiB + 8192 },
        { op: 'seek', path: file, whence: 'end', offset: 0 },
      ]);
    },
    verify(reference) {
      expect(reference).toEqual([
        { ok: 0 }, { ok: 64 * KiB }, { ok: MiB }, { ok: MiB + 4096 }, { errno: 'ENXIO' }, { errno: 'ENXIO' }, { ok: MiB + 4096 },
      ]);
    },
  },

  {
    name: 'copy_file_range copies a range between offsets, and a whole file',
    async run({ dir, lowerDir }) {
      const src = path.join(dir, 'src');
      const data = pattern(MiB + 123, 9);
      await writeFile(src, data);
      await writeFile(path.join(dir, 'dst'), Buffer.alloc(4096, 0x61));
      const outcomes = await py([
        { op: 'copy_file_range', src, dst: path.join(dir, 'dst'), count: 300_000, srcOffset: 4096, dstOffset: 8192 },
        { op: 'copy_file_range', src, dst: path.join(dir, 'whole'), count: data.length, srcOffset: 0, dstOffset: 0 },
      ]);
      const dst = await readFile(path.join(dir, 'dst'));
      return {
        outcomes,
        dst: { size: dst.length, sha256: sha256(dst) },
        dstLower: sha256(await readFile(path.join(lowerDir, 'dst'))),
        whole: await fileDigest(path.join(dir, 'whole')),
      };
    },
    verify(reference) {
      const data = pattern(MiB + 123, 9);
      const dst = Buffer.concat([Buffer.alloc(4096, 0x61), Buffer.alloc(4096), data.subarray(4096, 4096 + 300_000)]);
      expect(reference).toEqual({
        outcomes: [{ ok: 300_000 }, { ok: data.length }],
        dst: { size: dst.length, sha256: sha256(dst) },
        dstLower: sha256(dst),
        whole: { size: data.length, sha256: sha256(data) },
      });
    },
  },
];
