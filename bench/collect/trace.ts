/**
 * The trace collector: FUSE requests of the mount under test by opcode, their latency (send → end on
 * the same unique), and syscalls and context switches of the daemon and of the workload, counted in
 * the kernel by one bpftrace program (trace-script.ts) and read once at stop (trace-parse.ts).
 *
 * Lifecycle of the bpftrace process: registered with `cleanups` and the run's pid list the moment it
 * exists; start() returns only once every probe is attached (it answers a SIGWINCH we send ourselves); stop()
 * sends SIGINT, which makes bpftrace print its maps and exit, and ends it by pid if it does not.
 * bpftrace attaches through perf_event_open, so no tracefs instance is created or left behind.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { trackChild } from '../processes.js';
import type { Mount } from '../backends/types.js';
import { cleanups } from '../cleanup.js';
import { errorMessage, UserError } from '../errors.js';
import { findMount, run, sleep, terminate } from '../system.js';
import type { RequestCountsBoard } from './board.js';
import { waitForIdleConnection } from './quiesce.js';
import { parseTraceOutput, type TraceCounts } from './trace-parse.js';
import { bpftraceScript, kernelDev, READY_LINE } from './trace-script.js';
import type { Collector, CollectorOutput, CollectorSession } from './types.js';

export interface TraceCollectorOptions {
  /** Where the daemon-stats collector picks up the request counts for its cross-check. */
  board?: RequestCountsBoard;
  /** Program name of the workload's root process (default fio); null: whatever the harness starts. */
  workloadComm?: string | null;
  bpftrace?: string;
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** Also count syscalls and context switches (system-wide probes, costly: see trace-script.ts). */
  syscalls?: boolean;
}

export const TRACEFS = '/sys/kernel/tracing';
/** Named so that `cleanup` recognises a leftover bpftrace by its command line (it looks for "fusebench"). */
export const TRACE_SCRIPT_FILE = 'fusebench-trace.bt';
export const TRACE_OUTPUT_FILE = 'fusebench-trace.jsonl';

/** bpftrace reads tracepoint formats from tracefs, which is not mounted at boot on these machines. */
export async function ensureTracefs(): Promise<void> {
  if (existsSync(path.join(TRACEFS, 'events'))) return;
  await run('mount', ['-t', 'tracefs', 'nodev', TRACEFS], 'mounting tracefs');
}

/** The kernel dev_t the fuse tracepoints call `connection`: the FUSE connection, or the mount's device. */
export function connectionOf(mount: Mount): number {
  if (mount.fuseConnection !== undefined) return kernelDev(0, mount.fuseConnection);
  const entry = findMount(mount.mountpoint);
  const [major, minor] = (entry?.device ?? '').split(':').map(Number);
  if (major === undefined || minor === undefined || !Number.isFinite(major) || !Number.isFinite(minor)) {
    throw new Error(`trace: ${mount.mountpoint} is not mounted, no device to filter on`);
  }
  return kernelDev(major, minor);
}

const perIo = (value: number, ioCount: number) => (ioCount > 0 ? value / ioCount : undefined);

export const FUSE_SEND_EVENT = '/sys/kernel/tracing/events/fuse/fuse_request_send';

/** requestsTotal, requestsPerIo and requestsPerIo:<OPCODE>, from whichever source counted them. */
export function requestMetrics(requestsByOpcode: Record<string, number>, ioCount: number): Record<string, number> {
  const metrics: Record<string, number> = {};
  const total = Object.values(requestsByOpcode).reduce((a, b) => a + b, 0);
  metrics.requestsTotal = total;
  const set = (name: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) metrics[name] = value;
  };
  set('requestsPerIo', perIo(total, ioCount));
  for (const [name, count] of Object.entries(requestsByOpcode)) set(`requestsPerIo:${name}`, perIo(count, ioCount));
  return metrics;
}

