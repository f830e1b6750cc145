/**
 * Bencher Metric Format: { "<benchmark>": { "<measure>": { value, lower_value, upper_value } } }.
 * The benchmark is workload/backend, the measure the metric name, the bounds the head median's 95% CI.
 */
import type { Comparison } from '../compare.js';

export interface BencherMetric {
  value: number;
  lower_value: number;
  upper_value: number;
}

export function formatBencher(comparison: Comparison): string {
  const benchmarks: Record<string, Record<string, BencherMetric>> = {};
  for (const metric of comparison.metrics) {
    const measures = (benchmarks[`${metric.workload}/${metric.backend}`] ??= {});
    measures[metric.metric] = { value: metric.head.median, lower_value: metric.head.ci95[0], upper_value: metric.head.ci95[1] };
  }
  return `${JSON.stringify(benchmarks, null, 2)}\n`;
}
