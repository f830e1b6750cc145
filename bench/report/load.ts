/**
 * The only file of the report that reads the disk: one result directory's runs.jsonl and
 * environment.json (summary.json when present, for what runs.jsonl cannot say: headline metrics, the
 * baseline, cells that did not converge). The numbers are always re-derived from runs.jsonl with the
 * run's own seed, so the page shows exactly what summary.json holds for the same records.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { headlineMetric } from '../results/metrics.js';
import { EnvironmentSchema, SummarySchema, type Environment, type RunRecord, type Summary } from '../results/schema.js';
import { CSV_FILE, ENVIRONMENT_FILE, readRecords, RUNS_FILE, SUMMARY_FILE } from '../results/store.js';
import { summarize } from '../results/summary.js';
import { median } from '../stats.js';

export interface LoadedRun {
  /** The directory as given (absolute). */
  dir: string;
  records: RunRecord[];
  environment: Environment;
  summary: Summary;
  /** The stored files present, for the page's links. */
  files: string[];
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

const SummaryHintsSchema = SummarySchema.pick({ profile: true, baseline: true }).extend({
  environment: EnvironmentSchema.optional(),
  cells: z.array(z.object({ backend: z.string(), workload: z.string(), headline: z.string().optional(), converged: z.boolean().default(true) })).default([]),
});
type SummaryHints = z.infer<typeof SummaryHintsSchema>;

/** The workload definitions of the resolved profile, loosely: older result dirs may lack fields. */
const ProfileWorkloadsSchema = z
  .object({
    baseline: z.string().optional(),
    workloads: z.array(z.object({ name: z.string(), engine: z.string().optional(), headline: z.string().optional() }).loose()).default([]),
  })
  .loose();

function headlinesFor(records: readonly RunRecord[], hints: SummaryHints | undefined, resolvedProfile: unknown): Record<string, string> {
  const profile = ProfileWorkloadsSchema.safeParse(resolvedProfile);
  const headlines: Record<string, string> = {};
  const workloads = [...new Set(records.filter((record) => record.state === 'completed').map((record) => record.workload))];
  for (const workload of workloads) {
    const fromSummary = hints?.cells.find((cell) => cell.workload === workload && cell.headline)?.headline;
    const fromProfile = profile.success ? profile.data.workloads.find((entry) => entry.name === workload)?.headline : undefined;
    const runs = records.flatMap((record) => (record.state === 'completed' && record.workload === workload ? [record.metrics] : []));
    const names = [...new Set(runs.flatMap((metrics) => Object.keys(metrics)))];
    const medians = Object.fromEntries(names.map((name) => [name, median(runs.flatMap((metrics) => (metrics[name] === undefined ? [] : [metrics[name]])))]));
    const headline = fromSummary ?? fromProfile ?? headlineMetric(medians);
    if (headline) headlines[workload] = headline;
  }
  return headlines;
}

export function loadRun(dir: string): LoadedRun {
  const absolute = path.resolve(dir);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) {
    throw new UserError(`${dir}: no such result directory`, 'Give a directory written by `npm run bench -- --out DIR`.');
  }
  const records = readRecords(absolute);
  const summaryFile = path.join(absolute, SUMMARY_FILE);
  let hints: SummaryHints | undefined;
  if (existsSync(summaryFile)) {
    const parsed = SummaryHintsSchema.safeParse(readJson(summaryFile));
    if (!parsed.success) throw new UserError(`${summaryFile}: not a result summary (field ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message})`);
    hints = parsed.data;
  }
  const environmentFile = path.join(absolute, ENVIRONMENT_FILE);
  let environment: Environment;
  if (existsSync(environmentFile)) {
    const parsed = EnvironmentSchema.safeParse(readJson(environmentFile));
    if (!parsed.success) throw new UserError(`${environmentFile}: field ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    environment = parsed.data;
  } else if (hints?.environment) {
    environment = hints.environment;
  } else {
    throw new UserError(`${environmentFile} not found`, 'Give a directory that `npm run bench` wrote: it holds runs.jsonl and environment.json.');
  }
  const profileBaseline = ProfileWorkloadsSchema.safeParse(environment.resolvedProfile);
  const summary = summarize(records, {
    profile: hints?.profile ?? environment.profileName,
    baseline: hints?.baseline ?? (profileBaseline.success ? profileBaseline.data.baseline : undefined) ?? 'bind',
    environment,
    seed: environment.seed,
    headlines: headlinesFor(records, hints, environment.resolvedProfile),
    unconverged: (hints?.cells ?? []).filter((cell) => !cell.converged),
  });
  const files = [CSV_FILE, SUMMARY_FILE, RUNS_FILE, ENVIRONMENT_FILE].filter((file) => existsSync(path.join(absolute, file)));
  return { dir: absolute, records, environment, summary, files };
}
