/**
 * (4) CPU per GiB (or per operation) split into the FUSE daemon, the workload and the rest of the
 * machine (systemCpu… is whole-machine busy time, so the rest is system − daemon − workload): the
 * cost a passthrough path saves is mostly daemon CPU, which fio's own usr/sys never sees.
 */
import type { TopLevelSpec } from 'vega-lite';
import { rowLabel, type ReportModel } from '../model.js';
import { cellRows, facetedPanels, stackTotalLayer, type Chart } from './common.js';

const COMPONENTS = ['daemon', 'workload', 'system'] as const;
/** systemCpu… is the whole machine's busy time, daemon and workload included: the third segment is the rest. */
const SEGMENTS = ['daemon', 'workload', 'rest of the machine'] as const;
const SEGMENT_COLOURS = ['#d6604d', '#4393c3', '#9e9e9e'];
const UNITS = [
  { suffix: 'CpuSecondsPerGiB', title: 'CPU seconds per GiB' },
  { suffix: 'CpuUsPerIo', title: 'CPU µs per operation' },
] as const;

export const cpuChart: Chart = {
  name: 'cpu',
  title: 'CPU cost split by daemon, workload and the rest of the machine',
  caption:
    'Median CPU time per GiB moved (or per operation), stacked: the FUSE daemon, the workload (fio), and the rest of the machine (whole-machine busy time minus those two: kernel threads, interrupts, other processes). The number is the whole bar; when the machine-wide figure was not measured the bar is daemon + workload only. Lower is cheaper.',
  build(model: ReportModel): TopLevelSpec | undefined {
    const rows = cellRows(model, (cell, run, runIndex) => {
      // Per GiB when the cell has it, else per operation: one unit per cell so a bar never mixes them.
      const unit = UNITS.find(({ suffix }) => COMPONENTS.some((component) => cell.metrics[`${component}${suffix}`]));
      if (!unit) return [];
      const median = (component: (typeof COMPONENTS)[number]) => cell.metrics[`${component}${unit.suffix}`]?.median;
      const daemon = median('daemon');
      const workload = median('workload');
      const system = median('system');
      const rest = system === undefined ? undefined : Math.max(0, system - (daemon ?? 0) - (workload ?? 0));
      return ([daemon, workload, rest] as const).flatMap((value, order) =>
        value === undefined
          ? []
          : [
              {
                panel: `${cell.workload} — ${unit.title}`,
                backend: cell.backend,
                run: run.id,
                runIndex,
                label: rowLabel(model, run, cell.backend, cell.workload),
                component: SEGMENTS[order]!,
                order,
                value,
              },
            ],
      );
    });
    if (rows.length === 0) return undefined;
    return facetedPanels(model, rows, { independent: ['x', 'y'], step: 26 }, (y) => [
      {
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: {
          y,
          x: { aggregate: 'sum', field: 'value', type: 'quantitative', title: 'CPU time (median)', stack: 'zero' },
          color: { field: 'component', type: 'nominal', scale: { domain: [...SEGMENTS], range: SEGMENT_COLOURS }, title: 'CPU spent in' },
          order: { field: 'order' },
          tooltip: [{ field: 'label' }, { field: 'component' }, { field: 'value', aggregate: 'sum', format: '.4~g', title: 'CPU' }],
        },
      },
      stackTotalLayer(y, 'value'),
    ]);
  },
};
