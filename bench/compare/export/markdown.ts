/** compare.md: a PR comment. Headlines and significant changes in the table, every metric folded below. */
import type { Comparison, MetricComparison } from '../compare.js';
import { describeRun, formatBasis, formatChange, formatMeasuredChange, formatP, formatRatioCi, formatSpread, formatValue, keyMetrics, verdictLine } from './format.js';

/** A pipe would end the table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const marker: Record<MetricComparison['verdict'], string> = { regressed: '🔴 regressed', improved: '🟢 improved', unchanged: '' };

function table(metrics: readonly MetricComparison[], comparison: Comparison): string[] {
  return [
    '| backend | workload | metric | base | head | measured | judged | change | 95% CI of change | p | |',
    '|---|---|---|---:|---:|---:|---|---:|---|---:|---|',
    ...metrics.map(
      (metric) =>
        `| ${cell(metric.backend)} | ${cell(metric.workload)} | ${metric.headline ? '**' : ''}${cell(metric.metric)}${metric.headline ? '**' : ''} | ` +
        `${cell(`${formatValue(metric.base.median, metric.unit)} ${formatSpread(metric.base)}`.trim())} | ` +
        `${cell(`${formatValue(metric.head.median, metric.unit)} ${formatSpread(metric.head)}`.trim())} | ` +
        `${formatMeasuredChange(metric)} | ${cell(formatBasis(metric, comparison))} | ${formatChange(metric)} | ${formatRatioCi(metric)} | ${formatP(metric.p)} | ${marker[metric.verdict]} |`,
    ),
  ];
}

export function formatMarkdown(comparison: Comparison): string {
  const lines = [
    `### Benchmark comparison: ${comparison.counts.regressed > 0 ? `${comparison.counts.regressed} regression(s)` : 'no regression'}`,
    '',
    `- base: ${cell(describeRun(comparison.base))}`,
    `- head: ${cell(describeRun(comparison.head))}`,
    `- ${verdictLine(comparison)}`,
    ...comparison.warnings.map((warning) => `- ⚠️ ${cell(warning)}`),
    '',
    ...table(keyMetrics(comparison), comparison),
    '',
    '`~` means the difference is not significant. *measured* is the change of the medians; *change* is the judged one: ' +
      `÷ ${comparison.baseline} is the ratio to the baseline measured in the same round, so drift between runs cancels. **Bold** marks the headline metric of a workload.`,
  ];
  const missing = [
    ...comparison.onlyInBase.map((c) => `- only in base: ${cell(c.backend)} ${cell(c.workload)}`),
    ...comparison.onlyInHead.map((c) => `- only in head: ${cell(c.backend)} ${cell(c.workload)}`),
  ];
  if (missing.length > 0) lines.push('', ...missing);
  lines.push('', `<details><summary>All ${comparison.metrics.length} metrics</summary>`, '', ...table(comparison.metrics, comparison), '', '</details>');
  return `${lines.join('\n')}\n`;
}
