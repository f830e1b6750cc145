/** (1) The headline metric of every workload per backend: median, 95% CI, and the ratio to the baseline. */
import type { TopLevelSpec } from 'vega-lite';
import { metricDefinition } from '../../results/metrics.js';
import { compareToBaseline, rowLabel, VERDICT_COLOURS, type ReportModel } from '../model.js';
import { backendScale, cellRows, facetedPanels, formatRatio, type Chart } from './common.js';

export function headlineRows(model: ReportModel) {
  return cellRows(model, (cell, run, runIndex) => {
    const name = cell.headline;
    const metric = name ? cell.metrics[name] : undefined;
    if (!name || !metric) return [];
    const comparison = compareToBaseline(run, cell, name);
    const ratioText =
      comparison.verdict === 'baseline'
        ? 'baseline'
        : comparison.ratio === null
          ? ''
          : `${formatRatio(comparison.ratio)} ${run.summary.baseline}${comparison.verdict === 'unchanged' ? ' ~' : ''}`;
    return [
      {
        panel: `${cell.workload} — ${metricDefinition(name).label} (${metricDefinition(name).unit})`,
        workload: cell.workload,
        backend: cell.backend,
        run: run.id,
        runIndex,
        label: rowLabel(model, run, cell.backend, cell.workload),
        metric: name,
        median: metric.median,
        ciLow: metric.ci95[0],
        ciHigh: metric.ci95[1],
        n: metric.n,
        ratio: comparison.ratio,
        ratioText,
        verdict: comparison.verdict,
        verdictColour: VERDICT_COLOURS[comparison.verdict],
      },
    ];
  });
}

export const headlineChart: Chart = {
  name: 'headline',
  title: 'Headline: bandwidth or IOPS per backend',
  caption:
    'Bars are medians over the repetitions; black whiskers are the 95% bootstrap confidence interval of the median. The label is the ratio to the baseline: green or red only when the 95% interval of the ratio excludes 1, grey with ~ when the difference is not significant.',
  build(model: ReportModel): TopLevelSpec | undefined {
    const rows = headlineRows(model);
    if (rows.length === 0) return undefined;
    return facetedPanels(model, rows, { independent: ['x', 'y'], step: 26 }, (y) => [
      {
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: {
          y,
          x: { field: 'median', type: 'quantitative', title: 'median (95% CI)', scale: { zero: true, nice: true } },
          color: { field: 'backend', type: 'nominal', scale: backendScale(model, rows.map((row) => row.backend)), legend: null },
          tooltip: [{ field: 'label' }, { field: 'median', format: '.4~g' }, { field: 'ciLow', format: '.4~g' }, { field: 'ciHigh', format: '.4~g' }, { field: 'n' }],
        },
      },
      { mark: { type: 'rule', color: '#222', strokeWidth: 1.5 }, encoding: { y, x: { field: 'ciLow', type: 'quantitative' }, x2: { field: 'ciHigh' } } },
      {
        mark: { type: 'text', align: 'left', dx: 6, fontSize: 11, fontWeight: 'bold' },
        encoding: { y, x: { field: 'ciHigh', type: 'quantitative' }, text: { field: 'ratioText' }, color: { field: 'verdictColour', type: 'nominal', scale: null } },
      },
    ]);
  },
};
