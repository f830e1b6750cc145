/**
 * compare(base, head): for every backend × workload × metric present in both result sets, the change
 * of the medians, a bootstrap CI of their ratio, a Mann-Whitney p-value and a verdict, judged by
 * bench/results/verdict.ts (the one rule) on the basis basis.ts picks: a backend's ratio to the
 * baseline of its own run, so drift between runs cancels. The threshold is the floor raised to what the
 * noise model (bench:calibrate, or recent nights) says this metric moves between runs. Pure: the same
 * inputs and seed always give the same Comparison.
 */
import { cellKey, compareWorkloadNames, sweepFields, type SweepParams } from '../results/cell.js';
import { UserError } from '../errors.js';
import { metricDefinition, type Better } from '../results/metrics.js';
import type { Accel } from '../results/schema.js';
import { DEFAULT_THRESHOLD, judgeChange, sideStats, SIGNIFICANCE_ALPHA, type Judgement, type SideStats, type Verdict } from '../results/verdict.js';
import { median } from '../stats.js';
import { pairedSamples, type Basis } from './basis.js';
import type { LoadedResults } from './load.js';
import { thresholdFor, type NoiseModel } from './noise.js';

export const COMPARISON_SCHEMA_VERSION = 1;
export { DEFAULT_THRESHOLD, SIGNIFICANCE_ALPHA, type SideStats, type Verdict };

export interface MetricComparison extends Judgement {
  backend: string;
  workload: string;
  /** For a point of a swept workload: the workload it came from, and its parameters. */
  sweep?: string;
  params?: SweepParams;
  metric: string;
  label: string;
  unit: string;
  better: Better;
  headline: boolean;
  /** What was judged: the ratio to the run's baseline per round (relative), or the values (absolute). */
  basis: Basis;
  /**
   * Whether a verdict is given: only the workload's headline metric is. Every other metric is shown with
   * its statistics but cannot raise an alarm: with some twenty metrics a cell, each judged at 5%, two
   * runs of one commit would nearly always disagree somewhere.
   */
  gated: boolean;
  /** The change of the absolute medians, shown beside the judged one; null when the base median is 0. */
  absoluteChangePercent: number | null;
  /** The threshold this metric had to exceed, and where it came from (floor, calibration, history…). */
  threshold: number;
  thresholdSource: string;
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
  /** The floor every per-metric threshold starts from. */
  threshold: number;
  alpha: number;
  seed: number;
  /** The backend relative metrics are divided by (the head's baseline). */
  baseline: string;
  /** Where the per-metric thresholds came from, when a noise model was given. */
  noise?: { source: NoiseModel['source']; runs: number; createdAt: string };
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
  /** The floor: no change smaller than this is called, whatever the noise. */
  threshold: number;
  seed: number;
  /** Between-run spread per metric (bench:calibrate or the history); without it, defaults apply. */
  noise?: NoiseModel;
}

/** FNV-1a, so every metric gets its own bootstrap stream that does not depend on iteration order. */
function hashKey(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
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
      const paired = pairedSamples(base, head, baseCell, headCell, metric);
      if (!paired) continue;
      const direction = metricDefinition(metric);
      const seed = (options.seed + hashKey(`${headCell.backend}/${headCell.workload}/${metric}`)) >>> 0;
      const key = { backend: headCell.backend, workload: headCell.workload, metric };
      const { threshold, source } = thresholdFor(options.noise, key, paired.basis, options.threshold);
      const gated = metric === headline;
      const statistics = judgeChange(paired.base, paired.head, direction.better, { threshold, seed });
      const judged = gated ? statistics : { ...statistics, verdict: 'unchanged' as const };
      const baseMedian = median(baseCell.samples[metric]!);
      metrics.push({
        ...key,
        ...sweepFields(headCell),
        label: direction.label,
        unit: direction.unit,
        better: direction.better,
        headline: metric === headline,
        ...judged,
        // base and head describe what was measured; ratio, CI, p and verdict are of the judged basis.
        base: paired.basis === 'relative' ? sideStats(baseCell.samples[metric]!, seed) : judged.base,
        head: paired.basis === 'relative' ? sideStats(headCell.samples[metric]!, seed + 1) : judged.head,
        basis: paired.basis,
        gated,
        absoluteChangePercent: baseMedian === 0 ? null : (median(headCell.samples[metric]!) / baseMedian - 1) * 100,
        threshold,
        thresholdSource: source,
      });
    }
  }
  metrics.sort(
    (a, b) =>
      a.backend.localeCompare(b.backend) ||
      compareWorkloadNames(a.workload, b.workload) ||
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
    baseline: head.baseline,
    ...(options.noise ? { noise: { source: options.noise.source, runs: options.noise.runs.length, createdAt: options.noise.createdAt } } : {}),
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
