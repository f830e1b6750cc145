/**
 * The scratch root: the only place the suite writes besides --out. Every mount, lower directory, log
 * and pid file of a run lives in <root>/run-<pid>/, and <root>/lock keeps two runs from overlapping.
 * `cleanup` uses the same layout to find what a killed run left behind, and touches nothing else.
 */
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { throwIfInterrupted } from './cleanup.js';
import { removeLeftoverCgroups } from './cgroups.js';
import { UserError } from './errors.js';
import { abortFuseConnection } from './fusectl.js';
import { endProcessesReferencing } from './processes.js';
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
  throwIfInterrupted();
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
  throwIfInterrupted();
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

/** A run's directory (run-PID) or a backend probe's (probe-PID-…): the pid of the process that made it. */
function ownerOf(name: string): number | undefined {
  const match = /^(?:run|probe)-(\d+)(?:-|$)/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * Removes what runs that are no longer alive left in the scratch root: processes whose command line
 * names their directory or that they recorded (only if the pid still runs a program the suite starts),
 * mounts (deepest first, FUSE connections aborted so a hung daemon cannot block), their directories,
 * the daemons' cgroups with whatever still runs in them, and a stale lock. Leaves live runs alone.
 */
export async function cleanupLeftovers(root = scratchRoot(), log: (line: string) => void = console.log): Promise<number> {
  // What a daemon forked or daemonized into is ended with its cgroup, after the unmounts below.
  if (!existsSync(root)) return removeLeftoverCgroups(log);
  let removed = 0;
  const leftDirs = readdirSync(root).filter((name) => {
    const owner = ownerOf(name);
    return owner !== undefined && (owner === process.pid || !processAlive(owner));
  });
  for (const name of leftDirs) {
    const dir = path.join(root, name);
    removed += await endRecordedProcesses(dir, log);
    removed += await removeRunDirectory(dir, log);
  }
  removed += await removeLeftoverCgroups(log);
  const lockFile = path.join(root, 'lock');
  const holder = readLockHolder(lockFile);
  if (existsSync(lockFile) && (holder === undefined || !processAlive(holder))) {
    rmSync(lockFile, { force: true });
    log('removed a stale lock');
    removed++;
  }
  return removed;
}

/** The processes a run recorded in its pids file that still run a program the suite starts. */
async function endRecordedProcesses(dir: string, log: (line: string) => void): Promise<number> {
  const pidsFile = path.join(dir, 'pids');
  const pids = existsSync(pidsFile) ? readFileSync(pidsFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
  let ended = 0;
  for (const pid of pids) {
    const command = processCommandLine(pid).join(' ');
    if (processAlive(pid) && /fusebench|fio|passthrough_ll|fuse|bpftrace|qemu-system/.test(command)) {
      log(`ending leftover process ${pid} (${command.slice(0, 80)})`);
      await terminate(pid);
      ended++;
    }
  }
  return ended;
}

/**
 * Empties and removes one run's directory: ends the processes that still work in it, aborts the FUSE
 * connections and removes the mounts below it (deepest first), and deletes it only when nothing is
 * mounted there any more, so a recursive delete can never reach into a mounted file system.
 */
export async function removeRunDirectory(dir: string, log: (line: string) => void = () => {}): Promise<number> {
  let removed = await endProcessesReferencing(dir, log);
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
    return removed;
  }
  rmSync(dir, { recursive: true, force: true });
  return removed;
}

/** Removes the run and probe directories of this process (what a signal may have left half-way). */
export async function removeOwnDirectories(root = scratchRoot(), log: (line: string) => void = () => {}): Promise<void> {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root).filter((entry) => ownerOf(entry) === process.pid)) await removeRunDirectory(path.join(root, name), log);
}

/** A fresh directory for a backend's probe mount, named so that cleanup knows whose it is. */
export function probeDirectory(backend: string, root = scratchRoot()): string {
  mkdirSync(root, { recursive: true });
  return mkdtempSync(path.join(root, `probe-${process.pid}-${backend}-`));
}
