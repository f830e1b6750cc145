/**
 * A cgroup (v2) of its own for every daemon the suite starts, so that "the daemon" means every process
 * it becomes: one that forks, daemonizes or starts helpers stays inside, its CPU is exact over all of
 * them (cpu.stat), bpftrace can count its syscalls by cgroup id, and ending it is one write to
 * cgroup.kill. Layout: <cgroup2 root>/fusebench/run-<pid>/<daemon>-<n>.
 *
 * The cgroup2 hierarchy is /sys/fs/cgroup on unified systems and /sys/fs/cgroup/unified on hybrid ones
 * (Debian 12 here: v1 controllers, cgroup2 with no controller enabled, where cgroup.procs, cgroup.kill,
 * cgroup.events and cpu.stat still work). FUSEBENCH_CGROUP_ROOT chooses another; where none can be
 * written, daemons are accounted by pid as before, and every record, the report and doctor say why.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { peakRssKiB, processAlive } from './processes.js';
import { readMounts } from './system.js';

/** How the suite tells a daemon's processes: a cgroup, or the one pid it started (with the reason). */
export type CgroupSupport = { mode: 'cgroup'; root: string } | { mode: 'pid'; reason: string };

const SUITE_DIR = 'fusebench';

let cached: CgroupSupport | undefined;

/** The cgroup2 mount to use, from mountinfo: /sys/fs/cgroup when it is cgroup2, else the first one. */
export function findCgroup2Mount(mounts: ReadonlyArray<{ mountpoint: string; fsType: string }>): string | undefined {
  const cgroup2 = mounts.filter((entry) => entry.fsType === 'cgroup2').map((entry) => entry.mountpoint);
  return cgroup2.find((mountpoint) => mountpoint === '/sys/fs/cgroup') ?? cgroup2[0];
}

/** Can daemons get cgroups here? Decided once per process (creating <root>/fusebench is the test). */
export function cgroupSupport(): CgroupSupport {
  cached ??= detect();
  return cached;
}

/** For tests that point FUSEBENCH_CGROUP_ROOT elsewhere within one process. */
export function forgetCgroupSupport(): void {
  cached = undefined;
}

