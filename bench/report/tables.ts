/**
 * The page's tables, as HTML strings. Pure; every string from the results is escaped here. Numbers
 * carry their exact value in data-value so tests (and scripts) can read the page back.
 */
import type { CellSummary, MetricSummary } from '../results/schema.js';
import { escapeHtml } from '../render/html.js';
import { formatNumber, formatShare, formatRatioText } from './format.js';
import { metricDefinition } from '../results/metrics.js';
import { VERDICT_WORDS } from '../results/verdict.js';
import { backendColour, cellEmulated, compareToBaseline, orderedCells, VERDICT_COLOURS, type LabelledRun, type ReportModel } from './model.js';
import { requestsPerIo } from './charts/requests.js';

/** Above this coefficient of variation a cell is called noisy (the PTS threshold for more runs). */
export const NOISY_CV = 0.035;

const VERDICT_TEXT = { ...VERDICT_WORDS, baseline: 'baseline', unknown: '' } as const;

function num(field: string, value: number | null | undefined, text = formatNumber(value)): string {
  return `<td class="num" data-field="${field}" data-value="${value === null || value === undefined ? '' : String(value)}">${escapeHtml(text)}</td>`;
}

function badges(run: LabelledRun, cell: CellSummary, metric: MetricSummary | undefined): string {
  const list: string[] = [];
  if (cellEmulated(run, cell.backend, cell.workload)) list.push('<span class="badge emulated">emulated</span>');
  if (!cell.converged) list.push('<span class="badge warn" title="adaptive repetition stopped at its maximum before the CI was narrow enough">not converged</span>');
  if (metric && metric.cv > NOISY_CV) list.push(`<span class="badge warn" title="coefficient of variation above ${formatShare(NOISY_CV)}">noisy</span>`);
  if (metric && metric.outliers.length > 0) {
    list.push(`<span class="badge warn" title="repetitions outside 1.5 IQR: ${escapeHtml(metric.outliers.map((index) => `#${index + 1}`).join(', '))}">${metric.outliers.length} outlier${metric.outliers.length > 1 ? 's' : ''}</span>`);
  }
  if (cell.failedRuns > 0) list.push(`<span class="badge bad">${cell.failedRuns} failed</span>`);
  return list.join(' ');
}

function metricRow(model: ReportModel, run: LabelledRun, cell: CellSummary, name: string, withWorkload: boolean): string {
  const metric = cell.metrics[name]!;
  const comparison = compareToBaseline(run, cell, name);
  const ratioTitle = comparison.ratioCi ? ` title="95% CI of the ratio: ${formatRatioText(comparison.ratioCi[0])} – ${formatRatioText(comparison.ratioCi[1])}"` : '';
  const verdictText = VERDICT_TEXT[comparison.verdict];
  const attrs = `data-run="${escapeHtml(run.id)}" data-backend="${escapeHtml(cell.backend)}" data-workload="${escapeHtml(cell.workload)}" data-metric="${escapeHtml(name)}"`;
  return [
    `<tr class="${comparison.verdict}" ${attrs}>`,
    model.sideBySide ? `<td>${escapeHtml(run.id)}</td>` : '',
    withWorkload ? `<td>${escapeHtml(cell.workload)}</td>` : '',
    `<td class="backend"><span class="swatch" style="background:${backendColour(cell.backend, model.backends)}"></span>${escapeHtml(cell.backend)}</td>`,
    `<td>${escapeHtml(metricDefinition(name).label)}</td>`,
    `<td>${escapeHtml(metricDefinition(name).unit)}</td>`,
    num('median', metric.median),
    num('ci-low', metric.ci95[0]),
    num('ci-high', metric.ci95[1]),
    `<td class="num ratio" data-field="ratio" data-value="${metric.ratioToBaseline ?? ''}"${ratioTitle} style="color:${VERDICT_COLOURS[comparison.verdict]}">${escapeHtml(comparison.verdict === 'baseline' ? 'baseline' : formatRatioText(comparison.ratio))}${comparison.verdict === 'unchanged' ? ' ~' : ''}</td>`,
    `<td class="verdict" style="color:${VERDICT_COLOURS[comparison.verdict]}">${escapeHtml(verdictText === 'baseline' ? '' : verdictText)}</td>`,
    num('cv', metric.cv, formatShare(metric.cv)),
    num('n', metric.n, String(metric.n)),
    `<td class="flags">${badges(run, cell, metric)}</td>`,
    '</tr>',
  ].join('');
}

function metricHeader(model: ReportModel, withWorkload: boolean, baseline: string): string {
  const columns = [
    ...(model.sideBySide ? ['run'] : []),
    ...(withWorkload ? ['workload'] : []),
    'backend',
    'metric',
    'unit',
    'median',
    '95% CI low',
    '95% CI high',
    `ratio to ${baseline}`,
    'difference',
    'CV',
    'n',
    'notes',
  ];
  return `<thead><tr>${columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('')}</tr></thead>`;
}

/** Headline metric per workload first: one table, a row per backend. */
export function headlineTable(model: ReportModel): string {
  const baselines = [...new Set(model.runs.map((run) => run.summary.baseline))].join(', ');
  const rows = model.runs.flatMap((run) =>
    orderedCells(model, run).flatMap((cell) => (cell.headline && cell.metrics[cell.headline] ? [metricRow(model, run, cell, cell.headline, true)] : [])),
  );
  if (rows.length === 0) return '<p class="empty">No run completed, so there is nothing to summarise. See the unsupported backends and failed runs below.</p>';
  return `<table class="summary headline-table">${metricHeader(model, true, baselines)}<tbody>${rows.join('\n')}</tbody></table>`;
}

/** Every metric of every cell, for the reviewer who wants all of it. */
export function allMetricsTable(model: ReportModel): string {
  const sections = model.runs.flatMap((run) =>
    orderedCells(model, run).map((cell) => {
      const names = Object.keys(cell.metrics).sort((a, b) => (a === cell.headline ? -1 : b === cell.headline ? 1 : a.localeCompare(b)));
      return names.map((name) => metricRow(model, run, cell, name, true)).join('\n');
    }),
  );
  if (sections.length === 0) return '';
  const baselines = [...new Set(model.runs.map((run) => run.summary.baseline))].join(', ');
  return `<table class="summary all-metrics">${metricHeader(model, true, baselines)}<tbody>${sections.join('\n')}</tbody></table>`;
}

/** Median FUSE requests per run and per I/O by opcode, when counted. */
export function requestsTable(model: ReportModel): string {
  const rows = model.runs.flatMap((run) =>
    orderedCells(model, run).flatMap((cell) => {
      const perIo = requestsPerIo(cell);
      const opcodes = [...new Set([...Object.keys(cell.requestsByOpcode ?? {}), ...Object.keys(perIo ?? {})])].sort();
      return opcodes.map(
        (opcode) =>
          `<tr>${model.sideBySide ? `<td>${escapeHtml(run.id)}</td>` : ''}<td>${escapeHtml(cell.workload)}</td><td>${escapeHtml(cell.backend)}</td><td>${escapeHtml(opcode)}</td>${num('requests', cell.requestsByOpcode?.[opcode])}${num('requests-per-io', perIo?.[opcode])}</tr>`,
      );
    }),
  );
  if (rows.length === 0) return '';
  return `<table class="requests"><thead><tr>${model.sideBySide ? '<th>run</th>' : ''}<th>workload</th><th>backend</th><th>opcode</th><th>requests per run (median)</th><th>requests per I/O</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

export function unsupportedTable(model: ReportModel): string {
  const rows = model.runs.flatMap((run) =>
    run.summary.unsupported.map(
      (entry) => `<tr>${model.sideBySide ? `<td>${escapeHtml(run.id)}</td>` : ''}<td>${escapeHtml(entry.backend)}</td><td class="reason">${escapeHtml(entry.reason)}</td></tr>`,
    ),
  );
  if (rows.length === 0) return '<p class="empty">Every backend the profile named was supported here.</p>';
  return `<table class="unsupported"><thead><tr>${model.sideBySide ? '<th>run</th>' : ''}<th>backend</th><th>why it was not run</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

export function failedTable(model: ReportModel): string {
  const rows = model.runs.flatMap((run) =>
    run.records.flatMap((record) => {
      if (record.state !== 'failed') return [];
      const log = record.log ? `<details><summary>log</summary><pre>${escapeHtml(record.log)}</pre></details>` : '';
      return [
        `<tr>${model.sideBySide ? `<td>${escapeHtml(run.id)}</td>` : ''}<td>${escapeHtml(record.backend)}</td><td>${escapeHtml(record.workload)}</td><td class="num">${record.repetition + 1}</td><td class="reason">${escapeHtml(record.reason)}${log}</td></tr>`,
      ];
    }),
  );
  if (rows.length === 0) return '<p class="empty">No run failed.</p>';
  return `<table class="failed"><thead><tr>${model.sideBySide ? '<th>run</th>' : ''}<th>backend</th><th>workload</th><th>repetition</th><th>reason</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}
