/**
 * What an interrupted bench may leave behind, read from the system: the processes of the CLI's tree
 * (watched while it runs, since after a SIGKILL its children belong to init), mounts, tracefs entries,
 * the lock and the directories under the scratch root, and the runs.jsonl text.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isInside } from '../scratch.js';
import { readMounts } from '../system.js';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Clock ticks after boot; with the pid, it names one process even when pids are reused. */
  startTime: string;
  state: string;
  comm: string;
  cmdline: string;
}

export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, ppid: Number(fields[1]), startTime: fields[19] ?? '', state: fields[0] ?? '', comm: stat.slice(stat.indexOf('(') + 1, close), cmdline };
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) => {
      try {
        return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/** Every live descendant of pid. */
export function descendantsOf(pid: number): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  const queue = childrenOf(pid);
  while (queue.length > 0) {
    const next = queue.shift()!;
    const info = processInfo(next);
    if (!info) continue;
    found.push(info);
    queue.push(...childrenOf(next));
  }
  return found;
}

/** The same process still running (not a zombie, not a new process under a reused pid). */
export function stillRunning(process: ProcessInfo): boolean {
  const now = processInfo(process.pid);
  return now !== undefined && now.startTime === process.startTime && now.state !== 'Z';
}

/** Live processes whose command line names the scratch root. */
export function processesNaming(root: string): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .map((name) => processInfo(Number(name)))
    .filter((info): info is ProcessInfo => info !== undefined && info.state !== 'Z' && info.cmdline.includes(`${root}/`));
}

const TRACEFS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'].find((dir) => existsSync(path.join(dir, 'instances'))) ?? '/sys/kernel/tracing';

/** tracefs instances and dynamic (kprobe/uprobe) events: the tracing state a run could leave. */
export function tracefsEntries(): string[] {
  const instances = existsSync(path.join(TRACEFS, 'instances')) ? readdirSync(path.join(TRACEFS, 'instances')).map((name) => `instance ${name}`) : [];
  let events: string[] = [];
  try {
    events = readFileSync(path.join(TRACEFS, 'dynamic_events'), 'utf8').split('\n').filter(Boolean).map((line) => `event ${line}`);
  } catch {
    /* no dynamic events on this kernel */
  }
  return [...instances, ...events].sort();
}

export interface Leftovers {
  mounts: string[];
  processes: ProcessInfo[];
  tracefs: string[];
  lock: boolean;
  directories: string[];
}

/** What is left of the suite now: tracked are the processes seen in the CLI's tree while it ran. */
export function observeLeftovers(root: string, tracked: Iterable<ProcessInfo>): Leftovers {
  const processes = new Map<string, ProcessInfo>();
  for (const info of [...[...tracked].filter(stillRunning), ...processesNaming(root)]) processes.set(`${info.pid}:${info.startTime}`, info);
  return {
    mounts: readMounts().filter((entry) => isInside(entry.mountpoint, root)).map((entry) => `${entry.fsType} at ${entry.mountpoint}`),
    processes: [...processes.values()],
    tracefs: tracefsEntries(),
    lock: existsSync(path.join(root, 'lock')),
    directories: existsSync(root) ? readdirSync(root).filter((name) => /^(run|probe)-/.test(name)) : [],
  };
}

export function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
