/**
 * The report's "Published | measured" section: per reference, the sentence of papers-text.ts and a
 * row per reproduced published figure; references this kernel cannot run are named with the reason.
 * Empty when no row of any reference was reproduced. Pure; every string is escaped here, and numbers
 * carry their exact value in data-value as in the other tables.
 */
import { escapeHtml } from '../render/html.js';
import type { Reference } from '../references.js';
import { metricDefinition } from '../results/metrics.js';
import { formatNumber, formatRatioText } from './format.js';
import type { ReportModel } from './model.js';
import { AGREEMENT_TOLERANCE, comparePapers, type MeasuredCount, type MeasuredRow, type ReferenceComparison } from './papers.js';
import { differenceText, referenceSentence } from './papers-text.js';

function numberCell(field: string, value: number, text: string, note = ''): string {
  return `<td class="num" data-field="${field}" data-value="${String(value)}">${escapeHtml(text)}${note ? ` <span class="dim">${escapeHtml(note)}</span>` : ''}</td>`;
}

function agreementCell(agreement: number, agrees: boolean): string {
  return `<td class="num agreement ${agrees ? 'agrees' : 'differs'}" data-field="agreement" data-value="${String(agreement)}">${escapeHtml(`${agreement.toFixed(2)}×`)} ${agrees ? 'agrees' : 'differs'}</td>`;
}

function figureRow(model: ReportModel, reference: Reference, row: MeasuredRow): string {
  const definition = metricDefinition(row.metric);
  const attributes = [
    ['reference', reference.id],
    ['figure', row.figure.id],
    ['row', row.label],
    ['backend', row.subject],
    ['workload', row.workload],
    ['agrees', String(row.agrees)],
  ]
    .map(([name, value]) => `data-${name}="${escapeHtml(value!)}"`)
    .join(' ');
  const computed = row.row.computed_ratio === undefined ? '' : ` (its own values give ${row.row.computed_ratio})`;
  return [
    `<tr ${attributes}>`,
    model.sideBySide ? `<td>${escapeHtml(row.run)}</td>` : '',
    `<td>${escapeHtml(row.figure.id)}</td>`,
    `<td>${escapeHtml(row.label)}<br><span class="dim">${escapeHtml(row.workload)}</span></td>`,
    `<td>${escapeHtml(definition.label)}</td>`,
    numberCell('published', row.published, formatRatioText(row.published), `${row.row.subject} ÷ ${row.row.baseline}${computed}`),
    numberCell('measured', row.measured, formatRatioText(row.measured), `${row.subject} ÷ ${row.baseline}: ${formatNumber(row.subjectMedian)} ÷ ${formatNumber(row.baselineMedian)} ${definition.unit}`),
    agreementCell(row.agreement, row.agrees),
    `<td class="differences">${escapeHtml(row.differences.map(differenceText).join('; ') || 'none recorded')}</td>`,
    '</tr>',
  ].join('');
}

function countRow(model: ReportModel, reference: Reference, count: MeasuredCount): string {
  return [
    `<tr data-reference="${escapeHtml(reference.id)}" data-table="${escapeHtml(count.table.id)}" data-opcode="${escapeHtml(count.opcode)}" data-backend="${escapeHtml(count.backend)}" data-workload="${escapeHtml(count.cellWorkload)}" data-agrees="${String(count.agrees)}">`,
    model.sideBySide ? `<td>${escapeHtml(count.run)}</td>` : '',
    `<td>${escapeHtml(count.workload)}<br><span class="dim">${escapeHtml(count.cellWorkload)}</span></td>`,
    `<td>${escapeHtml(count.opcode)}</td>`,
    numberCell('published', count.published, formatNumber(count.published)),
    numberCell('measured', count.measured, formatNumber(count.measured), count.backend),
    agreementCell(count.agreement, count.agrees),
    '</tr>',
  ].join('');
}

