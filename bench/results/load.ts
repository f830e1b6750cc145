/**
 * The one reader of a result directory. Report, compare and trend all load through here, so they
 * agree on what a directory holds and on every error message about it.
 *
 * Numbers are always re-derived from runs.jsonl (with the run's own seed): a summary.json written by an
 * older version, or edited by hand, cannot disagree with what was measured. summary.json is read only
 * for what the records cannot say: the headline metric per workload, the baseline, and which cells
 * stopped adaptive repetition without converging. The environment comes from environment.json, or
 * from summary.json's copy in directories that have no environment.json.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { workloadHeadline } from './metrics.js';
import { EnvironmentSchema, SummarySchema, type Environment, type RunRecord, type Summary } from './schema.js';
import { CSV_FILE, ENVIRONMENT_FILE, parseRunsJsonl, RUNS_FILE, SUMMARY_FILE } from './store.js';
import { summarize } from './summary.js';

export interface ResultSet {
  /** The directory, absolute. */
  dir: string;
  /** Short name for tables: the directory's base name. */
  label: string;
  records: RunRecord[];
  environment: Environment;
  /** Re-derived from the records. */
  summary: Summary;
  /** The stored files present, for links. */
  files: string[];
  /** The resolved profile's threshold, when it has one. */
  profileThreshold?: number;
}

/** The part of summary.json that runs.jsonl cannot say. */
const SummaryHintsSchema = SummarySchema.pick({ profile: true }).extend({
  baseline: z.string().optional(),
  environment: EnvironmentSchema.optional(),
  cells: z.array(z.object({ backend: z.string(), workload: z.string(), headline: z.string().optional(), converged: z.boolean().default(true) })).default([]),
});
type SummaryHints = z.infer<typeof SummaryHintsSchema>;

/** The resolved profile, loosely: result directories written by older versions may lack fields. */
const ResolvedProfileSchema = z
  .object({
    baseline: z.string().optional(),
    threshold: z.number().optional(),
    workloads: z
      .array(z.object({ name: z.string(), engine: z.string().optional(), headline: z.string().optional(), rw: z.string().optional(), bs: z.union([z.string(), z.array(z.string())]).optional() }).loose())
      .default([]),
  })
  .loose();

function issueText(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length > 0 ? `field ${issue.path.map(String).join('.')}: ` : '';
  return `${where}${issue.message}`;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** A directory `npm run bench` wrote: it holds runs.jsonl. */
export function isResultDir(dir: string): boolean {
  return existsSync(path.join(dir, RUNS_FILE));
}

function headlinesFor(records: readonly RunRecord[], hints: SummaryHints | undefined, profile: z.infer<typeof ResolvedProfileSchema> | undefined): Record<string, string> {
  const headlines: Record<string, string> = {};
  const completed = records.filter((record) => record.state === 'completed');
  for (const workload of new Set(completed.map((record) => record.workload))) {
    const fromSummary = hints?.cells.find((cell) => cell.workload === workload && cell.headline)?.headline;
    // A sweep point's headline is its workload's (sweep.ts), so a point looks up the workload it came from.
    const sweep = completed.find((record) => record.workload === workload)?.sweep ?? workload;
    const spec = profile?.workloads.find((entry) => entry.name === sweep);
    const metrics = Object.assign({}, ...completed.filter((record) => record.workload === workload).map((record) => record.metrics)) as Record<string, number>;
    const headline = fromSummary ?? workloadHeadline(spec ?? {}, metrics);
    if (headline) headlines[workload] = headline;
  }
  return headlines;
}

export function loadResultSet(dir: string): ResultSet {
  const absolute = path.resolve(dir);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) {
    throw new UserError(`${dir}: no such result directory`, 'Give a directory written by `npm run bench -- --out DIR`.');
  }
  const runsFile = path.join(absolute, RUNS_FILE);
  if (!existsSync(runsFile)) {
    throw new UserError(`${runsFile}: not found (a result directory holds runs.jsonl)`, 'Give a directory written by `npm run bench -- --out DIR`.');
  }
  const summaryFile = path.join(absolute, SUMMARY_FILE);
  let hints: SummaryHints | undefined;
  if (existsSync(summaryFile)) {
    const parsed = SummaryHintsSchema.safeParse(readJson(summaryFile));
    if (!parsed.success) throw new UserError(`${summaryFile}: not a result summary: ${issueText(parsed.error)}`);
    hints = parsed.data;
  }
  const environmentFile = path.join(absolute, ENVIRONMENT_FILE);
  let environment: Environment;
  if (existsSync(environmentFile)) {
    const parsed = EnvironmentSchema.safeParse(readJson(environmentFile));
    if (!parsed.success) throw new UserError(`${environmentFile}: not a run environment: ${issueText(parsed.error)}`);
    environment = parsed.data;
  } else if (hints?.environment) {
    environment = hints.environment;
  } else if (hints) {
    throw new UserError(`${summaryFile}: not a result summary: field environment: missing, and ${ENVIRONMENT_FILE} is not there either`);
  } else {
    throw new UserError(`${environmentFile}: not found`, 'Give a directory that `npm run bench` wrote: it holds runs.jsonl and environment.json.');
  }
  const records = parseRunsJsonl(readFileSync(runsFile, 'utf8'), runsFile);
  const resolved = ResolvedProfileSchema.safeParse(environment.resolvedProfile);
  const profile = resolved.success ? resolved.data : undefined;
  const summary = summarize(records, {
    profile: hints?.profile ?? environment.profileName,
    baseline: hints?.baseline ?? profile?.baseline ?? 'bind',
    environment,
    seed: environment.seed,
    headlines: headlinesFor(records, hints, profile),
    unconverged: (hints?.cells ?? []).filter((cell) => !cell.converged),
  });
  return {
    dir: absolute,
    label: path.basename(absolute),
    records,
    environment,
    summary,
    files: [CSV_FILE, SUMMARY_FILE, RUNS_FILE, ENVIRONMENT_FILE].filter((file) => existsSync(path.join(absolute, file))),
    ...(profile?.threshold !== undefined ? { profileThreshold: profile.threshold } : {}),
  };
}
