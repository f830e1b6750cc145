/**
 * compare.html: one self-contained page (inline CSS, no scripts, nothing fetched), every value escaped.
 * Changes that are not significant stay neutral grey: colour only where the statistics say so.
 */
import type { Comparison, MetricComparison } from '../compare.js';
import { escapeHtml } from '../../render/html.js';
import { describeRun, formatBasis, formatChange, formatMeasuredChange, formatP, formatRatioCi, formatSpread, formatValue, verdictLine } from './format.js';

const style = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; }
th, td { padding: 0.25em 0.6em; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.headline td.metric { font-weight: 600; }
tr.regressed td.change { color: #b00020; font-weight: 600; }
tr.improved td.change { color: #1b7f2a; font-weight: 600; }
tr.unchanged td.change { color: #777; }
.meta { color: #555; }
.warning { color: #8a5a00; }
`;

function row(metric: MetricComparison, comparison: Comparison): string {
  const cells = [
    [metric.backend, ''],
    [metric.workload, ''],
    [`${metric.metric}${metric.unit ? ` (${metric.unit})` : ''}`, 'metric'],
    [`${formatValue(metric.base.median, '')} ${formatSpread(metric.base)}`, 'num'],
    [`${formatValue(metric.head.median, '')} ${formatSpread(metric.head)}`, 'num'],
    [formatMeasuredChange(metric), 'num'],
    [formatBasis(metric, comparison), ''],
    [formatChange(metric), 'num change'],
    [formatRatioCi(metric), 'num'],
    [formatP(metric.p), 'num'],
    [metric.verdict === 'unchanged' ? '' : metric.verdict, 'change'],
  ];
  const classes = [metric.verdict, metric.headline ? 'headline' : ''].filter(Boolean).join(' ');
  return `<tr class="${classes}">${cells.map(([text, cls]) => `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(text!.trim())}</td>`).join('')}</tr>`;
}

export function formatHtml(comparison: Comparison): string {
  const title = `Benchmark comparison: ${comparison.head.label} vs ${comparison.base.label}`;
  const missing = [
    ...comparison.onlyInBase.map((c) => `<li>only in base: ${escapeHtml(`${c.backend} ${c.workload}`)}</li>`),
    ...comparison.onlyInHead.map((c) => `<li>only in head: ${escapeHtml(`${c.backend} ${c.workload}`)}</li>`),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">base: ${escapeHtml(describeRun(comparison.base))}<br>head: ${escapeHtml(describeRun(comparison.head))}</p>
<p><strong>${escapeHtml(verdictLine(comparison))}</strong></p>
${comparison.warnings.map((warning) => `<p class="warning">warning: ${escapeHtml(warning)}</p>\n`).join('')}
<table>
<thead><tr><th>backend</th><th>workload</th><th>metric</th><th>base median ± CI</th><th>head median ± CI</th><th>measured</th><th>judged</th><th>change</th><th>95% CI of change</th><th>p</th><th></th></tr></thead>
<tbody>
${comparison.metrics.map((metric) => row(metric, comparison)).join('\n')}
</tbody>
</table>
<p class="meta">~ = not significant. Bold = headline metric of the workload. ± is the half-width of the 95% bootstrap CI of the median.</p>
${missing.length > 0 ? `<ul>${missing.join('')}</ul>\n` : ''}</body>
</html>
`;
}
