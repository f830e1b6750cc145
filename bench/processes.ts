/**
 * Every process this suite starts, in one place. Each spawn site hands its child to trackChild(), so
 * the cleanup after a signal or an error can end whatever still runs and wait for each process to be
 * gone (its exit event, which Node emits once the process is reaped) before the mounts, the scratch
 * directory and the lock go.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface TrackedChild {
  pid: number;
  label: string;
  exited: Promise<void>;
}

const children = new Map<number, TrackedChild>();

/** What trackChild needs of a child: Node's ChildProcess and execa's subprocess both have it. */
interface SpawnedChild {
  readonly pid?: number | undefined;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  once(event: 'exit', listener: () => void): unknown;
}

/** Registers a child this process spawned; returns it unchanged so spawn sites stay one expression. */
export function trackChild<T extends SpawnedChild>(child: T, label: string): T {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return child;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  children.set(pid, { pid, label, exited });
  void exited.then(() => children.delete(pid));
  return child;
}

/** Children that have not exited yet, as "label (pid)". */
export function liveChildren(): string[] {
  return [...children.values()].map((child) => `${child.label} (${child.pid})`);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie whose parent is gone and not reaped by init has exited for every purpose here.
  return processState(pid) !== 'Z';
}

/** The one-letter state from /proc/PID/stat (R, S, D, Z…), undefined when the process is gone. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** VmHWM: a process's peak resident set since it started (its whole life, which covers the run). */
export function parsePeakRssKiB(status: string): number | undefined {
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

/** A live process's VmHWM in KiB, undefined when it is gone (or a kernel thread). */
export function peakRssKiB(pid: number): number | undefined {
  try {
    return parsePeakRssKiB(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function processCommandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves true once the process is gone, false if it still runs after timeoutMs. */
async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const child = children.get(pid);
  if (child) {
    let timeout: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => (timeout = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([child.exited.then(() => true), expired]);
    } finally {
      clearTimeout(timeout);
    }
  }
  // Not our child (a run killed earlier left it, or a fork of one of ours): /proc is all there is to watch.
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(10);
  }
  return true;
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGTERM, wait up to graceMs for the process to go, then SIGKILL and wait for it to be gone. Only for
 * pids this suite started. Resolves once the process has exited (or after killWaitMs more, if even
 * SIGKILL does not end it, e.g. a task stuck in the kernel).
 */
export async function terminate(pid: number, graceMs = 3000, killWaitMs = 10_000): Promise<void> {
  if (!processAlive(pid) && !children.has(pid)) return;
  if (!signal(pid, 'SIGTERM')) return void (await waitForExit(pid, killWaitMs));
  if (await waitForExit(pid, graceMs)) return;
  signal(pid, 'SIGKILL');
  await waitForExit(pid, killWaitMs);
}

/**
 * Ends every tracked child still running, all at once, and waits for each to exit. Returns those
 * that did not (a report, never silence).
 */
export async function endAllChildren(graceMs = 3000): Promise<string[]> {
  const running = [...children.values()];
  await Promise.all(running.map((child) => terminate(child.pid, graceMs)));
  return running.filter((child) => children.has(child.pid)).map((child) => `${child.label} (${child.pid})`);
}

/** Live processes (other than this one) whose command line names path (a file) or something inside it (a directory). */
export function processesReferencing(target: string): number[] {
  const prefix = target.endsWith('/') ? target : `${target}/`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => pid !== process.pid && processCommandLine(pid).some((arg) => arg.includes(prefix) || arg === target))
    .filter(processAlive);
}

/**
 * Ends the processes whose command line names target (a directory, or a file): what a run started
 * that is not, or no longer, its child, such as the job processes fio forks, which outlive a fio
 * killed by SIGKILL, or everything of a run that was itself killed. The run directory's name (with
 * our pid) makes them ours.
 */
export async function endProcessesReferencing(target: string, log: (line: string) => void = () => {}): Promise<number> {
  const pids = processesReferencing(target);
  for (const pid of pids) log(`ending leftover process ${pid} (${processCommandLine(pid).join(' ').slice(0, 80)})`);
  await Promise.all(pids.map((pid) => terminate(pid)));
  return pids.length;
}
