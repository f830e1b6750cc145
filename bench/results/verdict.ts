/**
 * The one rule that calls a change improved, regressed or unchanged, used by compare (head against
 * base), the report (each backend against the run's baseline) and the daemon bench.
 *
 * A change counts only when all three agree, which is stricter than any one: the Mann-Whitney p < alpha
 * (the ranks differ), the 95% bootstrap CI of the ratio of medians excludes 1 (the medians differ), and
 * the change exceeds the threshold (it matters: LKP's per-metric noise floor in one number; and, for
 * metrics with a smallest meaningful difference, the medians differ by at least that). Anything
 * else is "unchanged", shown neutral with `~` as benchstat does. With 3 samples a side no p-value can
 * fall below 0.05 (the smallest two-sided p is 0.1), so such cells are always "unchanged": the shipped
 * profiles repeat 5 times.
 */
import { bootstrapMedianCi, bootstrapRatioCi, mannWhitneyU, mean, median, stddev } from '../stats.js';
import type { Better } from './metrics.js';

/** The threshold when neither the profile nor the command line gives one. */
export const DEFAULT_THRESHOLD = 0.05;
export const SIGNIFICANCE_ALPHA = 0.05;

/**
 * How many standard deviations of the between-run difference a change must exceed. Two runs of one
 * commit differ by a spread of √2 × the between-run CV; 2.5 of those leave about 1% of A/A pairs
 * outside when that difference is normal. The A/A and injected-slowdown rates bench:calibrate measures
 * on real runs are what this choice is held to (README, nightly section).
 */
export const DRIFT_Z = 2.5;

/**
 * Without a noise model, an absolute figure moves 10–20% between runs of one commit on these shared
 * machines (issue 14's measurements): only a change beyond 25% can be told from that drift.
 */
export const UNCALIBRATED_ABSOLUTE_THRESHOLD = 0.25;

/** The smallest change the rule calls, given a metric's between-run CV and a floor. */
export function driftThreshold(betweenRunCv: number, floor: number): number {
  return Math.max(floor, DRIFT_Z * Math.SQRT2 * betweenRunCv);
}

export type Verdict = 'improved' | 'regressed' | 'unchanged';

/** How each verdict reads in tables and charts. */
export const VERDICT_WORDS: Record<Verdict, string> = { improved: 'better', regressed: 'worse', unchanged: '~ not significant' };

export interface SideStats {
  median: number;
  ci95: [number, number];
  cv: number;
  n: number;
}

export interface Judgement {
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

export interface JudgeOptions {
  /** Smallest change that matters, as a fraction (0.05 = 5%). */
  threshold: number;
  seed: number;
  /** Smallest difference of medians that matters, in the values' own unit (metrics.ts smallestDifference). */
  smallestDifference?: number;
}

/** Median, its bootstrap CI, CV and count of one side's samples. */
export function sideStats(values: readonly number[], seed: number): SideStats {
  const m = mean(values);
  return { median: median(values), ci95: bootstrapMedianCi(values, seed), cv: m === 0 ? 0 : stddev(values) / Math.abs(m), n: values.length };
}

/** Head against base, for a metric where `better` is the good direction. Pure: same inputs, same answer. */
export function judgeChange(base: readonly number[], head: readonly number[], better: Better, options: JudgeOptions): Judgement {
  const baseStats = sideStats(base, options.seed);
  const headStats = sideStats(head, options.seed + 1);
  const p = mannWhitneyU(head, base).p;
  if (baseStats.median === 0) {
    return { base: baseStats, head: headStats, ratio: null, ratioCi95: null, changePercent: null, p, significant: false, verdict: 'unchanged' };
  }
  const ratio = headStats.median / baseStats.median;
  const ratioCi95 = bootstrapRatioCi(base, head, options.seed + 2);
  const excludesOne = ratioCi95[0] > 1 || ratioCi95[1] < 1;
  const matters = Math.abs(ratio - 1) > options.threshold && Math.abs(headStats.median - baseStats.median) >= (options.smallestDifference ?? 0);
  const significant = p < SIGNIFICANCE_ALPHA && excludesOne && matters;
  const verdict: Verdict = !significant ? 'unchanged' : ratio > 1 === (better === 'higher') ? 'improved' : 'regressed';
  return { base: baseStats, head: headStats, ratio, ratioCi95, changePercent: (ratio - 1) * 100, p, significant, verdict };
}
