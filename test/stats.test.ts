import { describe, expect, it } from 'vitest';
import { judgeChange as compareSamples } from '../bench/results/verdict.js';
import {
  bootstrapMedianCi,
  bootstrapRatioCi,
  convergedCells,
  describeSamples,
  mannWhitneyU,
  median,
  needsMoreRepetitions,
  quantile,
  seededRandom,
} from '../bench/stats.js';

/** Normal noise from the seeded generator (Box-Muller), so every calibration run is reproducible. */
function noisySamples(random: () => number, n: number, center: number, cv: number): number[] {
  return Array.from({ length: n }, () => {
    const u = 1 - random();
    const v = random();
    return center * (1 + cv * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  });
}

describe('descriptive statistics', () => {
  it('interpolates quantiles like R type 7 and keeps infinite values intact', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, Infinity, Infinity], 0.75)).toBe(Infinity);
    expect(median([5, 1, 3])).toBe(3);
  });

  it('gives the same bootstrap interval for the same seed and a different one for another seed', () => {
    const values = [10, 12, 11, 13, 9, 10.5, 11.5];
    expect(bootstrapMedianCi(values, 7)).toEqual(bootstrapMedianCi(values, 7));
    expect(describeSamples(values, 7).ci95).toEqual(bootstrapMedianCi(values, 7));
    const [low, high] = bootstrapMedianCi(values, 7);
    expect(low).toBeLessThanOrEqual(median(values));
    expect(high).toBeGreaterThanOrEqual(median(values));
  });
});

describe('bootstrap CI of the ratio of medians', () => {
  it('brackets the true ratio and is reproducible with its seed', () => {
    const random = seededRandom(3);
    const base = noisySamples(random, 10, 1000, 0.03);
    const head = noisySamples(random, 10, 1200, 0.03);
    const ci = bootstrapRatioCi(base, head, 11);
    expect(ci).toEqual(bootstrapRatioCi(base, head, 11));
    expect(ci[0]).toBeLessThan(1.2);
    expect(ci[1]).toBeGreaterThan(1.2);
    expect(ci[0]).toBeGreaterThan(1);
  });

  it('reaches Infinity instead of NaN when the base median can be zero', () => {
    const [, high] = bootstrapRatioCi([0, 0, 1], [1, 1, 1], 1);
    expect(high).toBe(Infinity);
  });
});

describe('Mann-Whitney U', () => {
  // Reference values from scipy.stats.mannwhitneyu (1.14).
  it('matches scipy exactly for small samples without ties', () => {
    const result = mannWhitneyU([1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7], [2.5, 3.5, 8.8, 9.9, 10.1, 11, 12]);
    expect(result.method).toBe('exact');
    expect(result.u).toBe(9);
    expect(result.p).toBeCloseTo(0.05303030303030303, 12);
  });

  it('matches scipy asymptotic p with tie and continuity correction', () => {
    const result = mannWhitneyU([1, 2, 2, 3, 4], [3, 5, 6, 6, 7]);
    expect(result.method).toBe('normal');
    expect(result.u).toBe(1.5);
    expect(result.p).toBeCloseTo(0.026856695507524397, 6);
  });

  it('cannot reach p < 0.05 with three repetitions a side, which is why compare needs at least four', () => {
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6]).p).toBeCloseTo(0.1, 12);
    expect(mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]).p).toBeCloseTo(2 / 70, 12);
  });

  it('gives p = 1 when every value is the same', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5]).p).toBe(1);
  });
});

describe('adaptive repetition', () => {
  const policy = { min: 3, max: 10, targetCI: 0.035 };

  it('repeats until min, stops at max, and in between stops once the median CI is narrow', () => {
    expect(needsMoreRepetitions([100, 101], policy, 1)).toBe(true);
    expect(needsMoreRepetitions([100, 100.5, 101, 100.2], policy, 1)).toBe(false);
    expect(needsMoreRepetitions([100, 150, 70, 120], policy, 1)).toBe(true);
    expect(needsMoreRepetitions([100, 150, 70, 120, 90, 160, 60, 130, 80, 140], policy, 1)).toBe(false);
  });

  it('treats targetCI 0 as a fixed repetition count', () => {
    expect(needsMoreRepetitions([100, 150, 70], { min: 3, max: 3, targetCI: 0 }, 1)).toBe(false);
  });

  it('sorts cells into done, pending and stopped-at-max-without-converging', () => {
    const cells = new Map([
      ['bind/seqread', [100, 100.5, 101, 100.2]],
      ['fuse/seqread', [100, 150, 70, 120]],
      ['fuse/randread', [100, 150, 70, 120, 90, 160, 60, 130, 80, 140]],
    ]);
    expect(convergedCells(cells, policy, 1)).toEqual({
      done: ['bind/seqread', 'fuse/randread'],
      pending: ['fuse/seqread'],
      unconverged: ['fuse/randread'],
    });
  });
});

describe('calibration of the regression verdict', () => {
  const options = { threshold: 0.05, seed: 20261125 };

  it('flags an injected 10% slowdown with 3% CV noise and n = 10 as regressed', () => {
    const random = seededRandom(42);
    const base = noisySamples(random, 10, 1000, 0.03);
    const head = noisySamples(random, 10, 900, 0.03);
    const result = compareSamples(base, head, 'higher', options);
    expect(result.verdict).toBe('regressed');
    expect(result.p).toBeLessThan(0.01);
    expect(result.ratioCi95![1]).toBeLessThan(1);
    // A latency that grows by 10% is the same regression seen from the other side.
    const latency = compareSamples(base.map((value) => 1e6 / value), head.map((value) => 1e6 / value), 'lower', options);
    expect(latency.verdict).toBe('regressed');
  });

  it('detects that slowdown in at least 95 of 100 independent trials', () => {
    const random = seededRandom(7);
    let flagged = 0;
    for (let trial = 0; trial < 100; trial++) {
      const result = compareSamples(noisySamples(random, 10, 1000, 0.03), noisySamples(random, 10, 900, 0.03), 'higher', { ...options, seed: trial });
      if (result.verdict === 'regressed') flagged++;
    }
    expect(flagged).toBeGreaterThanOrEqual(95);
  });

  it('flags at most 5% of 200 A/A comparisons of the same distribution, even with no threshold', () => {
    for (const threshold of [0.05, 0]) {
      const random = seededRandom(99);
      let flagged = 0;
      for (let trial = 0; trial < 200; trial++) {
        const result = compareSamples(noisySamples(random, 10, 1000, 0.03), noisySamples(random, 10, 1000, 0.03), 'higher', { threshold, seed: trial });
        if (result.verdict !== 'unchanged') flagged++;
      }
      expect(flagged / 200, `threshold ${threshold}`).toBeLessThanOrEqual(0.05);
    }
  });
});

describe('the smallest meaningful difference', () => {
  it('a doubling of a near-zero daemon CPU per I/O is not a change; the same ratio on real values is', () => {
    const base = [0.01, 0.011, 0.012, 0.01, 0.011];
    const head = base.map((value) => value * 2);
    expect(compareSamples(base, head, 'lower', { threshold: 0.05, seed: 1 }).verdict).toBe('regressed');
    expect(compareSamples(base, head, 'lower', { threshold: 0.05, seed: 1, smallestDifference: 0.5 }).verdict).toBe('unchanged');
    const real = [20, 20.5, 21, 20.2, 20.8];
    expect(compareSamples(real, real.map((value) => value + 4), 'lower', { threshold: 0.05, seed: 1, smallestDifference: 0.5 }).verdict).toBe('regressed');
  });
});
