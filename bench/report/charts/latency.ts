/** (2) Completion latency percentiles p50…p99.9 per backend, on a log axis. */
import type { TopLevelSpec } from 'vega-lite';
import { rowLabel, type ReportModel } from '../model.js';
import { backendScale, baseConfig, cellRows, type Chart } from './common.js';

const PERCENTILES = [
  ['P50', 'p50'],
  ['P90', 'p90'],
  ['P99', 'p99'],
  ['P999', 'p99.9'],
] as const;

export const latencyChart: Chart = {
  name: 'latency',
  title: 'Completion latency percentiles',
  caption:
    'fio completion latency per I/O, median over the repetitions of each percentile, log scale: each step up the axis is ten times slower. Lines that bend up steeply at p99 and p99.9 show a tail.',
  build(model: ReportModel): TopLevelSpec | undefined {
    const rows = cellRows(model, (cell, run, runIndex) =>
      (['read', 'write'] as const).flatMap((side) =>
        PERCENTILES.flatMap(([suffix, percentile], order) => {
          const metric = cell.metrics[`${side}Latency${suffix}Us`];
          if (!metric || !(metric.median > 0)) return [];
          return [
            {
              panel: `${cell.workload} · ${side}`,
              backend: cell.backend,
              run: run.id,
              runIndex,
              label: rowLabel(model, run, cell.backend, cell.workload),
              percentile,
              order,
              value: metric.median,
            },
          ];
        }),
      ),
    );
    if (rows.length === 0) return undefined;
    const colour = backendScale(model, rows.map((row) => row.backend));
    const x = { field: 'percentile', type: 'ordinal', sort: PERCENTILES.map(([, name]) => name), title: 'percentile', axis: { labelAngle: 0 } } as const;
    const y = { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'latency (µs, log scale)' } as const;
    const dash = model.sideBySide ? { strokeDash: { field: 'run', type: 'nominal', title: 'run' } } : {};
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: baseConfig,
      data: { values: rows },
      facet: { field: 'panel', type: 'nominal', title: null, header: { labelFontSize: 12, labelFontWeight: 'bold' } },
      columns: 2,
      spec: {
        width: 300,
        height: 220,
        layer: [
          { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color: { field: 'backend', type: 'nominal', scale: colour, title: 'backend' }, detail: { field: 'label' }, ...dash } },
          {
            mark: { type: 'point', filled: true, size: 50 },
            encoding: {
              x,
              y,
              color: { field: 'backend', type: 'nominal', scale: colour, title: 'backend' },
              tooltip: [{ field: 'label' }, { field: 'percentile' }, { field: 'value', format: '.4~g' }],
            },
          },
        ],
      },
    } as TopLevelSpec;
  },
};
