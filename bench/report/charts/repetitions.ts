/** (6) Every repetition of the headline metric as a point, next to the median: noise stays visible. */
import type { TopLevelSpec } from 'vega-lite';
import { metricDefinition } from '../../results/metrics.js';
import { rowLabel, type ReportModel } from '../model.js';
import { backendScale, cellRows, facetedPanels, type Chart } from './common.js';

export const repetitionsChart: Chart = {
  name: 'repetitions',
  title: 'Every repetition',
  caption:
    'Each dot is one repetition of the headline metric; the black tick is the median. Crosses are outliers (outside 1.5 IQR): marked, never dropped. A wide spread means the machine was noisy; compare it with the differences in the headline chart.',
  build(model: ReportModel): TopLevelSpec | undefined {
    const rows = cellRows(model, (cell, run, runIndex) => {
      const name = cell.headline;
      const metric = name ? cell.metrics[name] : undefined;
      if (!name || !metric) return [];
      const label = rowLabel(model, run, cell.backend, cell.workload);
      return metric.samples.map((value, index) => ({
        panel: `${cell.workload} — ${metricDefinition(name).label} (${metricDefinition(name).unit})`,
        backend: cell.backend,
        run: run.id,
        runIndex,
        label,
        repetition: index + 1,
        value,
        median: metric.median,
        kind: metric.outliers.includes(index) ? 'outlier' : 'repetition',
      }));
    });
    if (rows.length === 0) return undefined;
    return facetedPanels(model, rows, { independent: ['x', 'y'], step: 26 }, (y) => [
      {
        mark: { type: 'point', filled: true, size: 60, opacity: 0.75 },
        encoding: {
          y,
          x: { field: 'value', type: 'quantitative', title: 'value of each repetition', scale: { zero: false, nice: true } },
          color: { field: 'backend', type: 'nominal', scale: backendScale(model, rows.map((row) => row.backend)), title: 'backend' },
          shape: { field: 'kind', type: 'nominal', scale: { domain: ['repetition', 'outlier'], range: ['circle', 'cross'] }, title: null },
          tooltip: [{ field: 'label' }, { field: 'repetition' }, { field: 'value', format: '.4~g' }],
        },
      },
      { mark: { type: 'tick', color: '#111', thickness: 2, size: 18 }, encoding: { y, x: { field: 'median', type: 'quantitative' } } },
    ]);
  },
};
