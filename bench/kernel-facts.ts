/**
 * What the running kernel offers, read from the places it tells: its config (/proc/config.gz or
 * /boot/config-<release>), module parameters, /sys/fs/fuse/features, and tracefs. Probes and `doctor`
 * build on these facts; the parsing is pure so it can be tested on recorded answers.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { gunzipSync } from 'node:zlib';
import { readMounts, run } from './system.js';

/** A kernel's build options: `CONFIG_X` → `y`, `m`, `n` or the value as written (`"str"`, a number). */
export type KernelConfig = ReadonlyMap<string, string>;

/**
 * The one parser of a kernel .config (a file beside an image, /boot/config-<release>, /proc/config.gz):
 * `CONFIG_X=value`, and `# CONFIG_X is not set` as `n`, which is what Kconfig means by it.
 */
export function parseKernelConfig(text: string): KernelConfig {
  const config = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const set = /^(CONFIG_\w+)=(.*)$/.exec(line);
    if (set) config.set(set[1]!, set[2]!);
    const unset = /^# (CONFIG_\w+) is not set$/.exec(line);
    if (unset) config.set(unset[1]!, 'n');
  }
  return config;
}

/** Reads and parses a config file; a `.gz` one (as /proc/config.gz) is gunzipped first. */
export function readKernelConfigFile(file: string): KernelConfig {
  const bytes = readFileSync(file);
  return parseKernelConfig((file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'));
}

/** The running kernel's config, and where it came from; undefined when the kernel does not expose one. */
export function readKernelConfig(release = os.release()): { config: KernelConfig; source: string } | undefined {
  try {
    if (existsSync('/proc/config.gz')) return { config: readKernelConfigFile('/proc/config.gz'), source: '/proc/config.gz' };
  } catch {
    /* fall through */
  }
  const boot = `/boot/config-${release}`;
  if (existsSync(boot)) return { config: readKernelConfigFile(boot), source: boot };
  return undefined;
}

export function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export const TRACEFS = '/sys/kernel/tracing';

/** tracefs is not mounted at boot on our machines; the suite mounts it when it needs it. */
export async function ensureTracefs(): Promise<boolean> {
  if (readMounts().some((entry) => entry.fsType === 'tracefs' && entry.mountpoint === TRACEFS)) return true;
  try {
    await run('mount', ['-t', 'tracefs', 'nodev', TRACEFS], 'mounting tracefs');
    return true;
  } catch {
    return false;
  }
}

export interface KernelFacts {
  release: string;
  configSource?: string;
  config: Record<string, string>;
  /** /sys/module/fuse/parameters/*. */
  fuseParameters: Record<string, string>;
  /** /sys/fs/fuse/features/* (Android kernels). */
  fuseFeatures: Record<string, string>;
  /** Tracepoint groups present in tracefs events/ that the collectors use. */
  tracepoints: Record<string, boolean>;
  devFuse: boolean;
}

export const CONFIG_KEYS = ['CONFIG_FUSE_FS', 'CONFIG_FUSE_PASSTHROUGH', 'CONFIG_FUSE_IO_URING', 'CONFIG_FUSE_BPF', 'CONFIG_OVERLAY_FS', 'CONFIG_FTRACE_SYSCALLS', 'CONFIG_BPF_EVENTS', 'CONFIG_HIST_TRIGGERS'];

function readDirectoryValues(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readOptional(`${dir}/${name}`) ?? '?']));
}

export async function readKernelFacts(): Promise<KernelFacts> {
  const config = readKernelConfig();
  const tracefs = await ensureTracefs();
  const events = `${TRACEFS}/events`;
  const tracepoint = (group: string, event: string) => tracefs && existsSync(`${events}/${group}/${event}`);
  return {
    release: os.release(),
    configSource: config?.source,
    config: Object.fromEntries(CONFIG_KEYS.map((key) => [key, config?.config.get(key) ?? (config ? 'n' : 'unknown')])),
    fuseParameters: readDirectoryValues('/sys/module/fuse/parameters'),
    fuseFeatures: readDirectoryValues('/sys/fs/fuse/features'),
    tracepoints: {
      'fuse:fuse_request_send': tracepoint('fuse', 'fuse_request_send'),
      'fuse:fuse_request_end': tracepoint('fuse', 'fuse_request_end'),
      'raw_syscalls:sys_enter': tracepoint('raw_syscalls', 'sys_enter'),
      'sched:sched_switch': tracepoint('sched', 'sched_switch'),
    },
    devFuse: existsSync('/dev/fuse'),
  };
}

/** The last kernel log lines that mention a word, for quoting the kernel's own answer in a reason. */
export async function kernelLogLines(pattern: RegExp, count = 2): Promise<string[]> {
  try {
    const output = await run('dmesg', ['--notime'], 'dmesg');
    return output.split('\n').filter((line) => pattern.test(line)).slice(-count);
  } catch {
    return [];
  }
}
