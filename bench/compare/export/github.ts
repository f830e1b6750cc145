/**
 * github-action-benchmark input: its `customBiggerIsBetter` and `customSmallerIsBetter` tools each take
 * one JSON array of { name, unit, value, range?, extra? } and one direction, so metrics are split by
 * direction and each direction is its own file. Values are the head's medians.
 */
import type { Better } from '../../results/metrics.js';
import type { Comparison } from '../compare.js';
import { formatChange, formatNumber, formatP } from './format.js';

export interface GithubBenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/** The file name the nightly workflow passes to github-action-benchmark for each direction. */
export const githubBenchmarkFile: Record<Better, string> = {
  higher: 'github-benchmark-bigger-is-better.json',
  lower: 'github-benchmark-smaller-is-better.json',
};

export function formatGithubBenchmark(comparison: Comparison, better: Better): string {
  const entries: GithubBenchmarkEntry[] = comparison.metrics
    .filter((metric) => metric.better === better)
    .map((metric) => ({
      name: `${metric.workload}/${metric.backend} ${metric.metric}`,
      unit: metric.unit,
      value: metric.head.median,
      range: `± ${formatNumber((metric.head.ci95[1] - metric.head.ci95[0]) / 2)}`,
      extra: `n=${metric.head.n} vs ${comparison.base.label}: ${formatChange(metric)} (${formatP(metric.p)})`,
    }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}
