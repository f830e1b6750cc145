/**
 * Sweeps: for each swept parameter (numjobs, bs, …), a line chart with the parameter along x and the
 * headline metric up y, one line per backend with its 95% CI as a band; and the same with the ratio to
 * the baseline up y. One panel per swept workload (and per value of any other parameter it sweeps).
 */
import type { TopLevelSpec } from 'vega-lite';
import { compareParamValues, paramsLabel, SWEEP_FIELDS, type SweepField } from '../../results/cell.js';
import { metricDefinition } from '../../results/metrics.js';
import { compareToBaseline, rowLabel, type ReportModel } from '../model.js';
import { backendScale, baseConfig, cellRows, PANEL_WIDTH, panelHeader, type Chart } from './common.js';

export interface SweepRow {
  /** The profile's workload with the other swept parameters' values, and the metric: one panel per chart. */
  panel: string;
  ratioPanel: string;
  /** The workload the point belongs to, and the point's other parameters (empty when only one is swept). */
  sweep: string;
  others: string;
  parameter: SweepField;
  /** The parameter's value at this point, as the profile wrote it: the x position. */
  value: string;
  backend: string;
  run: string;
  runIndex: number;
  label: string;
  metric: string;
  better: 'higher' | 'lower';
  median: number;
  ciLow: number;
  ciHigh: number;
  /** Median / the baseline's median at the same point; null when the baseline has no such point. */
  ratio: number | null;
  /** 95% bootstrap interval of the ratio, when both sides have at least two repetitions. */
  ratioLow: number | null;
  ratioHigh: number | null;
}

/** Every swept cell's headline, once for each parameter it sweeps. */
export function sweepRows(model: ReportModel, parameter: SweepField): SweepRow[] {
  return cellRows(model, (cell, run, runIndex) => {
    const name = cell.headline;
    const metric = name ? cell.metrics[name] : undefined;
    const value = cell.params?.[parameter];
    if (!name || !metric || cell.sweep === undefined || value === undefined) return [];
    const others = paramsLabel(Object.fromEntries(Object.entries(cell.params ?? {}).filter(([key]) => key !== parameter)));
    const definition = metricDefinition(name);
    const comparison = compareToBaseline(run, cell, name);
    const workload = `${cell.sweep}${others ? ` ${others}` : ''}`;
    return [
      {
        panel: `${workload} — ${definition.label} (${definition.unit})`,
        ratioPanel: `${workload} — ${definition.label}, ratio to ${run.summary.baseline}`,
        sweep: cell.sweep,
        others,
        parameter,
        value: String(value),
        backend: cell.backend,
        run: run.id,
        runIndex,
        label: rowLabel(model, run, cell.backend, cell.workload),
        metric: name,
        better: definition.better,
        median: metric.median,
        ciLow: metric.ci95[0],
        ciHigh: metric.ci95[1],
        ratio: comparison.ratio,
        ratioLow: comparison.ratioCi?.[0] ?? null,
        ratioHigh: comparison.ratioCi?.[1] ?? null,
      },
    ];
  });
}

/** The parameter's values in sweep order (sizes by bytes, numbers by value), for the x axis. */
export function sweepValues(rows: readonly SweepRow[]): string[] {
  return [...new Set(rows.map((row) => row.value))].sort(compareParamValues);
}

interface Axis {
  field: 'median' | 'ratio';
  low: 'ciLow' | 'ratioLow';
  high: 'ciHigh' | 'ratioHigh';
  title: string;
}

function sweepSpec(model: ReportModel, parameter: SweepField, rows: SweepRow[], axis: Axis): TopLevelSpec {
  const x = { field: 'value', type: 'ordinal', sort: sweepValues(rows), title: parameter, axis: { labelAngle: 0 } } as const;
  // One legend for both layers; full opacity, or it would take the band's.
  const color = { field: 'backend', type: 'nominal', scale: backendScale(model, rows.map((row) => row.backend)), title: 'backend', legend: { symbolOpacity: 1 } } as const;
  // Runs side by side: a line per backend and run, told apart by dash.
  const lines = { detail: { field: 'label', type: 'nominal' }, ...(model.sideBySide ? { strokeDash: { field: 'run', type: 'nominal', title: 'run' } } : {}) } as const;
  const layers: object[] = [
    {
      transform: [{ filter: `isValid(datum.${axis.low}) && isValid(datum.${axis.high})` }],
      mark: { type: 'area', opacity: 0.18 },
      encoding: { x, y: { field: axis.low, type: 'quantitative', title: axis.title }, y2: { field: axis.high }, color, detail: lines.detail },
    },
    {
      transform: [{ filter: `isValid(datum.${axis.field})` }],
      mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 2 },
      encoding: {
        x,
        y: { field: axis.field, type: 'quantitative', title: axis.title, scale: { zero: axis.field === 'median', nice: true } },
        color,
        ...lines,
        tooltip: [{ field: 'label' }, { field: 'value', title: parameter }, { field: 'median', format: '.4~g' }, { field: 'ciLow', format: '.4~g' }, { field: 'ciHigh', format: '.4~g' }, { field: 'ratio', format: '.3~g' }],
      },
    },
  ];
  if (axis.field === 'ratio') layers.unshift({ mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { y: { datum: 1 } } });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: baseConfig,
    data: { values: rows },
    facet: { row: { field: 'panel', type: 'nominal', header: panelHeader } },
    // Each panel its own axes: workloads may sweep different values, and an axis beside its panel reads best.
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: { width: PANEL_WIDTH, height: 220, layer: layers },
  } as TopLevelSpec;
}

function sweepChart(parameter: SweepField): Chart {
  return {
    name: `sweep-${parameter}`,
    title: `Sweep of ${parameter}: headline metric per backend`,
    caption: `Each point is one value of ${parameter} run as a cell of its own; the line joins a backend's medians and the band is the 95% bootstrap confidence interval of each median.`,
    build(model) {
      const rows = sweepRows(model, parameter);
      return rows.length === 0 ? undefined : sweepSpec(model, parameter, rows, { field: 'median', low: 'ciLow', high: 'ciHigh', title: 'median (95% CI)' });
    },
  };
}

function sweepRatioChart(parameter: SweepField): Chart {
  return {
    name: `sweep-${parameter}-ratio`,
    title: `Sweep of ${parameter}: ratio to the baseline`,
    caption: `Each backend's median divided by the baseline's at the same ${parameter}; the dashed line is 1 (as fast as the baseline). The band is the 95% bootstrap interval of the ratio, drawn where both sides have at least two repetitions.`,
    build(model) {
      const rows = sweepRows(model, parameter)
        .filter((row) => row.ratio !== null)
        .map((row) => ({ ...row, panel: row.ratioPanel }));
      return rows.length === 0 ? undefined : sweepSpec(model, parameter, rows, { field: 'ratio', low: 'ratioLow', high: 'ratioHigh', title: 'ratio to the baseline (95% CI)' });
    },
  };
}

/** Two charts per sweepable field, each drawn only when some cell sweeps that field. */
export const sweepCharts: readonly Chart[] = SWEEP_FIELDS.flatMap((parameter) => [sweepChart(parameter), sweepRatioChart(parameter)]);
