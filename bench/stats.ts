/**
 * Statistics over repetitions. Pure functions; every random choice comes from a seeded generator so
 * the same samples always give the same interval.
 */

/** mulberry32: small, fast, and good enough for bootstrap resampling and plan shuffles. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Quantile by linear interpolation between closest ranks (type 7, as R and numpy default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  // Equal neighbours need no interpolation; this also keeps ±Infinity (a ratio over a zero median) intact.
  if (sorted[lower] === sorted[upper]) return sorted[lower]!;
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median of a scratch buffer, sorting it in place: the bootstrap loops call this thousands of times. */
function medianInPlace(buffer: Float64Array): number {
  buffer.sort(); // typed arrays sort numerically, and much faster than Array#sort with a comparator
  const middle = buffer.length >> 1;
  return buffer.length % 2 === 1 ? buffer[middle]! : (buffer[middle - 1]! + buffer[middle]!) / 2;
}

/** Sample standard deviation (n - 1). */
export function stddev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - m) ** 2, 0) / (values.length - 1));
}

/** Percentile bootstrap interval for the median. With one sample the interval is that sample. */
export function bootstrapMedianCi(values: readonly number[], seed: number, resamples = 2000, level = 0.95): [number, number] {
  if (values.length === 0) return [NaN, NaN];
  if (values.length === 1) return [values[0]!, values[0]!];
  const random = seededRandom(seed);
  const medians = new Array<number>(resamples);
  const resample = new Float64Array(values.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) resample[i] = values[Math.floor(random() * values.length)]!;
    medians[r] = medianInPlace(resample);
  }
  const alpha = (1 - level) / 2;
  return [quantile(medians, alpha), quantile(medians, 1 - alpha)];
}

/** Indices of values outside [Q1 - 1.5 IQR, Q3 + 1.5 IQR] (Tukey's fences). */
export function outlierIndices(values: readonly number[]): number[] {
  if (values.length < 4) return [];
  const q1 = quantile(values, 0.25);
  const q3 = quantile(values, 0.75);
  const fence = 1.5 * (q3 - q1);
  return values.flatMap((value, index) => (value < q1 - fence || value > q3 + fence ? [index] : []));
}

export interface SampleDescription {
  median: number;
  mean: number;
  stddev: number;
  cv: number;
  ci95: [number, number];
  n: number;
  outliers: number[];
}

export function describeSamples(values: readonly number[], seed: number): SampleDescription {
  const m = mean(values);
  const sd = stddev(values);
  return {
    median: median(values),
    mean: m,
    stddev: sd,
    cv: m === 0 ? 0 : sd / Math.abs(m),
    ci95: bootstrapMedianCi(values, seed),
    n: values.length,
    outliers: outlierIndices(values),
  };
}

/**
 * Percentile bootstrap interval for median(head) / median(base), resampling each side independently.
 * A resample whose base median is 0 gives ±Infinity (or NaN for 0/0, dropped), so an interval that
 * reaches Infinity says the base is too close to zero to judge.
 */
export function bootstrapRatioCi(
  base: readonly number[],
  head: readonly number[],
  seed: number,
  resamples = 2000,
  level = 0.95,
): [number, number] {
  if (base.length === 0 || head.length === 0) return [NaN, NaN];
  const random = seededRandom(seed);
  const ratios: number[] = [];
  const baseResample = new Float64Array(base.length);
  const headResample = new Float64Array(head.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < base.length; i++) baseResample[i] = base[Math.floor(random() * base.length)]!;
    for (let i = 0; i < head.length; i++) headResample[i] = head[Math.floor(random() * head.length)]!;
    const ratio = medianInPlace(headResample) / medianInPlace(baseResample);
    if (!Number.isNaN(ratio)) ratios.push(ratio);
  }
  if (ratios.length === 0) return [NaN, NaN];
  const alpha = (1 - level) / 2;
  return [quantile(ratios, alpha), quantile(ratios, 1 - alpha)];
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(Z >= z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Average ranks (1-based), ties sharing the mean of their ranks; also Σ(t³ - t) over tie groups. */
function rankWithTies(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!.index] = averageRank;
    const tied = end - start + 1;
    tieTerm += tied ** 3 - tied;
    start = end + 1;
  }
  return { ranks, tieTerm };
}

