/**
 * Our daemon (infra/daemon): one C program whose plain and passthrough modes share every line except
 * the path the kernel takes for data, so the comparison isolates that path. The `fuse` and
 * `fuse-passthrough` backends are two modes of it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SUITE_ROOT } from '../suite-root.js';
import { requestDaemonStats, type DaemonStats } from './daemon-stats-file.js';
import { errorMessage } from '../errors.js';
import { probeDirectory, removeRunDirectory } from '../scratch.js';
import { daemonMountFields, daemonProblem, fuseConnectionOf, startDaemon, unmountDaemon, waitForReadyLine, type DaemonProcess } from './daemon.js';
import type { Backend, BackendIdentity, Mount, MountRequest, ProbeResult } from './types.js';

export const DAEMON_BINARY = path.join(SUITE_ROOT, 'infra', 'daemon', 'build', 'fusebench-daemon');
export const DAEMON_ASAN_BINARY = path.join(SUITE_ROOT, 'infra', 'daemon', 'build', 'fusebench-daemon-asan');

export type DaemonMode = 'plain' | 'passthrough' | 'bpf';
/** How requests travel: read/write on /dev/fuse, or FUSE over io_uring (one ring per CPU). */
export type DaemonTransport = 'dev' | 'uring';

/** The binary to run: $FUSEBENCH_DAEMON (e.g. the sanitizer build in tests) or the normal build. */
export function daemonBinary(): string {
  return process.env.FUSEBENCH_DAEMON ?? DAEMON_BINARY;
}

/**
 * Daemon knobs a profile's backendOptions (or `npm run mount`) may set, checked strictly so a misspelt
 * knob is an error rather than silently ignored.
 */
export const DaemonKnobsSchema = z.strictObject({
  threads: z.number().int().min(1).max(256).optional(),
  cache: z.enum(['never', 'auto', 'always']).optional(),
  writeback: z.boolean().optional(),
  allowOther: z.boolean().optional(),
  defaultPermissions: z.boolean().optional(),
  debug: z.boolean().optional(),
  /**
   * /dev/fuse transport: poll for the next request this many µs before sleeping (--poll-us).
   * Off by default: it buys the daemon's wake-up latency with a busy CPU, which plain FUSE does not.
   */
  pollMicros: z.number().int().min(0).max(1_000_000).optional(),
  /** Spin this many µs before every reply (--inject-delay-us): a known slowdown, to prove the nightly rule sees one. */
  injectDelayMicros: z.number().int().min(0).max(100_000).optional(),
});

/** --mode bpf adds which LOOKUP backing block to send (auto: android when the kernel says fuse_bpf). */
export const FuseBpfDaemonKnobsSchema = DaemonKnobsSchema.extend({
  fuseBpfAbi: z.enum(['auto', 'android', 'rfc-v2', 'rfc-v3']).optional(),
});

/**
 * What the daemon takes: the profile's knobs, plus what only `npm run mount` may give (the user's
 * command line, not a profile): the FUSE subtype and mount options as a mount helper passes them.
 */
export type DaemonKnobs = z.infer<typeof FuseBpfDaemonKnobsSchema> & {
  /** The mount's type becomes fuse.<subtype> (default fuse.fusebench); false: plain fuse, as libfuse without -o subtype=. */
  subtype?: string | false;
  /** Mount options as a mount helper passes them (-o), e.g. "ro,noatime"; the daemon checks each. */
  mountOptions?: string;
};
export type FuseBpfAbi = NonNullable<DaemonKnobs['fuseBpfAbi']>;

export function daemonArgs(
  mode: DaemonMode,
  knobs: DaemonKnobs,
  paths: { lower: string; mountpoint: string; statsFile: string },
  transport: DaemonTransport = 'dev',
): string[] {
  const args = ['--mode', mode, '--foreground', '--ready-fd', '3', '--stats', paths.statsFile];
  if (transport !== 'dev') args.push('--transport', transport);
  if (mode === 'bpf' && knobs.fuseBpfAbi) args.push('--fuse-bpf-abi', knobs.fuseBpfAbi);
  if (knobs.threads !== undefined) args.push('--threads', String(knobs.threads));
  if (knobs.cache) args.push('--cache', knobs.cache);
  if (knobs.writeback) args.push('--writeback');
  if (knobs.allowOther) args.push('--allow-other');
  if (knobs.defaultPermissions) args.push('--default-permissions');
  if (knobs.debug) args.push('--debug');
  if (knobs.pollMicros) args.push('--poll-us', String(knobs.pollMicros));
  if (knobs.injectDelayMicros) args.push('--inject-delay-us', String(knobs.injectDelayMicros));
  if (knobs.subtype === false) args.push('--no-subtype');
  else if (knobs.subtype) args.push('--subtype', knobs.subtype);
  if (knobs.mountOptions) args.push('--mount-options', knobs.mountOptions);
  return [...args, paths.lower, paths.mountpoint];
}

const READY_TIMEOUT_MS = 15_000;

