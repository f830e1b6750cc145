/**
 * One interface for every path the suite compares. A backend knows how to make and remove its mount,
 * and nothing about workloads, statistics or reports (fio's ioengine_ops is the model).
 */
import type { z } from 'zod';
import type { DaemonCgroup } from '../cgroups.js';

export type ProbeResult =
  | { supported: true; facts: Record<string, string> }
  | { supported: false; reason: string; facts: Record<string, string>; howToEnable?: string[] };

export interface MountRequest {
  /** The lower directory to expose. */
  lower: string;
  /** An empty directory to mount on, inside the scratch root. */
  mountpoint: string;
  /** A directory inside the scratch root for this mount's logs, stats and sockets. */
  workDir: string;
  /** Backend options from the profile (backendOptions[name]) or the command line. */
  options: Record<string, unknown>;
  /** Called as soon as a process exists, so cleanup can reach it even if mount() throws later. */
  onProcess?: (pid: number) => void;
  /** The workload writes: backends that can be mounted read-only or writable (overlay) choose by this. */
  writable?: boolean;
  /** Leave the mount for the user (`npm run mount`): the daemon must outlive the CLI, logging to workDir. */
  detached?: boolean;
  /** CPUs the daemon is confined to (the profile's daemonCpus); backends without a daemon ignore it. */
  daemonCpus?: string;
}

export interface Mount {
  backend: string;
  mountpoint: string;
  lower: string;
  /** The daemon's pid, when the backend runs one (and it did not daemonize away from it). */
  daemonPid?: number;
  /** The daemon's own cgroup: all its processes, their CPU, and the id bpftrace filters on. */
  daemonCgroup?: DaemonCgroup;
  /** How the daemon's processes are told apart, in words ("cgroup …" or "pid only: why"), for the record. */
  daemonAccounting?: string;
  /** The FUSE connection id (the device minor of the mount), for tracepoint filtering and fusectl. */
  fuseConnection?: number;
  /** The daemon's own per-opcode counters, written on SIGUSR1 and at exit. */
  daemonStatsFile?: string;
  /** Facts worth keeping with every record: options, versions, ABI used. */
  info: Record<string, unknown>;
}

export interface UnmountResult {
  /** Set when the daemon had died or misbehaved before unmount: the cell fails with this reason. */
  daemonFailure?: string;
  /** The daemon's last stderr lines, for the failure record. */
  daemonLog?: string;
}

/**
 * What a backend says of itself. Every list of backends (--help, doctor, the report's order, legend and
 * colours) derives from these fields and the registry's order, so adding a backend is one file plus one
 * registry line.
 */
export interface BackendIdentity {
  /** The name users pass to --backends and profiles list. */
  name: string;
  /** One line for --help, doctor and the report: which path the kernel takes. */
  label: string;
  /** Its colour in every chart (a CSS colour). */
  colour: string;
  /** What the running kernel must offer, in words, for doctor and --help. */
  kernelRequirement: string;
}

export interface Backend extends BackendIdentity {
  /**
   * The options a profile's backendOptions.<name> may set, strict: an unknown or misspelt key is an
   * error naming the file and field. Whatever could choose what gets exported or run is left out.
   */
  optionsSchema: z.ZodType<Record<string, unknown>>;
  /** Can this kernel and machine offer the path? Never throws: unsupported carries the reason. */
  probe(): Promise<ProbeResult>;
  mount(request: MountRequest): Promise<Mount>;
  /** Always leaves nothing mounted and no process behind, whatever state the mount is in. */
  unmount(mount: Mount): Promise<UnmountResult>;
  /**
   * Takes mount options and a FUSE subtype as a mount helper passes them (backendOptions mountOptions,
   * subtype), for `npm run mount` only: a profile cannot set them.
   */
  acceptsMountOptions?: boolean;
  /** Is the mount still healthy (daemon alive)? Checked after each workload. */
  check?(mount: Mount): Promise<string | undefined>;
}
