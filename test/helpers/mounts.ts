/**
 * Real mounts of registry backends for tests: each mount gets its own directory under a mkdtemp dir
 * in /tmp and its own fresh tmpfs lower, and unmount() removes both. A backend that the suite only
 * plans (fuse-uring) or that the machine cannot offer is reported by `backendUnavailable`, so a
 * describe block can skip with the reason (or fail under REQUIRE_KERNEL=1).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeDaemonBackend } from '../../bench/backends/fusebench-daemon.js';
import { uringTransport } from '../../bench/backends/fuse-uring.js';
import { getBackend } from '../../bench/backends/registry.js';
import type { Backend, Mount, UnmountResult } from '../../bench/backends/types.js';
import { mountTmpfs, readMounts, run, sleep, unmount as unmountPath } from '../../bench/system.js';

// Daemon probes make a directory in the scratch root: keep ours apart from benchmark runs holding
// /tmp/fusebench/lock. Set before any backend code runs.
process.env.FUSEBENCH_SCRATCH ??= '/tmp/fb-conformance';

/** Every test mount lives below a directory whose name starts with this, so afterAll can find leftovers. */
export const TEST_MOUNT_PREFIX = '/tmp/fb-conf-';

const LOWER_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * The lower's file system: tmpfs by default; FUSEBENCH_TEST_LOWER_FS=ext4 gives a loop-mounted ext4
 * image instead, for kernels whose tmpfs lacks user.* xattrs (before 6.6), so xattr cases still test
 * something there.
 */
async function mountLower(dir: string, lower: string): Promise<void> {
  const fs = process.env.FUSEBENCH_TEST_LOWER_FS ?? 'tmpfs';
  if (fs === 'tmpfs') return mountTmpfs(lower, LOWER_BYTES, 'fb-conformance-lower');
  if (fs !== 'ext4') throw new Error(`FUSEBENCH_TEST_LOWER_FS=${fs}: only tmpfs and ext4 are known`);
  const image = path.join(dir, 'lower.ext4');
  await run('truncate', ['-s', String(LOWER_BYTES), image], `sparse image ${image}`);
  await run('mkfs.ext4', ['-q', '-F', '-O', '^has_journal', '-E', 'lazy_itable_init=1,nodiscard', image], `mkfs.ext4 on ${image}`);
  // A loop mount made by mount(8) detaches its loop device when unmounted (autoclear).
  await run('mount', ['-o', 'loop', image, lower], `loop mount of ${image} on ${lower}`);
  chmodSync(lower, 0o755);
}

/** Opcode name (READ, WRITE, LOOKUP…) → requests the daemon served. */
export type OpcodeCounts = Record<string, number>;

export interface TestMount {
  backend: string;
  /** Where the backend is mounted: run the operations here. */
  mnt: string;
  /** The backend's lower tmpfs: what the mount shows, seen without it. */
  lower: string;
  /** The mount as the backend returned it (daemonPid, daemonStatsFile…). */
  mount: Mount;
  /** Per-opcode request counts from the daemon's own stats (SIGUSR1, then its JSON file). */
  daemonStats(): Promise<OpcodeCounts>;
  /** Unmounts the backend and the lower, removes the directory; reports a daemon that died. */
  unmount(): Promise<UnmountResult>;
}

export interface MountBackendOptions {
  /** Backend options, as a profile's backendOptions[name] would give them. */
  options?: Record<string, unknown>;
  /** The profile's daemonCpus. */
  daemonCpus?: string;
}

/**
 * Daemon combinations tests cover beyond the registry's: passthrough mode over the io_uring
 * transport is not a benchmark path of its own, but the daemon must serve it correctly.
 */
const testOnlyBackends: Record<string, Backend> = {
  'fuse-passthrough-uring': makeDaemonBackend(
    {
      name: 'fuse-passthrough-uring',
      label: 'our daemon, passthrough mode over FUSE io_uring (tests only)',
      colour: '#000000',
      kernelRequirement: 'FUSE passthrough and FUSE over io_uring',
    },
    'passthrough',
    uringTransport,
  ),
};

