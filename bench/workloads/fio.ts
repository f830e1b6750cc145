/**
 * fio: job files generated from the profile, run through execa with JSON output, parsed into metrics.
 * fio's own numbers cover fio's process only; the daemon's cost is measured by the collectors.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { endProcessesReferencing, trackChild } from '../processes.js';
import { UserError } from '../errors.js';
import type { FioWorkload } from '../profiles.js';
import { renderJobFile, type FioOptionValue } from './fio-options.js';

export interface FioJobInput {
  workload: FioWorkload;
  /** Files the job reads or writes, inside the mount under test. */
  files: string[];
  fileSizeBytes: number;
  runtimeSeconds: number;
}

/** The job file as fio reads it. Kept in every record, so anyone can rerun the exact job by hand. */
export function fioJobFile(input: FioJobInput): string {
  const { workload } = input;
  const options: Array<[string, FioOptionValue]> = [
    ['ioengine', workload.ioengine],
    ['rw', workload.rw],
    ['bs', workload.bs],
    ['numjobs', workload.numjobs],
    ['iodepth', workload.iodepth],
    ['direct', workload.direct ? 1 : 0],
    // Colons separate file names in fio's filename=; our scratch paths never contain one.
    ['filename', input.files.join(':')],
    ['size', input.files.length * input.fileSizeBytes],
    ['time_based', 1],
    ['runtime', input.runtimeSeconds],
    // The ramp runs before this job as a job of its own (workloads/index.ts), so nothing of it is in the
    // measured numbers; 0 is written out so the job file says so.
    ['ramp_time', 0],
    // fio drops the file's page cache at the start of every pass over it (its default, kept explicit):
    // otherwise a FUSE mount's own page cache serves every pass after the first and the path under
    // test is never measured. "warm" and "cold" are about the lower file system's cache.
    ['invalidate', 1],
    ['group_reporting', 1],
    ['percentile_list', '50:90:99:99.9'],
    ...(workload.fsync > 0 ? ([['fsync', workload.fsync]] as Array<[string, number]>) : []),
  ];
  // A sweep point's name has its parameters after a space; the job is named after its workload.
  return renderJobFile({ suite: options, profile: Object.entries(workload.fioOptions) }, workload.point?.sweep ?? workload.name);
}

/** fio can print error lines before its JSON; the document starts at the first '{'. */
export function extractFioJson(output: string): unknown {
  const start = output.indexOf('{');
  if (start < 0) throw new UserError(`fio wrote no JSON: ${output.trim().split('\n').slice(0, 3).join(' / ') || '(empty output)'}`);
  try {
    return JSON.parse(output.slice(start));
  } catch (error) {
    throw new UserError(`fio's JSON output could not be parsed: ${(error as Error).message}`);
  }
}

interface FioDirection {
  bw_bytes: number;
  iops: number;
  total_ios: number;
  runtime: number;
  clat_ns: { mean: number; percentile?: Record<string, number> };
}

interface FioJob {
  jobname: string;
  'job options'?: Record<string, string>;
  error: number;
  read: FioDirection;
  write: FioDirection;
  job_runtime: number;
  usr_cpu: number;
  sys_cpu: number;
  ctx: number;
}

export interface FioResult {
  fioVersion: string;
  metrics: Record<string, number>;
}

const MiB = 1024 * 1024;
const percentileKeys: Array<[string, string]> = [
  ['50.000000', 'P50'],
  ['90.000000', 'P90'],
  ['99.000000', 'P99'],
  ['99.900000', 'P999'],
];

function directionMetrics(prefix: 'read' | 'write', data: FioDirection): Record<string, number> {
  if (!data || data.total_ios === 0) return {};
  const metrics: Record<string, number> = {
    [`${prefix}BandwidthMiBps`]: data.bw_bytes / MiB,
    [`${prefix}Iops`]: data.iops,
    [`${prefix}LatencyMeanUs`]: data.clat_ns.mean / 1000,
  };
  for (const [key, suffix] of percentileKeys) {
    const value = data.clat_ns.percentile?.[key];
    if (value !== undefined) metrics[`${prefix}Latency${suffix}Us`] = value / 1000;
  }
  return metrics;
}

/** Pure: fio's JSON document to the suite's metrics (names carry their units). */
export function parseFioJson(document: unknown): FioResult {
  const doc = document as { 'fio version'?: string; 'global options'?: Record<string, string>; jobs?: FioJob[] };
  const job = doc.jobs?.[0];
  if (!job) throw new UserError('fio JSON has no jobs');
  if (job.error !== 0) throw new UserError(`fio job ${job.jobname} reported error ${job.error}`);
  const ioCount = (job.read?.total_ios ?? 0) + (job.write?.total_ios ?? 0);
  // With group_reporting, job_runtime is the sum over the group's jobs, not the time the run took.
  const jobCount = Number(doc['global options']?.numjobs ?? job['job options']?.numjobs ?? 1) || 1;
  return {
    fioVersion: doc['fio version'] ?? 'unknown',
    metrics: {
      ...directionMetrics('read', job.read),
      ...directionMetrics('write', job.write),
      fioUserCpuPct: job.usr_cpu,
      fioSystemCpuPct: job.sys_cpu,
      fioContextSwitches: job.ctx,
      ioCount,
      runtimeSeconds: job.job_runtime / 1000 / jobCount,
    },
  };
}

export interface FioRun {
  jobFile: string;
  result: FioResult;
  /** The workload's pid, for the collectors. */
  pid?: number;
}

/**
 * Runs one fio job. Failures carry fio's own stderr. `onStart` gets fio's pid the moment it exists,
 * for cleanup and for the collectors that count the workload's syscalls.
 */
export async function runFio(jobText: string, workDir: string, options: { onStart?: (pid: number) => void; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<FioRun> {
  const jobFile = path.join(workDir, 'job.fio');
  const outputFile = path.join(workDir, 'fio.json');
  writeFileSync(jobFile, jobText);
  const child = execa('fio', ['--output-format=json', `--output=${outputFile}`, jobFile], {
    reject: false,
    stdin: 'ignore',
    cancelSignal: options.signal,
    timeout: options.timeoutMs,
    forceKillAfterDelay: 2000,
  });
  trackChild(child, 'fio');
  // fio forks a process per job, which outlives a fio killed by SIGKILL and holds its output pipes
  // open, so the result would never come: once fio itself has exited, end what is left of its jobs.
  child.once('exit', () => void endProcessesReferencing(jobFile));
  if (child.pid !== undefined) options.onStart?.(child.pid);
  const result = await child;
  if (result.failed) {
    const stderr = String(result.stderr ?? '').trim();
    const reason = result.timedOut ? `fio timed out after ${options.timeoutMs} ms` : result.isCanceled ? 'fio was cancelled' : `fio exited with ${result.exitCode ?? result.signal}`;
    throw new UserError(`${reason}: ${stderr.split('\n').slice(-5).join(' / ') || '(no stderr)'}`);
  }
  let output: string;
  try {
    output = readFileSync(outputFile, 'utf8');
  } catch {
    throw new UserError(`fio wrote no output file ${outputFile}: ${String(result.stderr).trim()}`);
  }
  return { jobFile: jobText, result: parseFioJson(extractFioJson(output)), pid: child.pid };
}

export async function fioVersion(): Promise<string> {
  const result = await trackChild(execa('fio', ['--version'], { reject: false, stdin: 'ignore' }), 'fio --version');
  if (result.failed) throw new UserError('fio is not installed or does not run', 'Run `npm run setup` (it installs fio with apt-get).');
  return String(result.stdout).trim();
}
