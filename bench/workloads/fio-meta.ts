/**
 * engine 'fio-meta': fio's own metadata engines (filecreate, filestat, filedelete), the second opinion
 * next to the tinybench ops of meta.ts: a C loop with fio's clock, no JS in the timed path.
 *
 * Each op happens once per file: filecreate open(O_CREAT)s nrfiles new files, filestat stat()s them,
 * filedelete unlink()s them. fio times only that call (its clat); its bandwidth means nothing here, so
 * only IOPS and clat are read. fio's runtime has millisecond resolution, so opsPerSecond of a short job
 * is coarse; the clat percentiles are not.
 *
 * Set-up (untimed): the files filestat and filedelete need are laid out by prepare() in meta-<workload>/, 4 KiB each, so
 * fio finds them at the right size and lays out nothing itself; filecreate gets an empty directory.
 * As in meta.ts, the lifecycle calls prepare/cleanup outside the collectors' window, so run() makes no
 * set-up calls (setupOpsInWindow 0). fio's own start-up still stats every file about three times
 * before the timed loop (seen with strace, fio 3.33), and those requests are in the counts.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Workload } from '../profiles.js';
import { extractFioJson, runFio } from './fio.js';
import { renderJobFile } from './fio-options.js';
import type { WorkloadContext, WorkloadOutcome, WorkloadRunner } from './index.js';
import { metaFixtureRunner } from './meta.js';
import { createFile, removeTree, Tally } from './meta-fixture.js';

export type FioMetaWorkload = Extract<Workload, { engine: 'fio-meta' }>;

const FILE_BYTES = 4096;

export const fioMetaDir = (name: string) => `meta-${name}`;
/** fio's filename_format; prepare lays out the same names. */
const fileName = (index: number) => `f.${index}`;

/** The job file as fio reads it; its first line says which measure the record comes from. */
export function fioMetaJobFile(workload: FioMetaWorkload, mountpoint: string): string {
  const options: Array<[string, string | number]> = [
    ['ioengine', workload.ioengine],
    ['directory', path.join(mountpoint, fioMetaDir(workload.name))],
    ['filename_format', 'f.$filenum'],
    ['nrfiles', workload.nrfiles],
    // A size is required for fio to run at all; with existing files of this size it writes nothing.
    ['filesize', FILE_BYTES],
    ['fallocate', 'none'],
    ['invalidate', 0],
    ['unlink', 0],
    ['group_reporting', 1],
    ['percentile_list', '50:90:99:99.9'],
    // filecreate: create at the timed open, not in fio's set-up; one file open at a time.
    ...(workload.ioengine === 'filecreate' ? ([['create_on_open', 1], ['openfiles', 1]] as Array<[string, number]>) : []),
    ...(workload.ioengine === 'filestat' ? ([['stat_type', 'stat']] as Array<[string, string]>) : []),
  ];
  return renderJobFile({ suite: options }, workload.name, `# fusebench measure: fio-${workload.ioengine} (${workload.nrfiles} files, one op each)\n`);
}

interface FioMetaDirection {
  iops: number;
  total_ios: number;
  clat_ns: { mean: number; N?: number; percentile?: Record<string, number> };
}

interface FioMetaJob {
  jobname: string;
  error: number;
  read?: FioMetaDirection;
  write?: FioMetaDirection;
  job_runtime: number;
  usr_cpu: number;
  sys_cpu: number;
  ctx: number;
}

/**
 * Pure: fio's JSON of a metadata engine to the suite's metrics. The engines log their samples on the
 * job's data direction (read unless rw says write), so the side that did the I/O is the one read.
 */
export function parseFioMetaJson(document: unknown): { fioVersion: string; metrics: Record<string, number> } {
  const doc = document as { 'fio version'?: string; jobs?: FioMetaJob[] };
  const job = doc.jobs?.[0];
  if (!job) throw new UserError('fio JSON has no jobs');
  if (job.error !== 0) throw new UserError(`fio job ${job.jobname} reported error ${job.error}`);
  const side = [job.read, job.write].find((direction) => direction !== undefined && direction.total_ios > 0);
  if (!side) throw new UserError(`fio job ${job.jobname} completed no operations`);
  const percentile = (key: string) => side.clat_ns.percentile?.[key];
  const metrics: Record<string, number> = {
    opsPerSecond: side.iops,
    opLatencyMeanUs: side.clat_ns.mean / 1000,
    ioCount: side.total_ios,
    fioUserCpuPct: job.usr_cpu,
    fioSystemCpuPct: job.sys_cpu,
    fioContextSwitches: job.ctx,
    runtimeSeconds: job.job_runtime / 1000,
  };
  const p50 = percentile('50.000000');
  const p99 = percentile('99.000000');
  if (p50 !== undefined) metrics.opLatencyP50Us = p50 / 1000;
  if (p99 !== undefined) metrics.opLatencyP99Us = p99 / 1000;
  return { fioVersion: doc['fio version'] ?? 'unknown', metrics };
}

/** Lays out what the engine needs in fio-<name>/ (after removing what a killed run left behind). */
export function prepareFioMetaFiles(mountpoint: string, workload: FioMetaWorkload, tally = new Tally()): Tally {
  const dir = path.join(mountpoint, fioMetaDir(workload.name));
  removeTree(dir, tally);
  mkdirSync(dir);
  tally.add();
  if (workload.ioengine !== 'filecreate') {
    for (let index = 0; index < workload.nrfiles; index++) createFile(path.join(dir, fileName(index)), FILE_BYTES, tally);
  }
  return tally;
}

export function fioMetaRunner(workload: FioMetaWorkload): WorkloadRunner {
  return {
    ...metaFixtureRunner(workload, fioMetaDir(workload.name), (mountpoint) => prepareFioMetaFiles(mountpoint, workload)),
    async run(context: WorkloadContext): Promise<WorkloadOutcome> {
      const spec = fioMetaJobFile(workload, context.mountpoint);
      const fio = await runFio(spec, context.workDir, { onStart: context.onStart, signal: context.signal, timeoutMs: 300_000 });
      // runFio parses for the data engines (bandwidth…); the metadata view reads the same output file.
      const { metrics } = parseFioMetaJson(extractFioJson(readFileSync(path.join(context.workDir, 'fio.json'), 'utf8')));
      const measure = `fio-${workload.ioengine}`;
      return {
        metrics: { ...metrics, setupOpsInWindow: 0 },
        spec,
        fioVersion: fio.result.fioVersion,
        details: { measure, setupInWindow: false },
      };
    },
  };
}
