/**
 * What bench:calibrate concludes from real runs of one commit: per metric, the spread inside a run and
 * between runs, the smallest change the nightly rule can call at that cost, how often the rule raised
 * an alarm between two runs of the same commit (A/A), and how often it caught a known, injected
 * slowdown (B/A). Pure: result sets in, numbers out.
 *
 * Every pair is judged with a noise model estimated from the other A runs only (leave the pair out), so
 * a run never helps set the threshold it is then judged against; the rates are out-of-sample.
 */
import { compareResults, type Comparison } from './compare.js';
import type { LoadedResults } from './load.js';
import type { Basis } from './basis.js';
import { ABSOLUTE_PREFERENCE, estimateNoise, noiseModel, preferredBasis, type CellNoise, type NoiseModel } from './noise.js';
import { SECOND_SIGNAL } from '../results/metrics.js';
import { DRIFT_Z, driftThreshold, SIGNIFICANCE_ALPHA } from '../results/verdict.js';
import { median } from '../stats.js';

export const CALIBRATION_SCHEMA_VERSION = 1;

export interface PairOutcome {
  base: string;
  head: string;
  /** backend → metrics called improved or regressed ("workload/metric verdict"). */
  alarms: Record<string, string[]>;
}

export interface CalibrationCell extends CellNoise {
  headline: boolean;
  /** Does compare give this metric a verdict (the headline, or the daemon's CPU per I/O)? */
  gated: boolean;
  /** The basis compare judges it on with this noise model: whichever moved less between runs. */
  judgedOn: Basis;
  /** The smallest change the rule calls for this metric with the noise of all A runs. */
  detectableChange: number;
}

export interface Calibration {
  schemaVersion: typeof CALIBRATION_SCHEMA_VERSION;
  createdAt: string;
  profile: string;
  hostname: string;
  kernelRelease: string;
  rule: { z: number; alpha: number; floor: number };
  /** Spins added to every daemon reply in the B runs (backend option injectDelayMicros), 0 for none. */
  injectDelayMicros: number;
  aRuns: string[];
  bRuns: string[];
  cells: CalibrationCell[];
  /** A_i against A_i+1: runs of one commit, back to back. */
  aaBackToBack: PairOutcome[];
  /** Every pair of A runs. */
  aaAllPairs: PairOutcome[];
  /** A_i against B_i, the injected slowdown. */
  ba: PairOutcome[];
  /**
   * What the injected delay did, pooled over every repetition of every run: the median of each gated
   * metric in the B runs against the A runs. Shows the slowdown that was to be caught was really there,
   * and how large (the target is about 10% of fuse's throughput).
   */
  injectedEffect: Array<{ backend: string; workload: string; metric: string; aMedian: number; bMedian: number; change: number }>;
}

function alarms(comparison: Comparison): Record<string, string[]> {
  const byBackend: Record<string, string[]> = {};
  for (const metric of comparison.metrics) {
    if (metric.verdict === 'unchanged') continue;
    (byBackend[metric.backend] ??= []).push(`${metric.workload}/${metric.metric} ${metric.verdict}`);
  }
  return byBackend;
}

function judgePair(base: LoadedResults, head: LoadedResults, reference: readonly LoadedResults[], floor: number, seed: number): PairOutcome {
  const noise: NoiseModel | undefined = reference.length >= 2 ? noiseModel(reference, 'calibration') : undefined;
  const comparison = compareResults(base, head, { threshold: floor, seed, ...(noise ? { noise } : {}) });
  return { base: base.dir, head: head.dir, alarms: alarms(comparison) };
}

export function analyzeCalibration(aRuns: readonly LoadedResults[], bRuns: readonly LoadedResults[], options: { floor: number; injectDelayMicros: number; seed?: number }): Calibration {
  const seed = options.seed ?? 1;
  const others = (...excluded: LoadedResults[]) => aRuns.filter((run) => !excluded.includes(run));
  const headlines = new Set(aRuns[0]?.cells.flatMap((cell) => (cell.headline ? [`${cell.workload}/${cell.headline}`] : [])) ?? []);
  const cells = estimateNoise(aRuns).map((cell) => {
    const headline = headlines.has(`${cell.workload}/${cell.metric}`);
    const judgedOn = preferredBasis(cell);
    const cv = judgedOn === 'absolute' ? cell.absolute.betweenRunCv : cell.judged.betweenRunCv;
    return { ...cell, headline, gated: headline || cell.metric === SECOND_SIGNAL, judgedOn, detectableChange: driftThreshold(cv, options.floor) };
  });
  const aaBackToBack = aRuns.slice(1).map((head, index) => judgePair(aRuns[index]!, head, others(aRuns[index]!, head), options.floor, seed));
  const aaAllPairs = aRuns.flatMap((base, i) => aRuns.slice(i + 1).map((head) => judgePair(base, head, others(base, head), options.floor, seed)));
  const ba = bRuns.flatMap((head, index) => (aRuns[index] ? [judgePair(aRuns[index]!, head, others(aRuns[index]!), options.floor, seed)] : []));
  const pooled = (runs: readonly LoadedResults[], backend: string, workload: string, metric: string) =>
    runs.flatMap((run) => run.cells.find((cell) => cell.backend === backend && cell.workload === workload)?.samples[metric] ?? []);
  const injectedEffect = bRuns.length === 0 ? [] : cells.filter((cell) => cell.gated).flatMap(({ backend, workload, metric }) => {
    const a = pooled(aRuns, backend, workload, metric);
    const b = pooled(bRuns, backend, workload, metric);
    if (a.length === 0 || b.length === 0) return [];
    const aMedian = median(a);
    const bMedian = median(b);
    return [{ backend, workload, metric, aMedian, bMedian, change: aMedian === 0 ? 0 : bMedian / aMedian - 1 }];
  });
  const environment = aRuns[0]?.environment;
  return {
    schemaVersion: CALIBRATION_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    profile: aRuns[0]?.profile ?? 'unknown',
    hostname: environment?.hostname ?? 'unknown',
    kernelRelease: environment?.kernelRelease ?? 'unknown',
    rule: { z: DRIFT_Z, alpha: SIGNIFICANCE_ALPHA, floor: options.floor },
    injectDelayMicros: options.injectDelayMicros,
    aRuns: aRuns.map((run) => run.dir),
    bRuns: bRuns.map((run) => run.dir),
    cells,
    aaBackToBack,
    aaAllPairs,
    ba,
    injectedEffect,
  };
}

