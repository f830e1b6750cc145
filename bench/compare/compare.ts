/**
 * compare(base, head): for every backend × workload × metric present in both result sets, the change
 * of the medians, a bootstrap CI of their ratio, a Mann-Whitney p-value and a verdict. Pure: the same
 * inputs and seed always give the same Comparison.
 *
 * A change counts (improved or regressed) only when all three agree, which is stricter than any one:
 * p < alpha (the ranks differ), the 95% CI of the ratio excludes 1 (the medians differ), and the change
 * exceeds the threshold (it matters; LKP's per-metric noise floor in one number). Anything else is
 * "unchanged" and shown neutral with `~`, as benchstat does.
 */
import { cellKey } from '../results/cell.js';
import { UserError } from '../errors.js';
import { metricDefinition, metricDefinitions, type Better, type MetricDefinition } from '../results/metrics.js';
import type { Accel } from '../results/schema.js';
import { bootstrapMedianCi, bootstrapRatioCi, mannWhitneyU, mean, median, stddev } from '../stats.js';
import type { LoadedResults } from './load.js';

export const COMPARISON_SCHEMA_VERSION = 1;
export const DEFAULT_THRESHOLD = 0.05;
export const SIGNIFICANCE_ALPHA = 0.05;

export type Verdict = 'improved' | 'regressed' | 'unchanged';

export interface SideStats {
  median: number;
  ci95: [number, number];
  cv: number;
  n: number;
}

export interface MetricComparison {
  backend: string;
  workload: string;
  metric: string;
  label: string;
  unit: string;
  better: Better;
  headline: boolean;
  base: SideStats;
  head: SideStats;
  /** median(head) / median(base); null when the base median is 0. */
  ratio: number | null;
  /** 95% percentile-bootstrap interval of the ratio; null when the base median is 0. */
  ratioCi95: [number, number] | null;
  /** (ratio - 1) × 100; null when the base median is 0. */
  changePercent: number | null;
  /** Mann-Whitney U two-sided p-value. */
  p: number;
  significant: boolean;
  verdict: Verdict;
}

export interface RunIdentity {
  label: string;
  profile: string;
  kernelRelease: string;
  hostname: string;
  suiteCommit: string;
  accel: Accel;
  startedAt: string;
}

export interface Comparison {
  schemaVersion: typeof COMPARISON_SCHEMA_VERSION;
  base: RunIdentity;
  head: RunIdentity;
  threshold: number;
  alpha: number;
  seed: number;
  /** Sorted by backend, workload, headline first, then metric name. */
  metrics: MetricComparison[];
  /** Cells measured on one side only. */
  onlyInBase: { backend: string; workload: string }[];
  onlyInHead: { backend: string; workload: string }[];
  counts: Record<Verdict, number>;
  /** Why the comparison may mislead: different fio or profile, too few repetitions, failed runs. */
  warnings: string[];
}

export interface CompareOptions {
  threshold: number;
  seed: number;
}

/**
 * Direction of a metric. metrics.ts knows the fio metrics (and `name:qualifier` variants of them); for
 * base names it does not know yet (metadata workloads, collector counters) latencies, times and costs
 * per operation are recognised by name, so that a slower stat or more requests per I/O is not "better".
 */
export function metricDirection(metric: string): MetricDefinition {
  const base = metric.split(':', 1)[0]!;
  if (metricDefinitions[base]) return metricDefinition(metric);
  const timeUnit = /Us$/.test(base) ? 'µs' : /Ns$/.test(base) ? 'ns' : /Ms$/.test(base) ? 'ms' : /Seconds$/.test(base) ? 's' : undefined;
  if (timeUnit || /Latency/.test(base)) return { better: 'lower', unit: timeUnit ?? '', label: metric };
  if (/Per(Io|Op|GiB|MiB)$|Cpu|ContextSwitches|Syscalls|Requests|Transitions/i.test(base)) return { better: 'lower', unit: '', label: metric };
  return { better: 'higher', unit: /Iops$|PerSecond$/.test(base) ? 'ops/s' : '', label: metric };
}