function detect(): CgroupSupport {
  const chosen = process.env.FUSEBENCH_CGROUP_ROOT;
  const mounts = readMounts();
  const root = chosen ? path.resolve(chosen) : findCgroup2Mount(mounts);
  const where = chosen ? `FUSEBENCH_CGROUP_ROOT=${chosen}` : 'cgroup2';
  if (!root) return { mode: 'pid', reason: 'no cgroup2 hierarchy is mounted' };
  if (!existsSync(path.join(root, 'cgroup.procs'))) return { mode: 'pid', reason: `${where}: ${root} is not a cgroup2 directory (no cgroup.procs)` };
  // The test is the directory this run's daemons will live in (made and removed: a run with no daemon leaves nothing).
  const runDir = path.join(root, SUITE_DIR, `run-${process.pid}`);
  try {
    // Level by level: a recursive mkdir reports a read-only hierarchy as ENOENT.
    mkdirIfMissing(path.dirname(runDir));
    mkdirIfMissing(runDir);
  } catch (error) {
    return { mode: 'pid', reason: `${where}: cannot create ${runDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  rmdirQuietly(runDir);
  if (!existsSync(path.join(root, SUITE_DIR, 'cgroup.kill'))) {
    return { mode: 'pid', reason: `${where}: ${root} has no cgroup.kill (Linux 5.14+ is needed to end a daemon's every process at once)` };
  }
  return { mode: 'cgroup', root };
}

/** One line for the environment record, the report and doctor. */
export function describeCgroupSupport(support: CgroupSupport): string {
  return support.mode === 'cgroup'
    ? `each daemon in a cgroup of its own under ${path.join(support.root, SUITE_DIR)} (cgroup2): every process it becomes, CPU from cpu.stat, cgroup.kill at the end`
    : `by pid only (the first process of each daemon; a daemon that daemonizes is known by its mount): ${support.reason}`;
}

export interface CgroupCpu {
  userSeconds: number;
  systemSeconds: number;
}

export interface DaemonCgroup {
  path: string;
  /** The cgroup id: its directory's inode number, which is what bpftrace's `cgroup` builtin returns. */
  id: number;
  procsFile: string;
  /** Every process in it now. */
  pids(): number[];
  /** Does any process remain (cgroup.events `populated`)? */
  populated(): boolean;
  /** CPU of every process that was ever in it, exact to the microsecond. */
  cpu(): CgroupCpu | undefined;
  /** Peak memory: memory.peak where the memory controller is on in v2, else the sum of the pids' VmHWM. */
  memoryPeak(): { mib: number; method: string } | undefined;
  /** cgroup.kill, wait for it to empty, remove it (and the run's cgroup once that is empty). */
  end(timeoutMs?: number): Promise<void>;
}

let created = 0;

/** A new empty cgroup for one daemon, or the reason there is none (then account by pid). */
export function createDaemonCgroup(label: string): DaemonCgroup | { reason: string } {
  const support = cgroupSupport();
  if (support.mode === 'pid') return { reason: support.reason };
  const name = `${label.replace(/[^\w.-]/g, '_').slice(0, 40)}-${++created}`;
  const dir = path.join(support.root, SUITE_DIR, `run-${process.pid}`, name);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    return { reason: `cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  return openCgroup(dir);
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** `key value` lines (cpu.stat, cgroup.events) as numbers. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && Number.isFinite(Number(value))) values.set(key, Number(value));
  }
  return values;
}

function readPids(procsFile: string): number[] {
  return (readText(procsFile) ?? '').split('\n').filter(Boolean).map(Number);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function openCgroup(dir: string): DaemonCgroup {
  const procsFile = path.join(dir, 'cgroup.procs');
  const populated = () => parseFlatKeyed(readText(path.join(dir, 'cgroup.events')) ?? '').get('populated') === 1;
  return {
    path: dir,
    id: statSync(dir).ino,
    procsFile,
    pids: () => readPids(procsFile),
    populated,
    cpu() {
      const text = readText(path.join(dir, 'cpu.stat'));
      if (text === undefined) return undefined;
      const stat = parseFlatKeyed(text);
      return { userSeconds: (stat.get('user_usec') ?? 0) / 1e6, systemSeconds: (stat.get('system_usec') ?? 0) / 1e6 };
    },
    memoryPeak() {
      const peak = readText(path.join(dir, 'memory.peak'));
      if (peak !== undefined && /^\d+\s*$/.test(peak)) return { mib: Number(peak) / 2 ** 20, method: 'memory.peak of the cgroup' };
      const kib = readPids(procsFile).map(peakRssKiB).filter((value): value is number => value !== undefined);
      if (kib.length === 0) return undefined;
      return { mib: kib.reduce((sum, value) => sum + value, 0) / 1024, method: `sum of VmHWM over the cgroup's ${kib.length} process(es) (no memory controller in cgroup2 here)` };
    },
    end: (timeoutMs = 10_000) => removeCgroup(dir, timeoutMs),
  };
}

/**
 * Ends every process in a cgroup and removes it; then its parent, the run's cgroup, if that is empty
 * now. Throws when processes remain after cgroup.kill (a task stuck in the kernel, in D state).
 */
export async function removeCgroup(dir: string, timeoutMs = 10_000): Promise<void> {
  if (!existsSync(dir)) return;
  for (const child of readdirSync(dir, { withFileTypes: true })) {
    if (child.isDirectory()) await removeCgroup(path.join(dir, child.name), timeoutMs);
  }
  const events = path.join(dir, 'cgroup.events');
  const isPopulated = () => parseFlatKeyed(readText(events) ?? '').get('populated') === 1;
  if (isPopulated()) {
    writeFileSync(path.join(dir, 'cgroup.kill'), '1');
    const deadline = Date.now() + timeoutMs;
    while (isPopulated() && Date.now() < deadline) await sleep(10);
    if (isPopulated()) throw new Error(`${dir} still holds pid(s) ${readPids(path.join(dir, 'cgroup.procs')).join(', ')} after cgroup.kill`);
  }
  rmdirQuietly(dir);
  const parent = path.dirname(dir);
  if (/^run-\d+$/.test(path.basename(parent))) rmdirQuietly(parent);
}

function mkdirIfMissing(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** rmdir that leaves a cgroup still in use (EBUSY, ENOTEMPTY) or already gone alone. */
function rmdirQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EBUSY' && code !== 'ENOTEMPTY') throw error;
  }
}

/** The cgroups of runs whose process is gone (a CLI killed by SIGKILL): `cleanup` ends and removes them. */
export async function removeLeftoverCgroups(log: (line: string) => void = () => {}): Promise<number> {
  const support = cgroupSupport();
  if (support.mode === 'pid') return 0;
  const suiteDir = path.join(support.root, SUITE_DIR);
  if (!existsSync(suiteDir)) return 0;
  let removed = 0;
  for (const entry of readdirSync(suiteDir, { withFileTypes: true })) {
    const owner = /^run-(\d+)$/.exec(entry.name);
    if (!entry.isDirectory() || !owner || processAlive(Number(owner[1]))) continue;
    const dir = path.join(suiteDir, entry.name);
    const pids = allPids(dir);
    log(`removing leftover cgroup ${dir}${pids.length ? ` and ending its process(es) ${pids.join(', ')}` : ''}`);
    await removeCgroup(dir);
    removed++;
  }
  return removed;
}

function allPids(dir: string): number[] {
  const own = readPids(path.join(dir, 'cgroup.procs'));
  const below = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).flatMap((entry) => allPids(path.join(dir, entry.name)));
  return [...own, ...below];
}

/**
 * The command that starts `command args` inside the cgroup: a shell writes its own pid into
 * cgroup.procs and execs the daemon, so the daemon's first instruction already runs in its cgroup
 * (moving it after spawn would miss a fork that came first). The paths travel as arguments, never
 * inside the script text.
 */
export function commandInCgroup(procsFile: string, command: string, args: readonly string[]): { command: string; args: string[] } {
  return { command: '/bin/sh', args: ['-c', 'echo $$ > "$1" || exit 126; shift; exec "$@"', 'fusebench-cgroup', procsFile, command, ...args] };
}
