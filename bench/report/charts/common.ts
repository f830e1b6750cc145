/**
 * What every chart module shares: the chart type, the backend colour scale, facet headers and the
 * dot-range layout used by the latency charts. A chart is a pure function from the report model to a
 * vega-lite spec with its data inline, or undefined when no cell has what it draws.
 */
import type { TopLevelSpec } from 'vega-lite';
import { backendColour, type ReportModel } from '../model.js';

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
  const sort = labelOrder(positive, model);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: baseConfig,
    data: { values: positive },
    facet: { row: { field: 'panel', type: 'nominal', header: panelHeader } },
    resolve: { scale: { y: 'independent', x: 'independent' } },
    spec: {
      width: PANEL_WIDTH,
      height: { step: 22 },
      transform: [{ joinaggregate: [{ op: 'min', field: 'value', as: 'low' }, { op: 'max', field: 'value', as: 'high' }], groupby: ['panel', 'label'] }],
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 2, opacity: 0.6 },
          encoding: {
            y: { field: 'label', type: 'nominal', sort, title: null },
            x: { field: 'low', type: 'quantitative', scale: { type: 'log' }, title: axisTitle },
            x2: { field: 'high' },
            color: { field: 'backend', type: 'nominal', scale: colour, title: 'backend' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 70, opacity: 1 },
          encoding: {
            y: { field: 'label', type: 'nominal', sort, title: null },
            x: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: axisTitle },
            color: { field: 'backend', type: 'nominal', scale: colour, title: 'backend' },
            shape: { field: 'statistic', type: 'nominal', scale: { domain: statistics, range: ['circle', 'diamond', 'triangle-right', 'square'].slice(0, statistics.length) }, title: 'statistic' },
            tooltip: [{ field: 'label' }, { field: 'statistic' }, { field: 'value', format: '.4~g' }],
          },
        },
      ],
    },
  } as TopLevelSpec;
}

export function formatRatio(ratio: number): string {
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}
