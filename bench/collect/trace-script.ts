/**
 * The bpftrace program behind the trace collector. Everything is aggregated in kernel maps (per-CPU
 * counts, no per-event output), so nothing can be lost on the way to user space; the maps are printed
 * once, as JSON, when bpftrace gets SIGINT. The only perf-buffer output is the one readiness line.
 *
 * Who is counted:
 * - FUSE requests: `fuse_request_send` whose `connection` is the mount's device (a FUSE connection id
 *   is the device number of the mount). A bind mount's device is never a FUSE connection, so the same
 *   program measures its zero; requests of other connections are counted apart, as a noise check.
 * - The daemon: every task of its cgroup (bpftrace's `cgroup` is the cgroup2 id, the directory's inode
 *   number), so forks and daemonized children count; without a cgroup, every thread of its thread
 *   group (`pid` in bpftrace is the tgid).
 * - The workload: the process tree rooted at what the harness execs while tracing, kept only when the
 *   exec'd program is `workloadComm` (fio); descendants join at fork, exits leave. fio runs each job in
 *   a forked process (psync, numjobs=1 included), which a filter on fio's pid alone would miss, and
 *   a filter on comm == "fio" would also count a fio that is not ours.
 */

export interface TraceScriptOptions {
  /** Kernel dev_t of the mount under test (major << 20 | minor); FUSE connections have major 0. */
  connection: number;
  daemonPid?: number;
  /** The daemon's cgroup id: preferred over daemonPid, since it covers every process of the daemon. */
  daemonCgroupId?: number;
  /** The process that spawns the workload (the harness) and makes the readiness syscall. */
  harnessPid: number;
  /** Program name the workload's root process execs; null counts everything the harness starts. */
  workloadComm: string | null;
  /** False on kernels before 6.12, which have no fuse tracepoints: those probes are left out. */
  fuseTracepoints?: boolean;
  /**
   * Count syscalls and context switches of the daemon and the workload. These probes fire for every
   * syscall and switch on the machine, which costs plain FUSE 4 KiB reads about a fifth of their
   * throughput here (npm run bench:trace-overhead), so they are opt-in (--trace-all).
   */
  syscalls?: boolean;
  /** Pair send and end per request for latency per opcode (two hash updates per request: opt-in too). */
  latency?: boolean;
}

/** Printed once every probe is attached (the readiness probe is attached last). */
export const READY_LINE = 'fusebench-trace-ready';

/**
 * Latency buckets: 8 linear sub-buckets per power of two of the nanosecond latency (key =
 * exponent * 8 + sub-bucket), so a percentile read off them is within 12.5 % of the true value.
 * bpftrace's hist() has one bucket per power of two, too coarse for p50/p99.
 */
const LATENCY_BUCKET = `
  $v = $ns;
  $e = (uint64)0;
  if ($v >= 4294967296) { $e += 32; $v = $v >> 32; }
  if ($v >= 65536) { $e += 16; $v = $v >> 16; }
  if ($v >= 256) { $e += 8; $v = $v >> 8; }
  if ($v >= 16) { $e += 4; $v = $v >> 4; }
  if ($v >= 4) { $e += 2; $v = $v >> 2; }
  if ($v >= 2) { $e += 1; }
  $sub = $e >= 3 ? ($ns >> ($e - 3)) & 7 : $ns & 7;`;