/** Exact null distribution of U for sizes m, n without ties: counts[u] of the C(m+n, m) arrangements. */
function exactUCounts(m: number, n: number): number[] {
  // table[j][u]: arrangements of i items of the first sample and j of the second with statistic u;
  // built row by row over i with the recurrence f(i, j, u) = f(i - 1, j, u - j) + f(i, j - 1, u).
  let previous: number[][] = Array.from({ length: n + 1 }, () => [1]);
  for (let i = 1; i <= m; i++) {
    const current: number[][] = [];
    for (let j = 0; j <= n; j++) {
      const row = new Array<number>(i * j + 1).fill(0);
      const fromPrevious = previous[j]!;
      for (let u = j; u < row.length; u++) row[u]! += fromPrevious[u - j] ?? 0;
      if (j > 0) current[j - 1]!.forEach((count, u) => (row[u]! += count));
      current.push(row);
    }
    previous = current;
  }
  return previous[n]!;
}

export interface MannWhitneyResult {
  /** U of the first sample: pairs (a, b) with a > b, ties counting one half. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'normal';
}

/**
 * Mann-Whitney U test, two-sided. Exact null distribution when there are no ties and both samples are
 * small (the normal approximation is poor there: with 3 against 3 the smallest possible p is 0.1);
 * otherwise the normal approximation with tie correction and continuity correction.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) return { u: NaN, p: NaN, method: 'normal' };
  const { ranks, tieTerm } = rankWithTies([...a, ...b]);
  const rankSumA = ranks.slice(0, m).reduce((sum, rank) => sum + rank, 0);
  const u = rankSumA - (m * (m + 1)) / 2;
  if (tieTerm === 0 && m + n <= 50) {
    const counts = exactUCounts(m, n);
    const total = counts.reduce((sum, count) => sum + count, 0);
    let lowerTail = 0;
    let upperTail = 0;
    counts.forEach((count, value) => {
      if (value <= u) lowerTail += count;
      if (value >= u) upperTail += count;
    });
    return { u, p: Math.min(1, (2 * Math.min(lowerTail, upperTail)) / total), method: 'exact' };
  }
  const total = m + n;
  const variance = ((m * n) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (variance <= 0) return { u, p: 1, method: 'normal' };
  const deviation = Math.max(0, Math.abs(u - (m * n) / 2) - 0.5);
  return { u, p: Math.min(1, 2 * normalUpperTail(deviation / Math.sqrt(variance))), method: 'normal' };
}

export interface RepeatPolicy {
  min: number;
  max: number;
  /** Stop once the 95% CI half-width of the median is within targetCI × |median|; 0 means a fixed count. */
  targetCI: number;
}

/** Whether the 95% bootstrap CI of the median is narrow enough: half-width ≤ targetCI × |median|. */
export function ciWithinTarget(samples: readonly number[], targetCI: number, seed: number): boolean {
  if (samples.length === 0) return false;
  const [low, high] = bootstrapMedianCi(samples, seed);
  return (high - low) / 2 <= targetCI * Math.abs(median(samples));
}

/**
 * Adaptive repetition (PTS's dynamic run count, with the median CI instead of the stddev): repeat
 * while fewer than min samples, stop at max, and in between repeat while the CI is wider than asked.
 */
export function needsMoreRepetitions(samples: readonly number[], policy: RepeatPolicy, seed: number): boolean {
  if (samples.length < policy.min) return true;
  if (samples.length >= policy.max) return false;
  if (policy.targetCI <= 0) return false;
  return !ciWithinTarget(samples, policy.targetCI, seed);
}

/**
 * Splits cells (any key, e.g. "backend/workload") into those that are done and those that need another
 * interleaved round. `converged` is false for a cell that stopped at max with its CI still too wide,
 * which is what CellSummary.converged records.
 */
export function convergedCells<K>(
  samplesByCell: ReadonlyMap<K, readonly number[]>,
  policy: RepeatPolicy,
  seed: number,
): { done: K[]; pending: K[]; unconverged: K[] } {
  const done: K[] = [];
  const pending: K[] = [];
  const unconverged: K[] = [];
  for (const [cell, samples] of samplesByCell) {
    if (needsMoreRepetitions(samples, policy, seed)) {
      pending.push(cell);
      continue;
    }
    done.push(cell);
    if (policy.targetCI > 0 && !ciWithinTarget(samples, policy.targetCI, seed)) unconverged.push(cell);
  }
  return { done, pending, unconverged };
}