/** FNV-1a, so every metric gets its own bootstrap stream that does not depend on iteration order. */
function hashKey(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

function sideStats(values: readonly number[], seed: number): SideStats {
  const m = mean(values);
  return { median: median(values), ci95: bootstrapMedianCi(values, seed), cv: m === 0 ? 0 : stddev(values) / Math.abs(m), n: values.length };
}

/** The statistics of one metric; exported for calibration tests on synthetic samples. */
export function compareSamples(
  base: readonly number[],
  head: readonly number[],
  better: Better,
  options: CompareOptions,
): Pick<MetricComparison, 'base' | 'head' | 'ratio' | 'ratioCi95' | 'changePercent' | 'p' | 'significant' | 'verdict'> {
  const baseStats = sideStats(base, options.seed);
  const headStats = sideStats(head, options.seed + 1);
  const p = mannWhitneyU(head, base).p;
  if (baseStats.median === 0) {
    return { base: baseStats, head: headStats, ratio: null, ratioCi95: null, changePercent: null, p, significant: false, verdict: 'unchanged' };
  }
  const ratio = headStats.median / baseStats.median;
  const ratioCi95 = bootstrapRatioCi(base, head, options.seed + 2);
  const excludesOne = ratioCi95[0] > 1 || ratioCi95[1] < 1;
  const significant = p < SIGNIFICANCE_ALPHA && excludesOne && Math.abs(ratio - 1) > options.threshold;
  const higher = ratio > 1;
  const verdict: Verdict = !significant ? 'unchanged' : higher === (better === 'higher') ? 'improved' : 'regressed';
  return { base: baseStats, head: headStats, ratio, ratioCi95, changePercent: (ratio - 1) * 100, p, significant, verdict };
}

function identity(results: LoadedResults): RunIdentity {
  const env = results.environment;
  return {
    label: results.label,
    profile: results.profile,
    kernelRelease: env.kernelRelease,
    hostname: env.hostname,
    suiteCommit: env.suiteCommit,
    accel: env.accel,
    startedAt: env.startedAt,
  };
}

/** Emulated (TCG) timing measures QEMU's translator, not the kernel path: never compare it with kvm or native. */
export function assertComparable(base: LoadedResults, head: LoadedResults): void {
  const a = base.environment.accel;
  const b = head.environment.accel;
  if (a !== b && (a === 'tcg' || b === 'tcg')) {
    throw new UserError(
      `cannot compare ${base.dir} (accel ${a}) with ${head.dir} (accel ${b}): emulated (TCG) timing is not comparable with ${a === 'tcg' ? b : a} timing`,
      'Compare a TCG run only with another TCG run; rerun on a host with KVM (or natively) to compare timings.',
    );
  }
}

export function compareResults(base: LoadedResults, head: LoadedResults, options: CompareOptions): Comparison {
  assertComparable(base, head);
  const baseCells = new Map(base.cells.map((cell) => [cellKey(cell), cell]));
  const headCells = new Map(head.cells.map((cell) => [cellKey(cell), cell]));
  const metrics: MetricComparison[] = [];
  for (const headCell of head.cells) {
    const baseCell = baseCells.get(cellKey(headCell));
    if (!baseCell) continue;
    const headline = headCell.headline ?? baseCell.headline;
    for (const metric of Object.keys(headCell.samples).sort()) {
      const baseValues = baseCell.samples[metric];
      const headValues = headCell.samples[metric];
      if (!baseValues?.length || !headValues?.length) continue;
      const direction = metricDirection(metric);
      const seed = (options.seed + hashKey(`${headCell.backend}/${headCell.workload}/${metric}`)) >>> 0;
      metrics.push({
        backend: headCell.backend,
        workload: headCell.workload,
        metric,
        label: direction.label,
        unit: direction.unit,
        better: direction.better,
        headline: metric === headline,
        ...compareSamples(baseValues, headValues, direction.better, { threshold: options.threshold, seed }),
      });
    }
  }
  metrics.sort(
    (a, b) =>
      a.backend.localeCompare(b.backend) ||
      a.workload.localeCompare(b.workload) ||
      Number(b.headline) - Number(a.headline) ||
      a.metric.localeCompare(b.metric),
  );
  const counts: Record<Verdict, number> = { improved: 0, regressed: 0, unchanged: 0 };
  for (const metric of metrics) counts[metric.verdict]++;
  const warnings: string[] = [];
  if (base.environment.fioVersion !== head.environment.fioVersion) {
    warnings.push(`fio differs (${base.environment.fioVersion} vs ${head.environment.fioVersion}): fio's numbers change across versions`);
  }
  if (base.environment.profileHash !== head.environment.profileHash) warnings.push('the runs used different profile text: check runtime, data set and repetitions');
  const smallest = Math.min(...metrics.flatMap((metric) => [metric.base.n, metric.head.n]));
  if (metrics.length > 0 && smallest < 4) {
    warnings.push(`some cells have only ${smallest} repetition(s): with fewer than 4 a side no change can be significant (Mann-Whitney p ≥ 0.1 at 3 against 3)`);
  }
  for (const cell of [...base.cells.map((c) => ['base', c] as const), ...head.cells.map((c) => ['head', c] as const)]) {
    if (cell[1].failedRuns > 0) warnings.push(`${cell[0]}: ${cell[1].backend} ${cell[1].workload} had ${cell[1].failedRuns} failed run(s)`);
  }
  const cellName = ({ backend, workload }: { backend: string; workload: string }) => ({ backend, workload });
  return {
    schemaVersion: COMPARISON_SCHEMA_VERSION,
    base: identity(base),
    head: identity(head),
    threshold: options.threshold,
    alpha: SIGNIFICANCE_ALPHA,
    seed: options.seed,
    metrics,
    onlyInBase: base.cells.filter((cell) => !headCells.has(cellKey(cell))).map(cellName),
    onlyInHead: head.cells.filter((cell) => !baseCells.has(cellKey(cell))).map(cellName),
    counts,
    warnings,
  };
}

export function hasRegression(comparison: Comparison): boolean {
  return comparison.counts.regressed > 0;
}
