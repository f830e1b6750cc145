/**
 * Starting, watching and ending a FUSE daemon. Shared by every backend whose mount is served by a
 * process: our daemon, libfuse's passthrough_ll, a user's external command. The contract: mount()
 * resolves only when the mount answers I/O; unmount() leaves nothing mounted and the process reaped,
 * and reports a daemon that died with its last stderr lines.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { UserError } from '../errors.js';
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
}

export function startDaemon(options: StartDaemonOptions): DaemonProcess {
  const output = options.detachedLogFile ? ({ file: options.detachedLogFile, append: true } as const) : ('pipe' as const);
  const child = execa(options.command, options.args, {
    reject: false,
    stdio: options.readyFd ? ['ignore', output, output, 'pipe'] : ['ignore', output, output],
    buffer: false,
    detached: options.detachedLogFile !== undefined,
    // During a benchmark the daemon must outlive nothing; `cleanup` finds it by pid after a hard kill.
    cleanup: options.detachedLogFile === undefined,
  });
  if (child.pid === undefined) throw new UserError(`could not start ${options.command}`);
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
  });
  return {
    pid,
    exit: () => exitDescription,
    tail: (count = 10) => lines.slice(-count).join('\n'),
    exited,
    child,
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
export async function waitForFuseMount(daemon: DaemonProcess, mountpoint: string, timeoutMs: number, options: { daemonMayExit?: boolean } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const entry = findMount(mountpoint);
    if (entry?.fsType.startsWith('fuse')) {
      statSync(mountpoint);
      return;
    }
    if (daemon.exit() && !options.daemonMayExit) break;
    await sleep(25);
  }
  throw new DaemonStartError(daemon.exit() ? `daemon ${daemon.exit()} before mounting` : `no FUSE mount appeared at ${mountpoint} within ${timeoutMs / 1000} s`, daemon);
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

/** A daemon that has died leaves a mount whose every access fails with ENOTCONN. */
export function daemonProblem(daemon: DaemonProcess | undefined): string | undefined {
  const exit = daemon?.exit();
  return exit ? `daemon ${exit} during the run${daemon?.tail(3) ? `: ${daemon.tail(3).replace(/\n/g, ' / ')}` : ''}` : undefined;
}

/**
 * Ends the mount and the daemon. A live daemon is unmounted the ordinary way and exits by itself when
 * the kernel closes the connection; a dead or hung one has its connection aborted through fusectl
 * first, so the lazy unmount cannot block, then is ended by pid.
 */
export async function unmountDaemon(mount: Mount, daemon: DaemonProcess | undefined): Promise<UnmountResult> {
  const died = daemon?.exit();
  const problem = daemonProblem(daemon);
  const entry = findMount(mount.mountpoint);
  if (entry && died && entry.fsType.startsWith('fuse')) {
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
      return daemonProblem(daemons.get(mount.mountpoint));
    },
  };
}
