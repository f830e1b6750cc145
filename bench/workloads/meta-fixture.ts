/**
 * The files a metadata op works on (meta-<workload>/ on the mount), made and removed through the
 * mount, untimed, with every call tallied so a run can say what else its collectors saw.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { MetaWorkload } from './meta.js';

export const BLOCK = 4096;

/** Paths of a workload's fixture, relative to the mountpoint. */
export function fixtureLayout(name: string) {
  const dir = `meta-${name}`;
  return {
    dir,
    /** 4 KiB file: stat, open-close and write-fsync use it. */
    file: path.join(dir, 'file'),
    missing: path.join(dir, 'missing'),
    created: path.join(dir, 'created'),
    renameA: path.join(dir, 'rename-a'),
    renameB: path.join(dir, 'rename-b'),
    /** readdir lists this directory of dirEntries empty files. */
    entries: path.join(dir, 'entries'),
  };
}

/** Calls on the mount that are not timed, tallied so the run can say what else the collectors saw. */
export class Tally {
  calls = 0;
  add(n = 1) {
    this.calls += n;
  }
}

export function removeTree(dir: string, tally: Tally): void {
  if (!existsSync(dir)) return;
  tally.add(2);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) removeTree(full, tally);
    else {
      unlinkSync(full);
      tally.add();
    }
  }
  rmdirSync(dir);
  tally.add();
}

export function createFile(file: string, bytes: number, tally: Tally): void {
  const fd = openSync(file, 'w');
  try {
    if (bytes > 0) {
      writeSync(fd, Buffer.alloc(bytes, 0x5a));
      tally.add();
    }
  } finally {
    closeSync(fd);
    tally.add(2);
  }
}

/** Makes the fixture the op needs (and only that), after removing what a killed run left behind. */
export function prepareFixture(mountpoint: string, workload: MetaWorkload, tally = new Tally()): Tally {
  const at = (relative: string) => path.join(mountpoint, relative);
  const layout = fixtureLayout(workload.name);
  removeTree(at(layout.dir), tally);
  mkdirSync(at(layout.dir));
  tally.add();
  switch (workload.op) {
    case 'stat':
    case 'open-close':
    case 'write-fsync':
      createFile(at(layout.file), BLOCK, tally);
      break;
    case 'rename':
      createFile(at(layout.renameA), BLOCK, tally);
      break;
    case 'readdir':
      mkdirSync(at(layout.entries));
      tally.add();
      for (let index = 0; index < workload.dirEntries; index++) createFile(path.join(at(layout.entries), `e${index}`), 0, tally);
      break;
    case 'stat-missing':
    case 'create-unlink':
      break;
  }
  return tally;
}

