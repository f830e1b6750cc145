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
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
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
  const resample = new Array<number>(values.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) resample[i] = values[Math.floor(random() * values.length)]!;
    medians[r] = median(resample);
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
