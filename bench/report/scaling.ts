/**
 * Scaling efficiency of a numjobs sweep: throughput at N jobs / (N × throughput at 1 job), per backend.
 * 100% is perfect scaling; a path that serialises on one daemon thread or one lock falls towards 1/N.
 * Pure; every string from the results is escaped here.
 */
import { escapeHtml } from '../render/html.js';
import { compareParamValues } from '../results/cell.js';
import { metricDefinition } from '../results/metrics.js';
import { sweepRows, type SweepRow } from './charts/sweep.js';
import { formatNumber } from './format.js';
import { backendColour, type ReportModel } from './model.js';

export interface ScalingPoint {
  jobs: number;
  median: number;
  /** null when the sweep has no 1-job point to scale from. */
  efficiency: number | null;
}

export interface ScalingRow {
  run: string;
  /** The swept workload, with the values of any other parameter it sweeps. */
  workload: string;
  backend: string;
  metric: string;
  points: ScalingPoint[];
}

/** Rows of throughput metrics only: efficiency of a latency (lower is better) would read backwards. */
export function scalingEfficiency(model: ReportModel): ScalingRow[] {
  const groups = new Map<string, SweepRow[]>();
  for (const row of sweepRows(model, 'numjobs')) {
    if (row.better !== 'higher') continue;
    const key = [row.run, row.sweep, row.others, row.backend].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((rows) => {
    const first = rows[0]!;
    const single = rows.find((row) => Number(row.value) === 1)?.median;
    const points = rows
      .map((row) => ({ jobs: Number(row.value), median: row.median, efficiency: single ? row.median / (Number(row.value) * single) : null }))
      .sort((a, b) => a.jobs - b.jobs);
    return { run: first.run, workload: `${first.sweep}${first.others ? ` ${first.others}` : ''}`, backend: first.backend, metric: first.metric, points };
  });
}

/** The table, or '' when nothing swept numjobs. */
export function scalingTable(model: ReportModel): string {
  const rows = scalingEfficiency(model);
  if (rows.length === 0) return '';
  const jobs = [...new Set(rows.flatMap((row) => row.points.map((point) => point.jobs)))].sort(compareParamValues);
  const head = [...(model.sideBySide ? ['run'] : []), 'workload', 'backend', 'metric', ...jobs.map((count) => `${count} job${count === 1 ? '' : 's'}`)];
  const body = rows.map((row) => {
    const cells = jobs.map((count) => {
      const point = row.points.find((candidate) => candidate.jobs === count);
      if (!point) return '<td class="num">–</td>';
      const efficiency = point.efficiency === null ? '–' : `${Math.round(point.efficiency * 100)}%`;
      return `<td class="num" data-field="efficiency" data-jobs="${count}" data-value="${point.efficiency ?? ''}" title="median ${escapeHtml(formatNumber(point.median))} ${escapeHtml(metricDefinition(row.metric).unit)}">${escapeHtml(efficiency)} <span class="dim">${escapeHtml(formatNumber(point.median))}</span></td>`;
    });
    return [
      `<tr data-backend="${escapeHtml(row.backend)}" data-workload="${escapeHtml(row.workload)}">`,
      model.sideBySide ? `<td>${escapeHtml(row.run)}</td>` : '',
      `<td>${escapeHtml(row.workload)}</td>`,
      `<td class="backend"><span class="swatch" style="background:${backendColour(row.backend, model.backends)}"></span>${escapeHtml(row.backend)}</td>`,
      `<td>${escapeHtml(metricDefinition(row.metric).label)} (${escapeHtml(metricDefinition(row.metric).unit)})</td>`,
      ...cells,
      '</tr>',
    ].join('');
  });
  return `<table class="summary scaling"><thead><tr>${head.map((column) => `<th>${escapeHtml(column)}</th>`).join('')}</tr></thead><tbody>${body.join('\n')}</tbody></table>`;
}