/** What sets one daemon backend apart beyond its mode: transport, kernel switches, probe facts. */
export interface DaemonBackendVariant {
  transport?: DaemonTransport;
  /** The knobs this backend takes (default DaemonKnobsSchema). */
  optionsSchema?: z.ZodType<Record<string, unknown>>;
  /** Runs before each daemon starts (e.g. turns a kernel switch on, registering its undo). */
  acquire?: () => void;
  /** Runs once that daemon is gone, also when its mount failed. */
  release?: () => Promise<void>;
  /** Checked before probe()'s trial mount: a reason the path cannot work here, with what to do. */
  precheck?: () => { reason: string; howToEnable?: string[] } | undefined;
  /** Facts for probe() beyond the daemon's own (e.g. a module parameter as found). */
  facts?: () => Record<string, string>;
}

/** The ABI facts the daemon reports in its stats once INIT is done; empty if it cannot say. */
async function negotiatedFacts(pid: number, statsFile: string): Promise<Record<string, string | number>> {
  try {
    const stats = (await requestDaemonStats(pid, statsFile)) as DaemonStats & { fuseBpfAbi?: string; transport?: string };
    const facts: Record<string, string | number> = {};
    if (stats.passthroughAbi) facts.passthroughAbi = stats.passthroughAbi;
    if (stats.fuseBpfAbi) facts.fuseBpfAbi = stats.fuseBpfAbi;
    if (stats.init?.minor !== undefined) facts.kernelProtocolMinor = stats.init.minor;
    return facts;
  } catch {
    return {};
  }
}

export function makeDaemonBackend(identity: BackendIdentity, mode: DaemonMode, variant: DaemonBackendVariant = {}): Backend {
  const { name } = identity;
  const daemons = new Map<string, DaemonProcess>();
  const transport = variant.transport ?? 'dev';

  async function mount(request: MountRequest): Promise<Mount> {
    const knobs = request.options as DaemonKnobs;
    const statsFile = path.join(request.workDir, 'daemon-stats.json');
    const args = daemonArgs(mode, knobs, { lower: request.lower, mountpoint: request.mountpoint, statsFile }, transport);
    variant.acquire?.();
    let daemon: DaemonProcess | undefined;
    try {
      daemon = startDaemon({ command: daemonBinary(), args, readyFd: true, onProcess: request.onProcess, cpus: request.daemonCpus, detachedLogFile: request.detached ? path.join(request.workDir, 'daemon.log') : undefined });
      await waitForReadyLine(daemon, READY_TIMEOUT_MS);
    } catch (error) {
      if (daemon) await unmountDaemon({ backend: name, mountpoint: request.mountpoint, lower: request.lower, info: {} }, daemon).catch(() => {});
      await variant.release?.();
      throw error;
    }
    daemons.set(request.mountpoint, daemon);
    // What INIT settled (which passthrough or FUSE-BPF ABI, the protocol minor), for every record.
    const negotiated = await negotiatedFacts(daemon.pid, statsFile);
    return {
      backend: name,
      mountpoint: request.mountpoint,
      lower: request.lower,
      ...daemonMountFields(daemon),
      fuseConnection: fuseConnectionOf(request.mountpoint),
      daemonStatsFile: statsFile,
      info: { daemon: path.basename(daemonBinary()), daemonArgs: args.join(' '), mode, transport, ...negotiated },
    };
  }

  async function probe(): Promise<ProbeResult> {
    const binary = daemonBinary();
    if (!existsSync(binary)) return { supported: false, reason: `daemon not built: ${binary} is missing (run npm run setup)`, facts: {} };
    if (!existsSync('/dev/fuse')) return { supported: false, reason: '/dev/fuse does not exist (modprobe fuse)', facts: {} };
    const variantFacts = variant.facts?.() ?? {};
    const refused = variant.precheck?.();
    if (refused) return { supported: false, reason: refused.reason, facts: { daemon: binary, ...variantFacts }, ...(refused.howToEnable ? { howToEnable: refused.howToEnable } : {}) };
    // The only sure answer to "does this kernel offer this mode" is a mount: try one on an empty dir.
    const dir = probeDirectory(name);
    const lower = path.join(dir, 'lower');
    const mnt = path.join(dir, 'mnt');
    mkdirSync(lower);
    mkdirSync(mnt);
    try {
      const mounted = await mount({ lower, mountpoint: mnt, workDir: dir, options: {} });
      await unmount(mounted);
      const negotiated = Object.fromEntries(Object.entries(mounted.info).filter(([key]) => key === 'passthroughAbi' || key === 'fuseBpfAbi').map(([key, value]) => [key, String(value)]));
      return { supported: true, facts: { daemon: binary, ...variantFacts, ...negotiated } };
    } catch (error) {
      return { supported: false, reason: errorMessage(error), facts: { daemon: binary, ...variantFacts } };
    } finally {
      await removeRunDirectory(dir);
    }
  }

  async function unmount(mounted: Mount) {
    const daemon = daemons.get(mounted.mountpoint);
    daemons.delete(mounted.mountpoint);
    try {
      return await unmountDaemon(mounted, daemon);
    } finally {
      if (daemon) await variant.release?.();
    }
  }

  return {
    ...identity,
    optionsSchema: variant.optionsSchema ?? DaemonKnobsSchema,
    acceptsMountOptions: true,
    probe,
    mount,
    unmount,
    async check(mounted) {
      return daemonProblem(daemons.get(mounted.mountpoint));
    },
  };
}