function head(model: ReportModel, columns: readonly string[]): string {
  return `<thead><tr>${[...(model.sideBySide ? ['run'] : []), ...columns].map((column) => `<th>${escapeHtml(column)}</th>`).join('')}</tr></thead>`;
}

function sourceLine(reference: Reference): string {
  const { source } = reference;
  return `<p class="dim">${escapeHtml(`${source.authors.join(', ')}, ${source.venue}, ${source.date}. ${source.link}`)}</p>`;
}

/** The CPUs the runs had; side by side, the fewest, which is where jobs first outnumber them. */
const cpuCount = (model: ReportModel) => Math.min(...model.runs.map((run) => run.environment.cpuCount));

function referenceBlock(model: ReportModel, comparison: ReferenceComparison): string {
  const { reference } = comparison;
  const figures = comparison.rows.length === 0
    ? ''
    : `<table class="papers figures" data-reference="${escapeHtml(reference.id)}">${head(model, ['table', 'published row (our cell)', 'metric', 'published ratio', 'measured ratio', 'measured ÷ published', 'setup differences'])}<tbody>${comparison.rows.map((row) => figureRow(model, reference, row)).join('\n')}</tbody></table>`;
  const counts = comparison.counts.length === 0
    ? ''
    : `<table class="papers counts" data-reference="${escapeHtml(reference.id)}">${head(model, ['workload (our cell)', 'opcode', 'published requests per op', 'measured requests per op', 'measured ÷ published'])}<tbody>${comparison.counts.map((count) => countRow(model, reference, count)).join('\n')}</tbody></table>`;
  return `<section class="paper" data-reference="${escapeHtml(reference.id)}">
<h3>${escapeHtml(reference.source.title)}</h3>
${sourceLine(reference)}
<p class="paper-verdict">${escapeHtml(referenceSentence(comparison, cpuCount(model)))}</p>
${figures}
${counts}
</section>`;
}

/** "fuse-io-uring (profile papers/fuse-uring-scaling)": where to look for a run that reproduces it. */
function profileHint(reference: Reference): string {
  const profile = [...reference.figures, ...reference.request_counts].map((table) => table.measure?.profile).find((name) => name !== undefined);
  return profile === undefined ? reference.id : `${reference.id} (profile ${profile})`;
}

/** The section's HTML, or '' when this run reproduced no published row. */
export function papersSection(model: ReportModel): string {
  const comparison = comparePapers(model);
  if (comparison.compared.length === 0) return '';
  const tolerance = `±${Math.round(AGREEMENT_TOLERANCE * 100)}%`;
  const unsupported = comparison.unsupported
    .map(({ reference, reason }) => `<p class="paper-unsupported" data-reference="${escapeHtml(reference.id)}"><strong>${escapeHtml(reference.source.title)}</strong>: unsupported here: ${escapeHtml(reason)}</p>`)
    .join('\n');
  const unmatched = comparison.unmatched.length === 0
    ? ''
    : `<p class="dim">No cell of this run reproduces a row of: ${escapeHtml(comparison.unmatched.map((reference) => profileHint(reference)).join(', '))}.</p>`;
  return `<h2 id="papers">Published | measured</h2>
<p class="legend-note">Figures from the cover letters and papers in references/ beside this run's. The <strong>published ratio</strong> is the source's subject over its baseline, as printed or computed from its values; the <strong>measured ratio</strong> is our subject backend's median over our baseline backend's median for the same metric, from cells whose fio job ran the row's parameters (jobs, block size, queue depth, read/write mix). A row <strong>agrees</strong> when measured ÷ published is within ${escapeHtml(tolerance)} of 1. The setup differences are the ones known for each row: storage, page cache, jobs against CPUs, kernel and server. Rows this run has no cells for are left out.</p>
${comparison.compared.map((entry) => referenceBlock(model, entry)).join('\n')}
${unsupported}
${unmatched}`;
}