export function bpftraceScript(options: TraceScriptOptions): string {
  const { connection, daemonPid, daemonCgroupId, harnessPid, workloadComm } = options;
  for (const value of [connection, harnessPid, daemonPid ?? 1, daemonCgroupId ?? 1]) {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`bpftrace script: bad number ${value}`);
  }
  if (workloadComm !== null && !/^[\w.+-]{1,15}$/.test(workloadComm)) throw new Error(`bpftrace script: bad comm ${workloadComm}`);
  const daemonTest = daemonCgroupId !== undefined ? `cgroup == ${daemonCgroupId}` : daemonPid !== undefined ? `pid == ${daemonPid}` : undefined;
  const daemon = (body: string) => (daemonTest ? `if (${daemonTest}) { ${body} } else ` : '');
  const joinWorkload = workloadComm === null ? '@workload[pid] = 1; @workloadTasks[pid] = 1;' : `if (comm == "${workloadComm}") { @workload[pid] = 1; @workloadTasks[pid] = 1; }`;
  const pairing = options.latency !== false;
  const fuseProbes = options.fuseTracepoints === false ? '// no fuse tracepoints in this kernel (they arrived in 6.12)\n' : `tracepoint:fuse:fuse_request_send {
  if (args->connection == ${connection}) {
    @requests[args->opcode] = count();${pairing ? `
    @start[args->unique] = nsecs;
    @opcode[args->unique] = args->opcode;` : ''}
  } else {
    @otherConnections[args->connection] = count();
  }
}
${pairing ? `
tracepoint:fuse:fuse_request_end /args->connection == ${connection}/ {
  $t = @start[args->unique];
  if ($t == 0) { @unpairedEnds = count(); return; }
  $ns = nsecs - $t;
  $o = @opcode[args->unique];
  delete(@start[args->unique]);
  delete(@opcode[args->unique]);${LATENCY_BUCKET}
  @latency[$o, $e * 8 + $sub] = count();
  @latencyMaxNs[$o] = max($ns);
  if (args->error != 0) { @errors[$o] = count(); }
}
` : ''}`;
  const taskProbes = options.syscalls === false ? '// syscalls and context switches not counted (opt-in: --trace-all)\n' : `tracepoint:sched:sched_process_fork {
  if (pid == ${harnessPid}) { @spawned[args->child_pid] = 1; }
  else if (@workload[pid]) { @workload[args->child_pid] = 1; @workloadTasks[args->child_pid] = 1; }
}

tracepoint:sched:sched_process_exec /@spawned[pid]/ {
  delete(@spawned[pid]);
  ${joinWorkload}
}

tracepoint:sched:sched_process_exit /@workload[tid] || @spawned[tid]/ {
  delete(@workload[tid]);
  delete(@spawned[tid]);
}

tracepoint:raw_syscalls:sys_enter {
  ${daemon('@daemonSyscalls[args->id] = count();')}if (@workload[pid]) { @workloadSyscalls[args->id] = count(); }
}

// prev_state & 0x7f: the task blocked (voluntary); 0 or TASK_REPORT_MAX: it was preempted or yielded.
tracepoint:sched:sched_switch {
  ${daemon('@daemonSwitches[(args->prev_state & 0x7f) != 0 ? 1 : 0] = count();')}if (@workload[pid]) { @workloadSwitches[(args->prev_state & 0x7f) != 0 ? 1 : 0] = count(); }
}
`;
  return `// fusebench trace collector (bench/collect/trace-script.ts)
${fuseProbes}
${taskProbes}
// Last, so that it fires only once every probe above is attached: the harness sends itself SIGWINCH
// (ignored) until it reads the line. A signal tracepoint, not a syscalls:sys_enter_* one: enabling any
// of those puts every task's syscalls on the slow tracing path, which alone cost plain FUSE 4 KiB
// reads several percent of their throughput.
tracepoint:signal:signal_generate /args->pid == ${harnessPid} && args->sig == 28 && @ready == 0/ {
  @ready = 1;
  printf("${READY_LINE}\\n");
}

END {
${options.syscalls === false ? '' : '  clear(@spawned);\n  clear(@workload);\n'}${options.fuseTracepoints === false || !pairing ? '' : '  clear(@opcode);\n'}  clear(@ready);
}
`;
}

/** The kernel's dev_t encoding (MKDEV: major << 20 | minor), which the fuse tracepoints print. */
export function kernelDev(major: number, minor: number): number {
  return major * 2 ** 20 + minor;
}
