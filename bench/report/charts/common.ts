/**
 * What every chart module shares: the chart type, the backend colour scale, the stacked-panel layout
 * with one labelled row per backend, and the dot-range layout used by the latency charts. A chart is a
 * pure function from the report model to a vega-lite spec with its data inline, or undefined when no
 * cell has what it draws.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CellSummary } from '../../results/schema.js';
import { backendColour, orderedCells, type LabelledRun, type ReportModel } from '../model.js';

export interface Chart {
  /** File name stem: charts/NAME.svg and charts/NAME.vl.json. */
  name: string;
  title: string;
  /** One or two sentences under the chart: how to read it. */
  caption: string;
  build(model: ReportModel): TopLevelSpec | undefined;
}

/** The backend colour scale, restricted to the backends a chart shows so the legend stays short. */
export function backendScale(model: ReportModel, shown: Iterable<string>) {
  const present = new Set(shown);
  const domain = model.backends.filter((backend) => present.has(backend));
  return { domain, range: domain.map((backend) => backendColour(backend, model.backends)) };
}

export const PANEL_WIDTH = 520;

/** Facet headers as titles above each panel, readable at any length. */
export const panelHeader = { title: null, labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top', labelFontSize: 12, labelFontWeight: 'bold', labelLimit: 0 } as const;

export const baseConfig = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 11, labelLimit: 260 },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 260 },
  view: { stroke: '#ddd' },
  background: 'white',
} as const;

/** Rows in the order of the model's backends (then run), so every chart lists them the same way. */
export function labelOrder(rows: ReadonlyArray<{ label: string; backend: string; runIndex: number }>, model: ReportModel): string[] {
  const ranked = [...rows].sort((a, b) => model.backends.indexOf(a.backend) - model.backends.indexOf(b.backend) || a.runIndex - b.runIndex);
  return [...new Set(ranked.map((row) => row.label))];
}

/** The rows a chart draws, from every cell of every run in report order; `rowsOf` gives none for a cell without data. */
export function cellRows<Row>(model: ReportModel, rowsOf: (cell: CellSummary, run: LabelledRun, runIndex: number) => Row[]): Row[] {
  return model.runs.flatMap((run, runIndex) => orderedCells(model, run).flatMap((cell) => rowsOf(cell, run, runIndex)));
}

/** The y encoding of every panel: one band per row label, in labelOrder. */
export interface LabelAxis {
  readonly field: 'label';
  readonly type: 'nominal';
  readonly sort: string[];
  readonly title: null;
}

export interface PanelLayout {
  /** The scales each panel gets for itself (a panel per workload and unit needs its own x); the others are shared. */
  independent: ReadonlyArray<'x' | 'y'>;
  /** Height of one row label's band, in pixels. */
  step: number;
  /** Transforms applied within each panel before its layers. */
  transform?: readonly object[];
}

/**
 * One panel per distinct `panel` field, stacked top to bottom with its name as a header, each
 * PANEL_WIDTH wide with one band per row label; `layers` draws a panel given that label axis.
 */
export function facetedPanels(
  model: ReportModel,
  rows: ReadonlyArray<{ label: string; backend: string; runIndex: number }>,
  layout: PanelLayout,
  layers: (y: LabelAxis) => readonly object[],
): TopLevelSpec {
  const y: LabelAxis = { field: 'label', type: 'nominal', sort: labelOrder(rows, model), title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: baseConfig,
    data: { values: rows },
    facet: { row: { field: 'panel', type: 'nominal', header: panelHeader } },
    resolve: { scale: Object.fromEntries(layout.independent.map((channel) => [channel, 'independent'])) },
    spec: { width: PANEL_WIDTH, height: { step: layout.step }, ...(layout.transform && { transform: layout.transform }), layer: layers(y) },
  } as TopLevelSpec;
}

/** The number at the end of a stacked bar: the sum of `field` over the row's segments. */
export function stackTotalLayer(y: LabelAxis, field: string) {
  return {
    transform: [{ aggregate: [{ op: 'sum', field, as: 'total' }], groupby: ['panel', 'label'] }],
    mark: { type: 'text', align: 'left', dx: 5, fontSize: 11 },
    encoding: { y, x: { field: 'total', type: 'quantitative' }, text: { field: 'total', type: 'quantitative', format: '.3~g' } },
  } as const;
}

export interface DotRangeRow {
  panel: string;
  label: string;
  backend: string;
  runIndex: number;
  statistic: string;
  value: number;
}

/**
 * One row per backend: a line from the smallest to the largest statistic and a mark per statistic
 * (shape says which), on a log axis because tails are orders of magnitude above medians.
 */
export function dotRangeSpec(model: ReportModel, rows: DotRangeRow[], statistics: string[], axisTitle: string): TopLevelSpec {
  const positive = rows.filter((row) => row.value > 0 && Number.isFinite(row.value));
  const colour = backendScale(model, positive.map((row) => row.backend));
  const layout: PanelLayout = {
    independent: ['y', 'x'],
    step: 22,
    transform: [{ joinaggregate: [{ op: 'min', field: 'value', as: 'low' }, { op: 'max', field: 'value', as: 'high' }], groupby: ['panel', 'label'] }],
  };
  return facetedPanels(model, positive, layout, (y) => [
    {
      mark: { type: 'rule', strokeWidth: 2, opacity: 0.6 },
      encoding: {
        y,
        x: { field: 'low', type: 'quantitative', scale: { type: 'log' }, title: axisTitle },
        x2: { field: 'high' },
        color: { field: 'backend', type: 'nominal', scale: colour, title: 'backend' },
      },
    },
    {
      mark: { type: 'point', filled: true, size: 70, opacity: 1 },
      encoding: {
        y,
        x: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: axisTitle },
        color: { field: 'backend', type: 'nominal', scale: colour, title: 'backend' },
        shape: { field: 'statistic', type: 'nominal', scale: { domain: statistics, range: ['circle', 'diamond', 'triangle-right', 'square'].slice(0, statistics.length) }, title: 'statistic' },
        tooltip: [{ field: 'label' }, { field: 'statistic' }, { field: 'value', format: '.4~g' }],
      },
    },
  ]);
}

export function formatRatio(ratio: number): string {
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}
