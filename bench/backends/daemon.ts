/**
 * Starting, watching and ending a FUSE daemon. Shared by every backend whose mount is served by a
 * process: our daemon, libfuse's passthrough_ll, a user's external command. The contract: mount()
 * resolves only when the mount answers I/O; unmount() leaves nothing mounted and the process reaped,
 * and reports a daemon that died with its last stderr lines.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { commandInCgroup, createDaemonCgroup, type DaemonCgroup } from '../cgroups.js';
import { cleanups, type CleanupHandle } from '../cleanup.js';
import { errorMessage, UserError } from '../errors.js';
import { abortFuseConnection, ensureFusectl } from '../fusectl.js';
import { trackChild } from '../processes.js';
import { findMount, sleep, terminate, unmount as unmountPath } from '../system.js';
import type { Mount, UnmountResult } from './types.js';

const STDERR_LINES_KEPT = 40;

export interface DaemonProcess {
  pid: number;
  /** Set once the process has exited: how. */
  exit(): string | undefined;
  /** The last lines it wrote to stderr (and stdout). */
  tail(lines?: number): string;
  /** Resolves when the process exits. */
  exited: Promise<void>;
  child: ResultPromise;
  /** The daemon's own cgroup: every process it becomes, whether it forks or daemonizes. */
  cgroup?: DaemonCgroup;
  /** How its processes are told apart: its cgroup, or only the pid started (with the reason). */
  accounting: DaemonAccounting;
  /** A first process that exits 0 once the mount is up has daemonized; its cgroup (or mount) is the daemon. */
  mayDaemonize: boolean;
}

export type DaemonAccounting = { method: 'cgroup'; cgroup: string } | { method: 'pid'; reason: string };

/** One line for records, the report and doctor. */
export function describeAccounting(accounting: DaemonAccounting): string {
  return accounting.method === 'cgroup' ? `cgroup ${accounting.cgroup}` : `pid only: ${accounting.reason}`;
}

export interface StartDaemonOptions {
  command: string;
  args: string[];
  /** Give the daemon a pipe on fd 3 for its readiness line ("ready" or "error: …"). */
  readyFd?: boolean;
  onProcess?: (pid: number) => void;
  /**
   * Outlive this process (for `npm run mount`): own session, output to this file instead of pipes,
   * since a pipe would break when the CLI exits.
   */
  detachedLogFile?: string;
  /** The daemon may fork to the background once mounted (an external command): exit 0 then is not a death. */
  mayDaemonize?: boolean;
  /** Confine the daemon (and every thread and child it starts) to these CPUs: the profile's daemonCpus. */
  cpus?: string;
}

/** The program a command names, if it can be run: a path, or a name found on PATH. */
function findExecutable(command: string): string | undefined {
  const candidates = command.includes('/') ? [command] : (process.env.PATH ?? '').split(':').filter(Boolean).map((dir) => path.join(dir, command));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}

