/**
 * The proc collector: CPU time of the daemon, of the workload and of the whole machine over the
 * measured window, read from /proc before and after (nothing runs during the workload, so it costs
 * the workload nothing and also runs under --no-trace).
 *
 * - Daemon: cpu.stat of its cgroup (every process it became, in µs) where it has one; otherwise
 *   utime + stime of /proc/PID/stat, which sum every thread of that one process, dead ones too.
 * - Workload: fio runs each job in a forked process that fio reaps, and fio is reaped by us before the
 *   workload's promise resolves, so their CPU lands in our cutime + cstime (/proc/self/stat). The
 *   delta over the window is the workload's CPU, provided the harness reaps no other child inside the
 *   window (stop() reads first thing, before any collector's process is ended). A workload that is not
 *   our child is read from its own /proc entry at stop, if it is still there.
 * - Machine: the `cpu` line of /proc/stat, busy = everything but idle and iowait.
 * - Context switches from /proc/PID/task/TID/status summed over the daemon's threads (of every process
 *   in its cgroup), as a cross-check of the traced ones (threads that ended inside the window are
 *   missing there).
 * /proc counts in clock ticks of USER_HZ, which is 100 on every architecture Linux runs these tests on
 * (sysconf(_SC_CLK_TCK); only alpha differs), so values have 10 ms resolution.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Mount } from '../backends/types.js';
import { peakRssKiB } from '../processes.js';
import type { CgroupCpu } from '../cgroups.js';
import type { Collector, CollectorOutput, CollectorSession, SwitchCounts } from './types.js';

export const USER_HZ = 100;
const ticksToSeconds = (ticks: number) => ticks / USER_HZ;
const GIB = 1024 ** 3;

export interface ProcessTimes {
  ppid: number;
  utimeTicks: number;
  stimeTicks: number;
  cutimeTicks: number;
  cstimeTicks: number;
}

/** Fields of /proc/PID/stat; the command name may hold spaces and parentheses, so split after the last ')'. */
export function parseProcessStat(text: string): ProcessTimes {
  const rest = text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/).map(Number);
  // rest[0] is field 3 (state): utime is field 14, so rest[11].
  const field = (n: number) => rest[n - 3] ?? NaN;
  return { ppid: field(4), utimeTicks: field(14), stimeTicks: field(15), cutimeTicks: field(16), cstimeTicks: field(17) };
}

export interface SystemTimes {
  busyTicks: number;
  idleTicks: number;
}

