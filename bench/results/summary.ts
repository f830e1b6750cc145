/**
 * The summary: per backend × workload, every metric's median, bootstrap CI and ratio to the baseline,
 * derived from the run records alone.
 */
import { describeSamples, median } from '../stats.js';
import { cellKey, compareWorkloadNames, splitCellKey, sweepFields } from './cell.js';
import { metricDefinition } from './metrics.js';
import {
  RESULTS_SCHEMA_VERSION,
  type CellSummary,
  type CompletedRun,
  type Environment,
  type MetricSummary,
  type RunRecord,
  type Summary,
} from './schema.js';

export interface SummaryOptions {
  profile: string;
  baseline: string;
  environment: Environment;
  seed: number;
  /** Headline metric per workload name. */
  headlines?: Record<string, string>;
  /** Cells whose adaptive repetition stopped at the maximum. */
  unconverged?: ReadonlyArray<{ backend: string; workload: string }>;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

function medianRequests(runs: readonly CompletedRun[]): Record<string, number> | undefined {
  const counted = runs.filter((run) => run.requestsByOpcode !== undefined);
  if (counted.length === 0) return undefined;
  const opcodes = new Set(counted.flatMap((run) => Object.keys(run.requestsByOpcode!)));
  return Object.fromEntries([...opcodes].sort().map((opcode) => [opcode, median(counted.map((run) => run.requestsByOpcode![opcode] ?? 0))]));
}

export function summarize(records: readonly RunRecord[], options: SummaryOptions): Summary {
  const completed = records.filter((record): record is CompletedRun => record.state === 'completed');
  const byCell = groupBy(completed, cellKey);
  const failedByCell = groupBy(records.filter((record) => record.state === 'failed'), cellKey);

  const cells: CellSummary[] = [];
  for (const [key, runs] of byCell) {
    const { backend, workload } = splitCellKey(key);
    const ordered = [...runs].sort((a, b) => a.sequence - b.sequence);
    const metricNames = [...new Set(ordered.flatMap((run) => Object.keys(run.metrics)))].sort();
    const metrics: Record<string, MetricSummary> = {};
    for (const name of metricNames) {
      const samples = ordered.map((run) => run.metrics[name]).filter((value): value is number => value !== undefined);
      const definition = metricDefinition(name);
      metrics[name] = { ...describeSamples(samples, options.seed), unit: definition.unit, better: definition.better, ratioToBaseline: null, samples };
    }
    cells.push({
      backend,
      workload,
      ...sweepFields(ordered[0]!),
      headline: options.headlines?.[workload],
      metrics,
      requestsByOpcode: medianRequests(ordered),
      failedRuns: failedByCell.get(key)?.length ?? 0,
      converged: !options.unconverged?.some((cell) => cell.backend === backend && cell.workload === workload),
    });
  }
  for (const cell of cells) {
    const base = cells.find((other) => other.backend === options.baseline && other.workload === cell.workload);
    if (!base) continue;
    for (const [name, metric] of Object.entries(cell.metrics)) {
      const baseMedian = base.metrics[name]?.median;
      metric.ratioToBaseline = baseMedian ? metric.median / baseMedian : null;
    }
  }
  cells.sort((a, b) => compareWorkloadNames(a.workload, b.workload) || a.backend.localeCompare(b.backend));

  const unsupported = [...groupBy(records.filter((record) => record.state === 'unsupported'), (record) => record.backend)].map(
    ([backend, list]) => ({ backend, reason: (list[0] as { reason: string }).reason }),
  );
  const failed = records.flatMap((record) =>
    record.state === 'failed' ? [{ backend: record.backend, workload: record.workload, repetition: record.repetition, reason: record.reason }] : [],
  );
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    profile: options.profile,
    baseline: options.baseline,
    environment: options.environment,
    cells,
    unsupported,
    failed,
  };
}
