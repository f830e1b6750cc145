/**
 * (3) The transition chart: FUSE requests per I/O, stacked by opcode. From the metrics
 * `requestsPerIo:<OPCODE>` when the run stored them, else the cell's median requests by opcode divided
 * by the median I/O count.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CellSummary } from '../../results/schema.js';
import { rowLabel, type ReportModel } from '../model.js';
import { cellRows, facetedPanels, stackTotalLayer, type Chart } from './common.js';

/** Fixed colours for the opcodes a reader meets most, so READ is the same colour in every report. */
const OPCODE_COLOURS: Record<string, string> = {
  LOOKUP: '#4c78a8',
  GETATTR: '#72b7b2',
  OPEN: '#54a24b',
  READ: '#f58518',
  WRITE: '#e45756',
  FLUSH: '#b279a2',
  RELEASE: '#9d755d',
  READDIR: '#eeca3b',
  READDIRPLUS: '#d6a10b',
  CREATE: '#ff9da6',
  FSYNC: '#8c6d31',
  SETATTR: '#79706e',
  UNLINK: '#bab0ac',
  RENAME: '#17becf',
  FORGET: '#c7c7c7',
  BATCH_FORGET: '#a5a5a5',
  STATFS: '#393b79',
  GETXATTR: '#9c9ede',
};
const EXTRA_OPCODE_COLOURS = ['#637939', '#8ca252', '#843c39', '#ad494a', '#7b4173', '#a55194', '#3182bd', '#e6550d'];

/** Requests per I/O by opcode for one cell, or undefined when the cell has no request counts. */
export function requestsPerIo(cell: CellSummary): Record<string, number> | undefined {
  const fromMetrics = Object.entries(cell.metrics).filter(([name]) => name.startsWith('requestsPerIo:'));
  if (fromMetrics.length > 0) return Object.fromEntries(fromMetrics.map(([name, metric]) => [name.slice('requestsPerIo:'.length), metric.median]));
  const ioCount = cell.metrics.ioCount?.median;
  if (!cell.requestsByOpcode || !ioCount) return undefined;
  return Object.fromEntries(Object.entries(cell.requestsByOpcode).map(([opcode, count]) => [opcode, count / ioCount]));
}

export function opcodeScale(opcodes: Iterable<string>) {
  const domain = [...new Set(opcodes)].sort((a, b) => {
    const known = Object.keys(OPCODE_COLOURS);
    const rank = (opcode: string) => (known.includes(opcode) ? known.indexOf(opcode) : known.length);
    return rank(a) - rank(b) || a.localeCompare(b);
  });
  const extras = domain.filter((opcode) => !(opcode in OPCODE_COLOURS));
  return { domain, range: domain.map((opcode) => OPCODE_COLOURS[opcode] ?? EXTRA_OPCODE_COLOURS[extras.indexOf(opcode) % EXTRA_OPCODE_COLOURS.length]!) };
}

export const requestsChart: Chart = {
  name: 'requests-per-io',
  title: 'FUSE requests per I/O, by opcode',
  caption:
    'How many kernel → daemon → kernel round trips each I/O of the workload caused, split by FUSE opcode. Passthrough paths should show few or no READ/WRITE requests; the number at the end of each bar is the total. Backends without a FUSE daemon (bind) have no requests and no bar.',
  build(model: ReportModel): TopLevelSpec | undefined {
    const rows = cellRows(model, (cell, run, runIndex) => {
      const perIo = requestsPerIo(cell);
      if (!perIo) return [];
      return Object.entries(perIo)
        .filter(([, value]) => value > 0)
        .map(([opcode, value]) => ({
          panel: cell.workload,
          backend: cell.backend,
          run: run.id,
          runIndex,
          label: rowLabel(model, run, cell.backend, cell.workload),
          opcode,
          requestsPerIo: value,
        }));
    });
    if (rows.length === 0) return undefined;
    return facetedPanels(model, rows, { independent: ['y'], step: 26 }, (y) => [
      {
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: {
          y,
          x: { aggregate: 'sum', field: 'requestsPerIo', type: 'quantitative', title: 'FUSE requests per I/O', stack: 'zero' },
          color: { field: 'opcode', type: 'nominal', scale: opcodeScale(rows.map((row) => row.opcode)), title: 'opcode' },
          order: { field: 'opcode' },
          tooltip: [{ field: 'label' }, { field: 'opcode' }, { field: 'requestsPerIo', aggregate: 'sum', format: '.3~g', title: 'per I/O' }],
        },
      },
      stackTotalLayer(y, 'requestsPerIo'),
    ]);
  },
};
