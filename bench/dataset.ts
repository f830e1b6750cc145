/**
 * The data set: files of known size in the lower directory, made once per run and checked by size.
 * The bytes are pseudo-random, so no layer can shortcut zero pages or compress them.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from './errors.js';
import type { Profile } from './profiles.js';
import { parseSize } from './sizes.js';
import { seededRandom } from './stats.js';

export const DATA_DIR = 'data';

export interface Dataset {
  /** Relative to the lower directory (and so to every mount of it). */
  relativeFiles: string[];
  fileSizeBytes: number;
  totalBytes: number;
}

export function datasetFor(profile: Profile): Dataset {
  const fileSizeBytes = parseSize(profile.dataset.fileSize);
  const relativeFiles = Array.from({ length: profile.dataset.files }, (_, index) => path.join(DATA_DIR, `file${index}`));
  return { relativeFiles, fileSizeBytes, totalBytes: fileSizeBytes * relativeFiles.length };
}

/** Lower on tmpfs holds the data set in RAM: refuse a data set that would not leave room to breathe. */
export function checkMemoryFor(dataset: Dataset, lowerIsTmpfs: boolean, source: string): void {
  if (!lowerIsTmpfs) return;
  const available = os.freemem();
  const needed = dataset.totalBytes * 1.25 + 512 * 1024 * 1024;
  if (needed > available) {
    const gib = (bytes: number) => (bytes / 1024 ** 3).toFixed(1);
    throw new UserError(
      `${source}: the data set (${gib(dataset.totalBytes)} GiB on a tmpfs lower) needs about ${gib(needed)} GiB free memory; ${gib(available)} GiB is free`,
      'Use a smaller dataset.fileSize in the profile, or --lower DIR on a disk.',
    );
  }
}

const CHUNK = 1024 * 1024;

export function prepareDataset(lower: string, dataset: Dataset, seed = 1): void {
  mkdirSync(path.join(lower, DATA_DIR), { recursive: true });
  const chunk = Buffer.alloc(CHUNK);
  const random = seededRandom(seed);
  for (let offset = 0; offset < CHUNK; offset += 4) chunk.writeUInt32LE(Math.floor(random() * 2 ** 32), offset);
  for (const relative of dataset.relativeFiles) {
    const file = path.join(lower, relative);
    if (existsSync(file) && statSync(file).size === dataset.fileSizeBytes) continue;
    const fd = openSync(file, 'w');
    try {
      for (let written = 0; written < dataset.fileSizeBytes; ) {
        const length = Math.min(CHUNK, dataset.fileSizeBytes - written);
        // Vary each chunk a little so no two chunks are identical (dedup-proof, not just compress-proof).
        chunk.writeUInt32LE(written / CHUNK, 0);
        writeSync(fd, chunk, 0, length);
        written += length;
      }
    } finally {
      closeSync(fd);
    }
  }
  verifyDataset(lower, dataset);
}

export function verifyDataset(root: string, dataset: Dataset): void {
  for (const relative of dataset.relativeFiles) {
    const file = path.join(root, relative);
    const size = existsSync(file) ? statSync(file).size : -1;
    if (size !== dataset.fileSizeBytes) {
      throw new UserError(`data set file ${file} is ${size < 0 ? 'missing' : `${size} bytes`}, expected ${dataset.fileSizeBytes}`);
    }
  }
}

/** Warm cache: read every file once through the mount, so the run measures cached reads. */
export function warmDataset(mountpoint: string, dataset: Dataset): void {
  const buffer = Buffer.alloc(CHUNK);
  for (const relative of dataset.relativeFiles) {
    const fd = openSync(path.join(mountpoint, relative), 'r');
    try {
      while (readSync(fd, buffer, 0, CHUNK, null) > 0);
    } finally {
      closeSync(fd);
    }
  }
}