/** Our daemon in both modes over both transports. */
export const DAEMON_BACKENDS = ['fuse', 'fuse-passthrough', 'fuse-uring', 'fuse-passthrough-uring'];

function backendNamed(name: string): Backend {
  return testOnlyBackends[name] ?? getBackend(name, 'conformance backends');
}

/** Why the backend cannot be mounted here, or undefined when it can. */
export async function backendUnavailable(name: string): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (mounts)';
  const backend = backendNamed(name);
  const probe = await backend.probe();
  return probe.supported ? undefined : `${name}: ${probe.reason}`;
}

export async function mountBackend(name: string, { options = {}, daemonCpus }: MountBackendOptions = {}): Promise<TestMount> {
  const backend = backendNamed(name);
  const dir = mkdtempSync(`${TEST_MOUNT_PREFIX}${name}-`);
  // mkdtemp makes 0700: other users (permission cases) must be able to walk to the mount.
  chmodSync(dir, 0o755);
  const lower = path.join(dir, 'lower');
  const mnt = path.join(dir, 'mnt');
  const workDir = path.join(dir, 'work');
  for (const sub of [lower, mnt, workDir]) mkdirSync(sub);
  await mountLower(dir, lower);
  let mount: Mount;
  try {
    mount = await backend.mount({ lower, mountpoint: mnt, workDir, options, writable: true, daemonCpus });
  } catch (error) {
    await unmountPath(lower);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let unmounted: Promise<UnmountResult> | undefined;
  return {
    backend: name,
    mnt,
    lower,
    mount,
    daemonStats: () => readDaemonStats(mount),
    unmount() {
      unmounted ??= (async () => {
        try {
          return await backend.unmount(mount);
        } finally {
          await unmountPath(lower);
          if (!readMounts().some((entry) => entry.mountpoint.startsWith(`${dir}/`))) rmSync(dir, { recursive: true, force: true });
        }
      })();
      return unmounted;
    },
  };
}

/** Mounts, runs fn, and unmounts whatever fn did. */
export async function withMountedBackend<T>(name: string, options: Record<string, unknown>, fn: (mounted: TestMount) => Promise<T>): Promise<T> {
  const mounted = await mountBackend(name, { options });
  try {
    return await fn(mounted);
  } finally {
    await mounted.unmount();
  }
}

interface DaemonStatsJson {
  ops?: Record<string, { count?: number; totalNs?: number }>;
}

/** Asks the daemon for fresh stats (it rewrites the file on SIGUSR1, via FILE.tmp and rename). */
export async function readDaemonStats(mount: Mount): Promise<OpcodeCounts> {
  const { daemonPid, daemonStatsFile } = mount;
  if (daemonPid === undefined || daemonStatsFile === undefined) throw new Error(`${mount.backend} keeps no daemon stats`);
  const stamp = () => (existsSync(daemonStatsFile) ? `${statSync(daemonStatsFile).mtimeMs}:${statSync(daemonStatsFile).ino}` : '');
  const before = stamp();
  process.kill(daemonPid, 'SIGUSR1');
  const deadline = Date.now() + 3000;
  while (stamp() === before) {
    if (Date.now() > deadline) throw new Error(`daemon ${daemonPid} did not rewrite ${daemonStatsFile} within 3 s of SIGUSR1`);
    await sleep(10);
  }
  const json = JSON.parse(readFileSync(daemonStatsFile, 'utf8')) as DaemonStatsJson;
  return Object.fromEntries(Object.entries(json.ops ?? {}).map(([op, value]) => [op, value.count ?? 0]));
}

/** Test mounts (and lowers) still in the mount table, as findmnt lists it: must be empty after every file. */
export function leftoverTestMounts(): string[] {
  return execFileSync('findmnt', ['--raw', '--noheadings', '--output', 'TARGET'], { encoding: 'utf8' })
    .split('\n')
    .map((target) => target.replace(/\\x([0-9a-f]{2})/g, (_, code: string) => String.fromCharCode(parseInt(code, 16))))
    .filter((target) => target.startsWith(TEST_MOUNT_PREFIX));
}
