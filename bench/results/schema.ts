/**
 * The stored result formats, versioned. Types are derived from the schemas, never written twice.
 * A run record is one line of runs.jsonl; the summary is derived from those lines only.
 */
import { z } from 'zod';

export const RESULTS_SCHEMA_VERSION = 1;

/** How the kernel under test was run: natively, or in a QEMU guest with KVM or emulated (TCG). */
export const AccelSchema = z.enum(['native', 'kvm', 'tcg']);
export type Accel = z.infer<typeof AccelSchema>;

export const EnvironmentSchema = z.object({
  kernelRelease: z.string(),
  kernelVersion: z.string(),
  cpuModel: z.string(),
  cpuCount: z.number(),
  memoryMiB: z.number(),
  fioVersion: z.string(),
  nodeVersion: z.string(),
  hostname: z.string(),
  suiteCommit: z.string(),
  suiteDirty: z.boolean(),
  commandLine: z.string(),
  profileName: z.string(),
  profileHash: z.string(),
  profileText: z.string(),
  resolvedProfile: z.unknown(),
  seed: z.number(),
  accel: AccelSchema,
  /** In a guest: why that accelerator (the probe's verdict, FUSEBENCH_VM_ACCEL, or a fallback to TCG). */
  accelReason: z.string().optional(),
  /** Set when the run happened inside a guest: how it was booted. */
  vm: z.record(z.string(), z.unknown()).optional(),
  /** Versions and options of the daemons and mounts, keyed by backend. */
  backends: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  startedAt: z.string(),
});
export type Environment = z.infer<typeof EnvironmentSchema>;

/** A sweep point's parameters by fio option name (results/cell.ts). */
export const SweepParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));

/** Set on the records and cells of a swept workload's points, absent otherwise. */
const SweepFields = {
  /** The profile's workload this point belongs to; `workload` is the point's own name. */
  sweep: z.string().optional(),
  /** The point's values of the swept fields (numjobs, bs, iodepth, direct, ioengine). */
  params: SweepParamsSchema.optional(),
};

const RunBase = z.object({
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  backend: z.string(),
  workload: z.string(),
  ...SweepFields,
  repetition: z.number().int().nonnegative(),
  /** Position in the interleaved plan, for drift analysis. */
  sequence: z.number().int().nonnegative(),
  startedAt: z.string(),
  finishedAt: z.string(),
  accel: AccelSchema,
  accelReason: z.string().optional(),
});

export const CompletedRunSchema = RunBase.extend({
  state: z.literal('completed'),
  /** Metric name → value; units and direction come from bench/results/metrics.ts. */
  metrics: z.record(z.string(), z.number()),
  /** FUSE requests seen for this run by opcode name (LOOKUP, READ…), when counted. */
  requestsByOpcode: z.record(z.string(), z.number()).optional(),
  /** What else the collectors measured, structured (request latency per opcode, cross-checks…). */
  details: z.record(z.string(), z.unknown()).default({}),
  /** Mount facts: options, daemon pid, FUSE connection id, passthrough ABI. */
  mount: z.record(z.string(), z.unknown()).default({}),
  /** The fio job file or other exact workload description, so a run can be repeated by hand. */
  workloadSpec: z.string().optional(),
});

export const FailedRunSchema = RunBase.extend({
  state: z.literal('failed'),
  reason: z.string(),
  /** Last lines of the daemon's or fio's stderr, when that is where the cause is. */
  log: z.string().optional(),
});

export const UnsupportedRunSchema = RunBase.extend({
  state: z.literal('unsupported'),
  reason: z.string(),
});

export const RunRecordSchema = z.discriminatedUnion('state', [
  CompletedRunSchema,
  FailedRunSchema,
  UnsupportedRunSchema,
]);
export type RunRecord = z.infer<typeof RunRecordSchema>;
export type CompletedRun = z.infer<typeof CompletedRunSchema>;
export type FailedRun = z.infer<typeof FailedRunSchema>;

export const MetricSummarySchema = z.object({
  median: z.number(),
  mean: z.number(),
  stddev: z.number(),
  /** Coefficient of variation: stddev / mean. */
  cv: z.number(),
  ci95: z.tuple([z.number(), z.number()]),
  n: z.number().int(),
  unit: z.string(),
  better: z.enum(['higher', 'lower']),
  /** Median of this backend divided by the baseline backend's median for the same workload. */
  ratioToBaseline: z.number().nullable(),
  /** Every repetition's value, in run order, so noise stays visible. */
  samples: z.array(z.number()),
  /** Indices into samples of values outside 1.5 IQR: marked, never dropped. */
  outliers: z.array(z.number().int()).default([]),
});
export type MetricSummary = z.infer<typeof MetricSummarySchema>;

export const CellSummarySchema = z.object({
  backend: z.string(),
  workload: z.string(),
  ...SweepFields,
  headline: z.string().optional(),
  metrics: z.record(z.string(), MetricSummarySchema),
  /** Median FUSE requests by opcode per run, when counted. */
  requestsByOpcode: z.record(z.string(), z.number()).optional(),
  failedRuns: z.number().int().default(0),
  /** False when adaptive repetition stopped at its maximum before the CI was narrow enough. */
  converged: z.boolean().default(true),
});
export type CellSummary = z.infer<typeof CellSummarySchema>;

export const SummarySchema = z.object({
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  profile: z.string(),
  baseline: z.string(),
  environment: EnvironmentSchema,
  cells: z.array(CellSummarySchema),
  unsupported: z.array(z.object({ backend: z.string(), reason: z.string() })),
  failed: z.array(z.object({ backend: z.string(), workload: z.string(), repetition: z.number(), reason: z.string() })),
});
export type Summary = z.infer<typeof SummarySchema>;
