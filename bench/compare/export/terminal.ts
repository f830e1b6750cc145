/** Terminal table, benchstat-like: `~` for a change that is not significant, colour only when asked. */
import type { Comparison, MetricComparison } from '../compare.js';
import { describeRun, formatBasis, formatChange, formatMeasuredChange, formatP, formatRatioCi, formatSpread, formatValue, keyMetrics, verdictLine } from './format.js';

export interface TerminalOptions {
  /** ANSI colours: red regressed, green improved, neutral for `~`. */
  color?: boolean;
  /** Every metric instead of headlines and significant changes only. */
  all?: boolean;
}

const paint = (code: number, text: string, on: boolean) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

function row(metric: MetricComparison, comparison: Comparison): string[] {
  return [
    metric.backend,
    metric.workload,
    `${metric.metric}${metric.headline ? ' *' : ''}`,
    `${formatValue(metric.base.median, metric.unit)} ${formatSpread(metric.base)}`.trim(),
    `${formatValue(metric.head.median, metric.unit)} ${formatSpread(metric.head)}`.trim(),
    formatMeasuredChange(metric),
    formatBasis(metric, comparison),
    formatChange(metric),
    formatRatioCi(metric),
    `${formatP(metric.p)} (n=${metric.base.n}+${metric.head.n})`,
    metric.verdict === 'unchanged' ? '' : metric.verdict,
  ];
}

export function formatTerminal(comparison: Comparison, options: TerminalOptions = {}): string {
  const shown = options.all ? comparison.metrics : keyMetrics(comparison);
  const header = ['backend', 'workload', 'metric', 'base', 'head', 'measured', 'judged', 'change', '95% CI', 'p', ''];
  const rows = shown.map((metric) => row(metric, comparison));
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => cells[column]!.length)));
  const render = (cells: string[], verdict?: string) => {
    const line = cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
    if (verdict === 'regressed') return paint(31, line, options.color ?? false);
    if (verdict === 'improved') return paint(32, line, options.color ?? false);
    return line;
  };
  const lines = [
    `base: ${describeRun(comparison.base)}`,
    `head: ${describeRun(comparison.head)}`,
    '',
    render(header),
    ...rows.map((cells, index) => render(cells, shown[index]!.verdict)),
  ];
  const hidden = comparison.metrics.length - shown.length;
  if (hidden > 0) lines.push(`(${hidden} more metrics unchanged; * marks the headline metric)`);
  for (const cell of comparison.onlyInBase) lines.push(`only in base: ${cell.backend} ${cell.workload}`);
  for (const cell of comparison.onlyInHead) lines.push(`only in head: ${cell.backend} ${cell.workload}`);
  for (const warning of comparison.warnings) lines.push(`warning: ${warning}`);
  lines.push('', verdictLine(comparison));
  return `${lines.join('\n')}\n`;
}