/** Pairs in which the backend raised any alarm (or, with no backend, any backend did). */
export function pairsWithAlarm(pairs: readonly PairOutcome[], backend?: string): number {
  return pairs.filter((pair) => (backend === undefined ? Object.keys(pair.alarms).length > 0 : (pair.alarms[backend]?.length ?? 0) > 0)).length;
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The table bench:calibrate prints: one row per headline metric, then the alarm rates per backend. */
export function formatCalibration(calibration: Calibration): string {
  const rows = calibration.cells.filter((cell) => cell.gated ?? cell.headline);
  const header = ['backend', 'workload', 'metric', 'judged on', 'within-run CV', 'between-run CV (absolute)', 'between-run CV (ratio to baseline)', 'detectable change'];
  const body = rows.map((cell) => [
    cell.backend,
    cell.workload,
    cell.metric,
    (cell.judgedOn ?? cell.basis) === 'relative' ? 'ratio to baseline' : 'absolute',
    percent(cell.absolute.withinRunCv),
    percent(cell.absolute.betweenRunCv),
    cell.basis === 'relative' ? percent(cell.judged.betweenRunCv) : '-',
    `≥ ${percent(cell.detectableChange)}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const line = (cells: string[]) => cells.map((text, column) => text.padEnd(widths[column]!)).join('  ').trimEnd();
  const backends = [...new Set(calibration.cells.map((cell) => cell.backend))];
  const lines = [
    `calibration on ${calibration.hostname}, kernel ${calibration.kernelRelease}, profile ${calibration.profile}: ${calibration.aRuns.length} A runs, ${calibration.bRuns.length} B runs`,
    `rule: verdicts on the headline and daemon CPU per I/O, each judged on its ratio to the baseline per round unless its absolute values moved clearly less between runs (CV below ${ABSOLUTE_PREFERENCE} × the ratio's); p < ${calibration.rule.alpha}, CI excludes 1, |change| > max(${percent(calibration.rule.floor)}, ${calibration.rule.z} × √2 × between-run CV)`,
    '',
    line(header),
    ...body.map(line),
    '',
    `A/A back to back: ${pairsWithAlarm(calibration.aaBackToBack)} of ${calibration.aaBackToBack.length} pairs raised an alarm (target: at most 1 in 15)`,
    `A/A all pairs:    ${pairsWithAlarm(calibration.aaAllPairs)} of ${calibration.aaAllPairs.length} pairs raised an alarm`,
  ];
  for (const backend of backends) {
    lines.push(`  ${backend.padEnd(18)} alarms in ${pairsWithAlarm(calibration.aaBackToBack, backend)} of ${calibration.aaBackToBack.length} back-to-back A/A pairs`);
  }
  if (calibration.ba.length > 0) {
    lines.push('', `B/A, ${calibration.injectDelayMicros} µs injected into every daemon reply of fuse:`);
    // Older calibration.json files have no injectedEffect.
    for (const effect of calibration.injectedEffect ?? []) {
      if (effect.backend !== 'fuse') continue;
      lines.push(`  its effect, pooled: fuse ${effect.workload} ${effect.metric} ${effect.aMedian.toPrecision(4)} → ${effect.bMedian.toPrecision(4)} (${effect.change >= 0 ? '+' : ''}${percent(effect.change)})`);
    }
    for (const backend of backends) {
      lines.push(`  ${backend.padEnd(18)} flagged in ${pairsWithAlarm(calibration.ba, backend)} of ${calibration.ba.length} pairs${backend === 'fuse' ? ' (target: at least 14 in 15)' : ' (target: none)'}`);
    }
  }
  for (const pair of [...calibration.aaBackToBack, ...calibration.ba]) {
    for (const [backend, what] of Object.entries(pair.alarms)) lines.push(`  alarm ${pair.base} → ${pair.head}: ${backend} ${what.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
