/**
 * A result directory as compare sees it: per backend × workload, each metric's samples in plan order.
 * The directory itself is read by bench/results/load.ts, the one loader.
 */
import { loadResultSet, type ResultSet } from '../results/load.js';
import { headlineFromMetrics } from '../results/metrics.js';
import type { Environment, RunRecord } from '../results/schema.js';
import { cellKey, compareWorkloadNames, sweepFields, type SweepParams } from '../results/cell.js';

export interface ResultCell {
  backend: string;
  workload: string;
  /** For a point of a swept workload: the workload it came from, and its parameters. */
  sweep?: string;
  params?: SweepParams;
  /** The metric a reviewer looks at first, when known. */
  headline?: string;
  /** Metric name → values of the completed repetitions, in plan (sequence) order. */
  samples: Record<string, number[]>;
  /** The repetition (round) of each completed run, in the same order: pairs a cell with its baseline's. */
  repetitions: number[];
  failedRuns: number;
}

export interface LoadedResults {
  /** The directory as given. */
  dir: string;
  /** Short name for tables: the directory's base name. */
  label: string;
  profile: string;
  /** The backend every ratio is taken against in this run. */
  baseline: string;
  environment: Environment;
  /** threshold from the resolved profile, when it has one. */
  profileThreshold?: number;
  /** Sorted by backend, then workload. */
  cells: ResultCell[];
  unsupported: { backend: string; workload: string; reason: string }[];
}

export function cellsFromRecords(records: readonly RunRecord[], headlineOf: (workload: string) => string | undefined = () => undefined): ResultCell[] {
  const cells = new Map<string, ResultCell>();
  const ordered = [...records].sort((a, b) => a.sequence - b.sequence);
  for (const record of ordered) {
    if (record.state === 'unsupported') continue;
    const key = cellKey(record);
    let cell = cells.get(key);
    if (!cell) {
      cell = { backend: record.backend, workload: record.workload, ...sweepFields(record), samples: {}, repetitions: [], failedRuns: 0 };
      cells.set(key, cell);
    }
    if (record.state === 'failed') {
      cell.failedRuns++;
      continue;
    }
    cell.repetitions.push(record.repetition);
    for (const [metric, value] of Object.entries(record.metrics)) (cell.samples[metric] ??= []).push(value);
  }
  return [...cells.values()]
    .map((cell) => {
      const headline = headlineOf(cell.workload) ?? headlineFromMetrics(Object.fromEntries(Object.entries(cell.samples).map(([name, values]) => [name, values[0] ?? 0])));
      return headline ? { ...cell, headline } : cell;
    })
    .sort((a, b) => a.backend.localeCompare(b.backend) || compareWorkloadNames(a.workload, b.workload));
}

export function resultsFromSet(set: ResultSet, dir: string = set.dir): LoadedResults {
  const headlines = new Map(set.summary.cells.flatMap((cell) => (cell.headline ? [[cell.workload, cell.headline] as const] : [])));
  return {
    dir,
    label: set.label,
    profile: set.summary.profile,
    baseline: set.summary.baseline,
    environment: set.environment,
    ...(set.profileThreshold !== undefined ? { profileThreshold: set.profileThreshold } : {}),
    cells: cellsFromRecords(set.records, (workload) => headlines.get(workload)),
    unsupported: set.records.flatMap((record) => (record.state === 'unsupported' ? [{ backend: record.backend, workload: record.workload, reason: record.reason }] : [])),
  };
}

export function loadResults(dir: string): LoadedResults {
  return resultsFromSet(loadResultSet(dir), dir);
}