/** Metrics and details of one traced run; pure, for tests on recorded output. */
export function traceOutput(counts: TraceCounts, outcome: { ioCount: number }, facts: { connection: number; daemon: boolean; workloadPid?: number; fuseTracepoints?: boolean; syscalls?: boolean }): CollectorOutput {
  const metrics: Record<string, number> = {};
  const set = (name: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) metrics[name] = value;
  };
  const fuseTraced = facts.fuseTracepoints !== false;
  if (fuseTraced) Object.assign(metrics, requestMetrics(counts.requestsByOpcode, outcome.ioCount));
  for (const [name, latency] of Object.entries(counts.latencyByOpcode)) {
    set(`requestLatencyP50Us:${name}`, latency.p50Us);
    set(`requestLatencyP99Us:${name}`, latency.p99Us);
    set(`requestLatencyMaxUs:${name}`, latency.maxUs);
  }
  const switches = (s: { voluntary: number; involuntary: number }) => s.voluntary + s.involuntary;
  const tasksCounted = facts.syscalls !== false;
  if (facts.daemon && tasksCounted) {
    set('daemonSyscallsPerIo', perIo(counts.daemonSyscalls, outcome.ioCount));
    set('daemonContextSwitchesPerIo', perIo(switches(counts.daemonSwitches), outcome.ioCount));
  }
  const workloadTracked = tasksCounted && facts.workloadPid !== undefined && counts.workloadTasks.includes(facts.workloadPid);
  if (workloadTracked) {
    set('workloadSyscallsPerIo', perIo(counts.workloadSyscalls, outcome.ioCount));
    set('workloadContextSwitchesPerIo', perIo(switches(counts.workloadSwitches), outcome.ioCount));
  }
  set('lostEvents', counts.lostEvents);
  return {
    metrics,
    requestsByOpcode: fuseTraced ? counts.requestsByOpcode : undefined,
    details: {
      trace: {
        ...(tasksCounted ? {} : { syscallsAndSwitches: 'not counted: opt-in with --trace-all (its system-wide probes cost plain FUSE 4 KiB reads 10-20% of their throughput)' }),
        ...(fuseTraced ? {} : { fuseRequests: 'not traced: this kernel has no fuse tracepoints (they arrived in 6.12); our daemon\'s own counters give requests per opcode' }),
        method: 'bpftrace, in-kernel maps (no per-event output, so no loss but what lostEvents reports)',
        connection: facts.connection,
        requestLatencyByOpcode: counts.latencyByOpcode,
        requestErrorsByOpcode: counts.errorsByOpcode,
        unpairedEnds: counts.unpairedEnds,
        inFlightAtStop: counts.inFlightAtStop,
        otherConnections: counts.otherConnections,
        daemonSyscalls: facts.daemon ? counts.daemonSyscalls : undefined,
        daemonSyscallsById: facts.daemon ? counts.daemonSyscallsById : undefined,
        daemonContextSwitches: facts.daemon ? counts.daemonSwitches : undefined,
        workloadSyscalls: counts.workloadSyscalls,
        workloadContextSwitches: counts.workloadSwitches,
        workloadTasks: counts.workloadTasks.length,
        // False when the workload's pid never joined the traced tree (its per-I/O metrics are left out).
        workloadTracked,
        lostEvents: counts.lostEvents,
      },
    },
  };
}

export function traceCollector(options: TraceCollectorOptions = {}): Collector {
  const bpftrace = options.bpftrace ?? 'bpftrace';
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
  return {
    name: 'trace',
    async start(target): Promise<CollectorSession> {
      const { mount } = target;
      const publish = options.board?.post(mount);
      try {
        await ensureTracefs();
        const connection = connectionOf(mount);
        const scriptFile = path.join(target.workDir, TRACE_SCRIPT_FILE);
        const fuseTracepoints = existsSync(FUSE_SEND_EVENT);
        writeFileSync(scriptFile, bpftraceScript({ connection, daemonPid: mount.daemonPid, daemonCgroupId: mount.daemonCgroup?.id, harnessPid: process.pid, workloadComm: options.workloadComm === undefined ? 'fio' : options.workloadComm, fuseTracepoints, syscalls: options.syscalls === true, latency: options.syscalls === true }));
        let tracer: Awaited<ReturnType<typeof startBpftrace>>;
        try {
          tracer = await startBpftrace(bpftrace, scriptFile, { readyTimeoutMs, recordPid: target.recordPid });
        } catch (error) {
          // A kernel without what bpftrace needs (no BTF and no usable headers, as on small guest
          // kernels) is reported, not a failed run: the record says why nothing was traced, and the
          // daemon's own counters still give requests per opcode.
          const reason = `not traced: ${errorMessage(error)}`;
          publish?.(undefined);
          return { stop: async () => ({ details: { trace: { unavailable: reason } } }) };
        }
        let workloadPid: number | undefined;
        let stopped: Promise<CollectorOutput> | undefined;
        return {
          workloadStarted(pid) {
            workloadPid = pid;
          },
          stop(outcome) {
            stopped ??= (async () => {
              try {
                if (mount.fuseConnection !== undefined) await waitForIdleConnection(mount.fuseConnection);
                const { stdout, stderr, sigints, bpfRun } = await tracer.stop(stopTimeoutMs);
                // Kept beside the script for a look by hand (and to record test fixtures from).
                writeFileSync(path.join(target.workDir, TRACE_OUTPUT_FILE), stdout);
                const counts = parseTraceOutput(stdout, stderr);
                const output = traceOutput(counts, outcome, { connection, daemon: mount.daemonPid !== undefined || mount.daemonCgroup !== undefined, workloadPid, fuseTracepoints, syscalls: options.syscalls === true });
                // More than 1: bpftrace did not react to the first SIGINT in time (see startBpftrace).
                Object.assign(output.details!.trace as object, { sigintsToStop: sigints, ...(bpfRun ? { bpfRunTimeNs: bpfRun.runTimeNs, bpfRunCount: bpfRun.runCount } : {}) });
                // Without fuse tracepoints nothing was counted: say so to the daemon-stats collector.
                publish?.(fuseTracepoints ? counts.requestsByOpcode : undefined);
                return output;
              } finally {
                publish?.(undefined);
              }
            })();
            return stopped;
          },
        };
      } catch (error) {
        publish?.(undefined);
        throw error;
      }
    },
  };
}