export function startDaemon(options: StartDaemonOptions): DaemonProcess {
  // Checked here, since behind the cgroup's shell a missing program would only be an exit status 127.
  if (!findExecutable(options.command)) throw new UserError(`could not start ${options.command}: no such executable file`);
  // taskset sets the affinity and execs, so the pid, the cgroup and the process are still the daemon's.
  const taskset = options.cpus === undefined ? undefined : findExecutable('taskset');
  if (options.cpus !== undefined && !taskset) throw new UserError('daemonCpus needs taskset, which is not installed (apt-get install util-linux)');
  const pinned = taskset ? { command: taskset, args: ['-c', options.cpus!, options.command, ...options.args] } : { command: options.command, args: options.args };
  const output = options.detachedLogFile ? ({ file: options.detachedLogFile, append: true } as const) : ('pipe' as const);
  // A daemon left for the user outlives the run, so it cannot live in the run's cgroup.
  const placement = options.detachedLogFile === undefined ? createDaemonCgroup(path.basename(options.command)) : { reason: 'left mounted for the user (npm run mount), outliving the run' };
  const cgroup = 'path' in placement ? placement : undefined;
  // Killed and removed after everything else a signal's cleanup does, so after the unmount (pushLast).
  const cgroupCleanup: CleanupHandle | undefined = cgroup ? cleanups.pushLast(`end cgroup ${cgroup.path}`, () => cgroup.end()) : undefined;
  const spawned = cgroup ? commandInCgroup(cgroup.procsFile, pinned.command, pinned.args) : pinned;
  const child = execa(spawned.command, spawned.args, {
    reject: false,
    stdio: options.readyFd ? ['ignore', output, output, 'pipe'] : ['ignore', output, output],
    buffer: false,
    detached: options.detachedLogFile !== undefined,
    // During a benchmark the daemon must outlive nothing; `cleanup` finds it by pid after a hard kill.
    cleanup: options.detachedLogFile === undefined,
  });
  if (child.pid === undefined) {
    void cgroupCleanup?.run();
    throw new UserError(`could not start ${options.command}`);
  }
  // A daemon for `npm run mount` is meant to outlive us; every other one is ended with the run.
  if (options.detachedLogFile === undefined) trackChild(child, path.basename(options.command));
  const pid = child.pid;
  options.onProcess?.(pid);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter((line) => line.trim() !== ''));
    if (lines.length > STDERR_LINES_KEPT) lines.splice(0, lines.length - STDERR_LINES_KEPT);
  };
  child.stderr?.on('data', keep);
  child.stdout?.on('data', keep);
  let exitDescription: string | undefined;
  const exited = child.then((result) => {
    exitDescription = result.signal ? `killed by ${result.signal}` : `exited with status ${result.exitCode}`;
    if (cgroup && result.exitCode === 126 && lines.some((line) => line.includes('cgroup.procs'))) exitDescription += ` (could not enter its cgroup ${cgroup.path})`;
  });
  return {
    pid,
    exit: () => exitDescription,
    tail: (count = 10) => lines.slice(-count).join('\n'),
    exited,
    child,
    // Ending it the ordinary way (unmountDaemon) takes its signal cleanup off the stack.
    cgroup: cgroup && {
      ...cgroup,
      end: async (timeoutMs?: number) => {
        cgroupCleanup?.dismiss();
        await cgroup.end(timeoutMs);
      },
    },
    accounting: cgroup ? { method: 'cgroup', cgroup: cgroup.path } : { method: 'pid', reason: (placement as { reason: string }).reason },
    mayDaemonize: options.mayDaemonize === true,
  };
}

/** What a Mount carries of its daemon, for the collectors and the record. */
export function daemonMountFields(daemon: DaemonProcess): Pick<Mount, 'daemonPid' | 'daemonCgroup' | 'daemonAccounting'> {
  // A daemonized daemon's first pid is gone: without a cgroup nothing of it is known any more.
  const daemonized = daemon.mayDaemonize && daemon.exit() !== undefined;
  return {
    ...(daemonized ? {} : { daemonPid: daemon.pid }),
    ...(daemon.cgroup ? { daemonCgroup: daemon.cgroup } : {}),
    daemonAccounting: describeAccounting(daemon.accounting),
  };
}

/** Waits for the daemon's readiness line on fd 3. */
export async function waitForReadyLine(daemon: DaemonProcess, timeoutMs: number): Promise<void> {
  const stream = daemon.child.stdio[3] as NodeJS.ReadableStream | undefined;
  if (!stream) throw new Error('daemon was started without a ready fd');
  let text = '';
  const line = new Promise<string>((resolve) => {
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.split('\n')[0]!);
    });
    stream.on('end', () => resolve(text.split('\n')[0] ?? ''));
  });
  const outcome = await Promise.race([
    line,
    daemon.exited.then(() => ''),
    sleep(timeoutMs).then(() => 'timeout'),
  ]);
  if (outcome === 'ready') return;
  if (outcome === 'timeout') throw new DaemonStartError(`daemon did not become ready within ${timeoutMs / 1000} s`, daemon);
  const reason = outcome.startsWith('error: ') ? outcome.slice('error: '.length) : `daemon ${daemon.exit() ?? 'closed its ready pipe'} before it was ready`;
  throw new DaemonStartError(reason, daemon);
}

/**
 * For daemons without a ready fd: poll until the mountpoint carries a FUSE mount and answers stat()
 * (which the kernel holds until INIT is answered), or the process dies.
 */
export async function waitForFuseMount(daemon: DaemonProcess, mountpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const entry = findMount(mountpoint);
    if (entry?.fsType.startsWith('fuse')) {
      statSync(mountpoint);
      return;
    }
    if (daemonGone(daemon)) break;
    await sleep(25);
  }
  throw new DaemonStartError(daemon.exit() ? `daemon ${daemon.exit()} before mounting` : `no FUSE mount appeared at ${mountpoint} within ${timeoutMs / 1000} s`, daemon);
}

/**
 * Has the daemon ended? Its first process exiting is the answer unless it may daemonize and exited
 * 0: then it lives while its cgroup holds a process (without a cgroup, only its mount can tell).
 */
