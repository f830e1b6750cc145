/**
 * How a published row is reproduced here: the `measure` block of a reference's table. It names our
 * backend for the source's baseline column and for each subject column, and per published workload the
 * fio options a cell must have run (matched against the job file in its records, results/job-params.ts)
 * and the metric to divide. A row's own jobs, bs and iodepth join the match, so one block serves a whole
 * table of 1-32 jobs and only the points this run had are compared.
 *
 * It also says what the published setup was in the terms the report compares with ours (storage, whether
 * reads reached it, server, kernel), so the setup differences the report lists are facts about each row,
 * not prose to paste.
 */
import { z } from 'zod';
import { findBackend } from './backends/registry.js';
import type { ParamMatch } from './results/job-params.js';

const Text = z.string().trim().min(1);
const BackendName = z.string().refine((name) => findBackend(name) !== undefined, 'not a registered backend (bench/backends/registry.ts)');
const ParamValue = z.union([z.string(), z.number(), z.boolean()]);
/** fio option → the value, or the values, a cell's job file must have (results/job-params.ts spells both the same way). */
const MatchSchema = z.record(z.string().regex(/^[a-z_]+$/, 'a fio option name like rw or rwmixread'), z.union([ParamValue, z.array(ParamValue).min(1)]));
const MetricName = z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a metric name like readBandwidthMiBps (bench/results/metrics.ts)');

/** What the published lower was: the report names it beside ours (a tmpfs lower, or the directory given). */
export const StorageKind = z.enum(['hdd', 'ssd', 'nvme', 'ramdisk', 'not-stated']);
export type StorageKind = z.infer<typeof StorageKind>;

/** A row's fields that become fio options of the match, unless row_params narrows them. */
export const ROW_PARAMS = { jobs: 'numjobs', bs: 'bs', iodepth: 'iodepth' } as const;
type RowParam = keyof typeof ROW_PARAMS;

const WorkloadMeasureSchema = z.strictObject({
  match: MatchSchema,
  metric: MetricName,
  /** Which of the row's jobs, bs and iodepth to match on (default: each the row has); bs of a file-create row is a file size, not a block. */
  row_params: z.array(z.enum(['jobs', 'bs', 'iodepth'])).optional(),
});

export const FigureMeasureSchema = z.strictObject({
  /**
   * The shipped profile that reproduces this table (profiles/NAME.yaml), if one does; any run with
   * matching cells counts, whatever its profile.
   */
  profile: z.string().regex(/^[a-z0-9-]+(\/[a-z0-9-]+)?$/, 'a profile name like papers or papers/fuse-uring-scaling').optional(),
  /** Our backend in the place of the source's baseline column. */
  baseline: BackendName,
  /** The source's subject column → our backend(s) in its place; rows of a subject not listed are not measured. */
  subjects: z.record(Text, z.union([BackendName, z.array(BackendName).min(1)])),
  /** The row's workload (as the source names it) → the cells that reproduce it. */
  workloads: z.record(Text, WorkloadMeasureSchema),
  /** The published lower's storage; a row's device (hdd, ssd) overrides it. */
  storage: StorageKind,
  /** Their reads reached that storage (caches dropped, a file larger than RAM, or O_DIRECT); ours read tmpfs, i.e. memory. */
  uncached: z.boolean().default(false),
  /** The published FUSE server, in a few words; the report sets it beside our backend. */
  server: Text.optional(),
  /** The published kernel's major.minor, where the source states it. */
  kernel: z.string().regex(/^\d+\.\d+$/, 'a kernel version like 6.2').optional(),
});
export type FigureMeasure = z.infer<typeof FigureMeasureSchema>;

/** For a table of FUSE request counts: rows with a per_op figure are set against requests per I/O of the matched cells. */
export const CountMeasureSchema = z.strictObject({
  profile: FigureMeasureSchema.shape.profile,
  /** Our backend in the place of the source's configuration. */
  backend: BackendName,
  workloads: z.record(Text, z.strictObject({ match: MatchSchema })),
});
export type CountMeasure = z.infer<typeof CountMeasureSchema>;

export interface RowMeasure {
  /** The fio options a cell must have run: the workload's match plus the row's jobs, bs and iodepth. */
  match: ParamMatch;
  metric: string;
  baseline: string;
  subjects: string[];
}

/** How one published row is measured here, or undefined when its workload or subject has no counterpart. */
export function rowMeasure(measure: FigureMeasure, row: { workload: string; subject: string } & Partial<Record<RowParam, string | number>>): RowMeasure | undefined {
  const workload = measure.workloads[row.workload];
  const subject = measure.subjects[row.subject];
  if (!workload || subject === undefined) return undefined;
  const fromRow = (workload.row_params ?? (Object.keys(ROW_PARAMS) as RowParam[])).flatMap((field) => (row[field] === undefined ? [] : [[ROW_PARAMS[field], row[field]] as const]));
  return { match: { ...workload.match, ...Object.fromEntries(fromRow) }, metric: workload.metric, baseline: measure.baseline, subjects: Array.isArray(subject) ? subject : [subject] };
}