export interface BpfRunTime {
  runTimeNs: number;
  runCount: number;
}

/**
 * Time spent inside our BPF programs so far, from the fdinfo of bpftrace's program fds. The kernel
 * keeps it only while sysctl kernel.bpf_stats_enabled is 1 (bench/scripts/trace-overhead.ts turns it on); otherwise
 * undefined. It is the in-kernel cost of the tracing, short of tracepoint dispatch.
 */
export function bpfProgramRunTime(pid: number): BpfRunTime | undefined {
  let total: BpfRunTime | undefined;
  try {
    for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
      let text: string;
      try {
        text = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
      } catch {
        continue;
      }
      const runTime = /^run_time_ns:\s*(\d+)/m.exec(text);
      const runCount = /^run_cnt:\s*(\d+)/m.exec(text);
      if (!/^prog_type:/m.test(text) || !runTime || !runCount) continue;
      total ??= { runTimeNs: 0, runCount: 0 };
      total.runTimeNs += Number(runTime[1]);
      total.runCount += Number(runCount[1]);
    }
  } catch {
    return undefined;
  }
  return total && total.runCount > 0 ? total : undefined;
}

interface Tracer {
  pid: number;
  stop(timeoutMs: number): Promise<{ stdout: string; stderr: string; sigints: number; bpfRun?: BpfRunTime }>;
}

async function startBpftrace(binary: string, scriptFile: string, options: { readyTimeoutMs: number; recordPid?: (pid: number) => void }): Promise<Tracer> {
  const child: ResultPromise = execa(binary, ['-f', 'json', scriptFile], {
    reject: false,
    stdin: 'ignore',
    buffer: false,
    cleanup: true,
    // Room for every request in flight at once (@start) and every syscall number; the default is 4096.
    env: { BPFTRACE_MAP_KEYS_MAX: '65536' },
  });
  trackChild(child, 'bpftrace');
  const pid = child.pid;
  if (pid === undefined) {
    await child;
    throw new UserError(`could not start ${binary}`, 'Install bpftrace (npm run setup), or run with --no-trace.');
  }
  const cleanup = cleanups.push(`end bpftrace ${pid}`, () => terminate(pid));
  options.recordPid?.(pid);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exited = false;
  const exit = child.then(() => {
    exited = true;
  });
  const failure = (what: string) => {
    const detail = stderr.split('\n').filter((line) => line.trim() && !line.includes('RLIMIT_MEMLOCK')).slice(-5).join(' / ');
    return new UserError(`trace: bpftrace ${what}${detail ? `: ${detail}` : ''}`, 'Check that bpftrace works (bpftrace -e \'BEGIN { exit(); }\'), or run with --no-trace.');
  };

  const deadline = Date.now() + options.readyTimeoutMs;
  while (!stdout.includes(READY_LINE)) {
    if (exited || Date.now() > deadline) {
      await terminate(pid);
      await exit;
      cleanup.dismiss();
      throw failure(exited ? 'exited before it was ready' : `was not ready within ${options.readyTimeoutMs / 1000} s`);
    }
    // The readiness probe fires on a SIGWINCH to ourselves, whose default action is to ignore it.
    process.kill(process.pid, 'SIGWINCH');
    await sleep(20);
  }

  return {
    pid,
    async stop(timeoutMs) {
      try {
        if (exited) throw failure('exited before the workload ended');
        const exitedWithin = (ms: number) => Promise.race([exit.then(() => true), sleep(ms).then(() => false)]);
        process.kill(pid, 'SIGINT');
        // Once, in early trials, bpftrace did not exit within 30 s of a SIGINT: try a second one before giving up.
        const bpfRun = bpfProgramRunTime(pid);
        let sigints = 1;
        let done = await exitedWithin(timeoutMs / 2);
        if (!done && !exited) {
          sigints++;
          process.kill(pid, 'SIGINT');
          done = await exitedWithin(timeoutMs / 2);
        }
        if (!done) {
          await terminate(pid);
          await exit;
          throw failure(`did not print its maps within ${timeoutMs / 1000} s of SIGINT`);
        }
        return { stdout, stderr, sigints, bpfRun };
      } finally {
        if (!exited) await terminate(pid);
        cleanup.dismiss();
      }
    },
  };
}