/** The aggregate `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal (guest is in user). */
export function parseSystemStat(text: string): SystemTimes {
  const line = text.split('\n').find((candidate) => candidate.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no cpu line');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busyTicks: user + nice + system + irq + softirq + steal, idleTicks: idle + iowait };
}

export function parseStatusSwitches(text: string): SwitchCounts {
  const value = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { voluntary: value('voluntary_ctxt_switches'), involuntary: value('nonvoluntary_ctxt_switches') };
}

function readProcessTimes(pid: number | 'self'): ProcessTimes | undefined {
  try {
    return parseProcessStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

function readThreadSwitches(pid: number): SwitchCounts | undefined {
  try {
    const total = { voluntary: 0, involuntary: 0 };
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const counts = parseStatusSwitches(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
        total.voluntary += counts.voluntary;
        total.involuntary += counts.involuntary;
      } catch {
        /* thread ended between readdir and read */
      }
    }
    return total;
  } catch {
    return undefined;
  }
}

interface Snapshot {
  daemonCpu?: CgroupCpu;
  daemonSwitches?: SwitchCounts;
  self: ProcessTimes;
  system: SystemTimes;
  atMs: number;
}

function sumSwitches(counts: Array<SwitchCounts | undefined>): SwitchCounts | undefined {
  const known = counts.filter((count): count is SwitchCounts => count !== undefined);
  if (known.length === 0) return undefined;
  return known.reduce((total, count) => ({ voluntary: total.voluntary + count.voluntary, involuntary: total.involuntary + count.involuntary }), { voluntary: 0, involuntary: 0 });
}

function snapshot(mount: Pick<Mount, 'daemonPid' | 'daemonCgroup'>): Snapshot {
  const self = readProcessTimes('self');
  if (!self) throw new Error('cannot read /proc/self/stat');
  const { daemonPid, daemonCgroup } = mount;
  const times = daemonPid !== undefined && !daemonCgroup ? readProcessTimes(daemonPid) : undefined;
  return {
    daemonCpu: daemonCgroup ? daemonCgroup.cpu() : times && { userSeconds: ticksToSeconds(times.utimeTicks), systemSeconds: ticksToSeconds(times.stimeTicks) },
    daemonSwitches: daemonCgroup ? sumSwitches(daemonCgroup.pids().map(readThreadSwitches)) : daemonPid !== undefined ? readThreadSwitches(daemonPid) : undefined,
    self,
    system: parseSystemStat(readFileSync('/proc/stat', 'utf8')),
    atMs: performance.now(),
  };
}

/** Metrics and details from two snapshots; pure, for tests. */
export function procOutput(
  before: Snapshot,
  after: Snapshot,
  workload: { seconds: number; method: string } | undefined,
  outcome: { ioCount: number; bytes: number },
): CollectorOutput {
  const metrics: Record<string, number> = {};
  const cost = (prefix: string, seconds: number) => {
    if (outcome.ioCount > 0) metrics[`${prefix}CpuUsPerIo`] = (seconds * 1e6) / outcome.ioCount;
    if (outcome.bytes > 0) metrics[`${prefix}CpuSecondsPerGiB`] = seconds / (outcome.bytes / GIB);
  };
  const details: Record<string, unknown> = { windowSeconds: (after.atMs - before.atMs) / 1000, clockTicksPerSecond: USER_HZ };
  if (before.daemonCpu && after.daemonCpu) {
    const user = after.daemonCpu.userSeconds - before.daemonCpu.userSeconds;
    const system = after.daemonCpu.systemSeconds - before.daemonCpu.systemSeconds;
    cost('daemon', user + system);
    details.daemonCpuSeconds = { user, system };
  }
  if (before.daemonSwitches && after.daemonSwitches) {
    details.daemonContextSwitches = {
      voluntary: after.daemonSwitches.voluntary - before.daemonSwitches.voluntary,
      involuntary: after.daemonSwitches.involuntary - before.daemonSwitches.involuntary,
    };
  }
  if (workload) {
    cost('workload', workload.seconds);
    details.workloadCpuSeconds = workload.seconds;
    details.workloadCpuMethod = workload.method;
  }
  const systemSeconds = ticksToSeconds(after.system.busyTicks - before.system.busyTicks);
  cost('system', systemSeconds);
  details.systemCpuSeconds = systemSeconds;
  details.systemIdleSeconds = ticksToSeconds(after.system.idleTicks - before.system.idleTicks);
  return { metrics, details: { proc: details } };
}

/** The daemon's peak memory, and how it was read (the cgroup's, or one pid's VmHWM). */
function daemonPeakMemory(mount: Pick<Mount, 'daemonPid' | 'daemonCgroup'>): { mib: number; method: string } | undefined {
  if (mount.daemonCgroup) return mount.daemonCgroup.memoryPeak();
  if (mount.daemonPid === undefined) return undefined;
  const kib = peakRssKiB(mount.daemonPid);
  return kib === undefined ? undefined : { mib: kib / 1024, method: 'VmHWM of the daemon process' };
}

export function procCollector(): Collector {
  return {
    name: 'proc',
    async start({ mount }): Promise<CollectorSession> {
      const before = snapshot(mount);
      let workloadPid: number | undefined;
      let workloadIsOurChild = false;
      return {
        workloadStarted(pid) {
          workloadPid = pid;
          workloadIsOurChild = readProcessTimes(pid)?.ppid === process.pid;
        },
        async stop(outcome) {
          // First thing, synchronously: before any other collector's process is ended and reaped.
          const after = snapshot(mount);
          let workload: { seconds: number; method: string } | undefined;
          if (workloadPid !== undefined) {
            const live = readProcessTimes(workloadPid);
            if (live && !workloadIsOurChild) {
              workload = { seconds: ticksToSeconds(live.utimeTicks + live.stimeTicks + live.cutimeTicks + live.cstimeTicks), method: '/proc/PID/stat of the live workload (with its reaped children)' };
            } else if (!live && workloadIsOurChild) {
              const ticks = after.self.cutimeTicks + after.self.cstimeTicks - (before.self.cutimeTicks + before.self.cstimeTicks);
              workload = { seconds: ticksToSeconds(ticks), method: 'cutime+cstime of the harness (the workload and its children, reaped)' };
            }
          }
          const output = procOutput(before, after, workload, outcome);
          const proc = output.details!.proc as Record<string, unknown>;
          const peak = daemonPeakMemory(mount);
          if (peak !== undefined) {
            output.metrics = { ...output.metrics, daemonPeakRssMiB: peak.mib };
            proc.daemonPeakMemoryMethod = peak.method;
          }
          if (before.daemonCpu) proc.daemonCpuMethod = mount.daemonCgroup ? "cpu.stat of the daemon's cgroup (every process, µs)" : '/proc/PID/stat of the daemon process (10 ms ticks)';
          if (workloadPid !== undefined && !workload) proc.workloadCpuMethod = 'not measured: the workload was still running at stop';
          return output;
        },
      };
    },
  };
}
