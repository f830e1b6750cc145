/**
 * Loading a result directory for comparison. Only runs.jsonl is trusted for numbers: the samples are
 * re-derived from the records, so a summary written by an older version (or by hand) cannot disagree
 * with what was measured. summary.json is read for the environment (kernel, accel, resolved profile).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { headlineMetric } from '../results/metrics.js';
import { RunRecordSchema, SummarySchema, type Environment, type RunRecord } from '../results/schema.js';

/** The part of summary.json the comparison needs; the rest (cells, …) is derived from runs.jsonl. */
const SummaryHeaderSchema = SummarySchema.pick({ schemaVersion: true, profile: true, environment: true }).extend({
  baseline: z.string().optional(),
  cells: z.array(z.object({ backend: z.string(), workload: z.string(), headline: z.string().optional() })).optional(),
});

export interface ResultCell {
  backend: string;
  workload: string;
  /** The metric a reviewer looks at first, when known. */
  headline?: string;
  /** Metric name → values of the completed repetitions, in plan (sequence) order. */
  samples: Record<string, number[]>;
  failedRuns: number;
}

export interface LoadedResults {
  /** The directory as given. */
  dir: string;
  /** Short name for tables: the directory's base name. */
  label: string;
  profile: string;
  environment: Environment;
  /** threshold from the resolved profile, when it has one. */
  profileThreshold?: number;
  /** Sorted by backend, then workload. */
  cells: ResultCell[];
  unsupported: { backend: string; workload: string; reason: string }[];
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length > 0 ? `field ${issue.path.map(String).join('.')}: ` : '';
  return `${where}${issue.message}`;
}

function readRequired(file: string, what: string): string {
  if (!existsSync(file)) {
    throw new UserError(`${file}: not found (a result directory holds ${what})`, 'Point compare at a directory written by `npm run bench -- --out DIR`.');
  }
  return readFileSync(file, 'utf8');
}

export function parseRunsJsonl(text: string, file: string): RunRecord[] {
  const records: RunRecord[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      // A crash mid-append leaves a torn last line; anything earlier is corruption.
      throw new UserError(`${file}:${index + 1}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const result = RunRecordSchema.safeParse(raw);
    if (!result.success) throw new UserError(`${file}:${index + 1}: not a run record: ${issueText(result.error)}`);
    records.push(result.data);
  });
  if (records.length === 0) throw new UserError(`${file}: holds no run records`);
  return records;
}

/** Headline of a workload as the profile defines it: its `headline`, else bandwidth for bs >= 64k, else IOPS. */
function profileHeadline(resolvedProfile: unknown, workload: string): string | undefined {
  const parsed = z
    .object({ workloads: z.array(z.object({ name: z.string(), headline: z.string().optional(), rw: z.string().optional(), bs: z.string().optional() }).loose()) })
    .loose()
    .safeParse(resolvedProfile);
  const spec = parsed.success ? parsed.data.workloads.find((entry) => entry.name === workload) : undefined;
  if (!spec) return undefined;
  if (spec.headline) return spec.headline;
  if (!spec.rw || !spec.bs) return undefined;
  const kib = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(spec.bs);
  const bytes = kib ? Number(kib[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[kib[2]!.toLowerCase()] ?? 1) : 0;
  const side = spec.rw.includes('write') && !spec.rw.includes('rw') ? 'write' : 'read';
  return bytes >= 64 * 1024 ? `${side}BandwidthMiBps` : `${side}Iops`;
}

export function cellsFromRecords(records: readonly RunRecord[], headlineOf: (workload: string) => string | undefined = () => undefined): ResultCell[] {
  const cells = new Map<string, ResultCell>();
  const ordered = [...records].sort((a, b) => a.sequence - b.sequence);
  for (const record of ordered) {
    if (record.state === 'unsupported') continue;
    const key = `${record.backend}\u0000${record.workload}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = { backend: record.backend, workload: record.workload, samples: {}, failedRuns: 0 };
      cells.set(key, cell);
    }
    if (record.state === 'failed') {
      cell.failedRuns++;
      continue;
    }
    for (const [metric, value] of Object.entries(record.metrics)) (cell.samples[metric] ??= []).push(value);
  }
  return [...cells.values()]
    .map((cell) => {
      const headline = headlineOf(cell.workload) ?? headlineMetric(Object.fromEntries(Object.entries(cell.samples).map(([name, values]) => [name, values[0] ?? 0])));
      return headline ? { ...cell, headline } : cell;
    })
    .sort((a, b) => a.backend.localeCompare(b.backend) || a.workload.localeCompare(b.workload));
}

export function loadResults(dir: string): LoadedResults {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(`${dir}: no such result directory`, 'Give two directories written by `npm run bench -- --out DIR`.');
  }
  const summaryFile = path.join(dir, 'summary.json');
  const runsFile = path.join(dir, 'runs.jsonl');
  const summaryText = readRequired(summaryFile, 'summary.json and runs.jsonl');
  let rawSummary: unknown;
  try {
    rawSummary = JSON.parse(summaryText);
  } catch (error) {
    throw new UserError(`${summaryFile}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const summary = SummaryHeaderSchema.safeParse(rawSummary);
  if (!summary.success) throw new UserError(`${summaryFile}: not a result summary: ${issueText(summary.error)}`);
  const records = parseRunsJsonl(readRequired(runsFile, 'summary.json and runs.jsonl'), runsFile);
  const { environment } = summary.data;
  const summaryHeadlines = new Map((summary.data.cells ?? []).flatMap((cell) => (cell.headline ? [[cell.workload, cell.headline] as const] : [])));
  const threshold = z.object({ threshold: z.number() }).loose().safeParse(environment.resolvedProfile);
  return {
    dir,
    label: path.basename(path.resolve(dir)),
    profile: summary.data.profile,
    environment,
    ...(threshold.success ? { profileThreshold: threshold.data.threshold } : {}),
    cells: cellsFromRecords(records, (workload) => summaryHeadlines.get(workload) ?? profileHeadline(environment.resolvedProfile, workload)),
    unsupported: records.flatMap((record) => (record.state === 'unsupported' ? [{ backend: record.backend, workload: record.workload, reason: record.reason }] : [])),
  };
}
