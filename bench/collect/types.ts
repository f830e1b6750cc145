/**
 * Collectors measure around the workload: started after the mount is ready and the cache is in the
 * requested state, stopped as soon as the workload ends. What they return is merged into the record.
 */
import type { Mount } from '../backends/types.js';

export interface CollectorOutput {
  metrics?: Record<string, number>;
  requestsByOpcode?: Record<string, number>;
  details?: Record<string, unknown>;
}

export interface CollectorSession {
  /** The workload's process exists now (fio's pid); collectors that count it start watching it. */
  workloadStarted?(pid: number): void;
  /** Stop counting and return what was measured. Must release everything it created, even on error. */
  stop(outcome: { ioCount: number; bytes: number }): Promise<CollectorOutput>;
}

export interface CollectorTarget {
  mount: Mount;
  workDir: string;
  /** Records a process the collector started (bpftrace…) in the run's pid list, for `cleanup`. */
  recordPid?: (pid: number) => void;
}

export interface Collector {
  name: string;
  start(target: CollectorTarget): Promise<CollectorSession>;
}

/** Context switches of a process or a set of threads, as /proc and sched_switch both count them. */
export interface SwitchCounts {
  voluntary: number;
  involuntary: number;
}
