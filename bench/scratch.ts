/**
 * The scratch root: the only place the suite writes besides --out. Every mount, lower directory, log
 * and pid file of a run lives in <root>/run-<pid>/, and <root>/lock keeps two runs from overlapping.
 * `cleanup` uses the same layout to find what a killed run left behind, and touches nothing else.
 */
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { UserError } from './errors.js';
import { abortFuseConnection } from './fusectl.js';
import { processAlive, processCommandLine, readMounts, terminate, unmount } from './system.js';

export function scratchRoot(): string {
  return path.resolve(process.env.FUSEBENCH_SCRATCH ?? '/tmp/fusebench');
}

export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

export interface RunDirectory {
  root: string;
  dir: string;
  /** Records a process the suite started, so `cleanup` can end it if this run is killed. */
  recordPid(pid: number): void;
  /** A fresh directory inside the run directory. */
  subdir(...names: string[]): string;
}

export function createRunDirectory(root = scratchRoot()): RunDirectory {
  const dir = path.join(root, `run-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const pidsFile = path.join(dir, 'pids');
  return {
    root,
    dir,
    recordPid: (pid) => appendFileSync(pidsFile, `${pid}\n`),
    subdir: (...names) => {
      const sub = path.join(dir, ...names);
      mkdirSync(sub, { recursive: true });
      return sub;
    },
  };
}

/** Takes <root>/lock for this process; a lock whose holder is gone is taken over, after cleanup. */
export async function acquireLock(root = scratchRoot()): Promise<() => void> {
  mkdirSync(root, { recursive: true });
  const lockFile = path.join(root, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        if (readLockHolder(lockFile) === process.pid) rmSync(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLockHolder(lockFile);
      if (holder !== undefined && holder !== process.pid && processAlive(holder)) {
        throw new UserError(
          `another benchmark run (pid ${holder}) holds ${lockFile}`,
          'Wait for it to finish; two runs on one machine would disturb each other\'s numbers.',
        );
      }
      await cleanupLeftovers(root, () => {});
    }
  }
  throw new UserError(`could not take the lock ${lockFile}`);
}

function readLockHolder(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    return Number.isFinite(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes what runs that are no longer alive left in the scratch root: mounts (deepest first, FUSE
 * connections aborted so a hung daemon cannot block), processes they recorded (only if the pid still
 * runs a program the suite starts), their directories and a stale lock. Leaves live runs alone.
 */
export async function cleanupLeftovers(root = scratchRoot(), log: (line: string) => void = console.log): Promise<number> {
  if (!existsSync(root)) return 0;
  let removed = 0;
  const runDirs = readdirSync(root)
    .filter((name) => /^run-\d+$/.test(name))
    .filter((name) => !processAlive(Number(name.slice(4))) || Number(name.slice(4)) === process.pid);
  for (const name of runDirs) {
    const dir = path.join(root, name);
    const pidsFile = path.join(dir, 'pids');
    const pids = existsSync(pidsFile) ? readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    for (const pid of pids) {
      const command = processCommandLine(pid).join(' ');
      if (processAlive(pid) && /fusebench|fio|passthrough_ll|fuse/.test(command)) {
        log(`ending leftover process ${pid} (${command.slice(0, 80)})`);
        await terminate(pid);
        removed++;
      }
    }
    const mounts = readMounts()
      .filter((entry) => isInside(entry.mountpoint, dir))
      .sort((a, b) => b.mountpoint.length - a.mountpoint.length);
    for (const entry of mounts) {
      if (entry.fsType.startsWith('fuse')) await abortFuseConnection(entry.device);
      log(`unmounting leftover ${entry.fsType} at ${entry.mountpoint}`);
      await unmount(entry.mountpoint);
      removed++;
    }
    if (readMounts().some((entry) => isInside(entry.mountpoint, dir))) {
      log(`left ${dir} in place: something is still mounted below it`);
      continue;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const lockFile = path.join(root, 'lock');
  const holder = readLockHolder(lockFile);
  if (existsSync(lockFile) && (holder === undefined || !processAlive(holder))) {
    rmSync(lockFile, { force: true });
    log('removed a stale lock');
    removed++;
  }
  return removed;
}