function daemonGone(daemon: DaemonProcess): boolean {
  const exit = daemon.exit();
  if (exit === undefined) return false;
  if (!daemon.mayDaemonize || exit !== 'exited with status 0') return true;
  return daemon.cgroup !== undefined && !daemon.cgroup.populated();
}

export class DaemonStartError extends UserError {
  readonly daemonLog: string;
  constructor(reason: string, daemon: DaemonProcess) {
    super(reason);
    this.daemonLog = daemon.tail();
  }
}

/** The FUSE connection id: the minor number of the mount's anonymous device. */
export function fuseConnectionOf(mountpoint: string): number | undefined {
  const entry = findMount(mountpoint);
  if (!entry?.fsType.startsWith('fuse')) return undefined;
  const minor = Number(entry.device.split(':')[1]);
  return Number.isFinite(minor) ? minor : undefined;
}

/**
 * Why the daemon is no longer serving, or undefined while it is. A daemon that has died leaves a mount
 * whose every access fails with ENOTCONN.
 */
export function daemonProblem(daemon: DaemonProcess | undefined): string | undefined {
  if (!daemon || !daemonGone(daemon)) return undefined;
  const tail = daemon.tail(3) ? `: ${daemon.tail(3).replace(/\n/g, ' / ')}` : '';
  const exit = daemon.exit() ?? 'ended';
  return daemon.mayDaemonize && exit === 'exited with status 0' ? `daemon gone during the run: it daemonized, and no process is left in its cgroup${tail}` : `daemon ${exit} during the run${tail}`;
}

/** A daemonized daemon known by no cgroup: its mount answering is the only sign of life left. */
function mountProblem(mountpoint: string): string | undefined {
  try {
    statSync(mountpoint);
    return undefined;
  } catch (error) {
    return `daemon gone during the run: ${mountpoint} answers ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`;
  }
}

/**
 * Ends the mount and the daemon: unmount, then whatever of the daemon is left. A live daemon is
 * unmounted the ordinary way and exits by itself when the kernel closes the connection; a dead or hung
 * one has its connection aborted through fusectl first, so the lazy unmount cannot block. Then its
 * first process is ended by pid, and its cgroup (forks, daemonized children) by cgroup.kill.
 */
export async function unmountDaemon(mount: Mount, daemon: DaemonProcess | undefined): Promise<UnmountResult> {
  const problem = daemonProblem(daemon);
  const entry = findMount(mount.mountpoint);
  if (entry && problem && entry.fsType.startsWith('fuse')) {
    await ensureFusectl();
    await abortFuseConnection(entry.device);
  }
  await unmountPath(mount.mountpoint).catch(async () => {
    if (entry) await abortFuseConnection(entry.device);
    await unmountPath(mount.mountpoint);
  });
  if (daemon && !daemon.exit()) {
    await Promise.race([daemon.exited, sleep(5000)]);
    if (!daemon.exit()) await terminate(daemon.pid);
    await daemon.exited;
  }
  if (daemon?.cgroup) {
    // A daemonized daemon exits by itself once unmounted: give it the same grace, then cgroup.kill.
    for (let waited = 0; waited < 5000 && daemon.cgroup.populated(); waited += 20) await sleep(20);
    await daemon.cgroup.end();
  }
  if (findMount(mount.mountpoint)) throw new Error(`${mount.mountpoint} is still mounted after unmount`);
  return problem ? { daemonFailure: problem, daemonLog: daemon?.tail(20) } : {};
}

/**
 * The daemons one backend has running, by mountpoint: mount() records each, and the backend's
 * unmount and check are these (the daemon is ended with its mount and forgotten).
 */
export interface MountedDaemons {
  add(mountpoint: string, daemon: DaemonProcess): void;
  unmount(mount: Mount): Promise<UnmountResult>;
  check(mount: Mount): Promise<string | undefined>;
}

export function mountedDaemons(): MountedDaemons {
  const daemons = new Map<string, DaemonProcess>();
  return {
    add(mountpoint, daemon) {
      daemons.set(mountpoint, daemon);
    },
    async unmount(mount) {
      const daemon = daemons.get(mount.mountpoint);
      daemons.delete(mount.mountpoint);
      return unmountDaemon(mount, daemon);
    },
    async check(mount) {
      const daemon = daemons.get(mount.mountpoint);
      const problem = daemonProblem(daemon);
      if (problem || !daemon || daemon.cgroup || !daemon.mayDaemonize || daemon.exit() === undefined) return problem;
      return mountProblem(mount.mountpoint);
    },
  };
}
