/** (7) Metadata workloads (engine meta): latency of one operation, p50 / mean / p99 per backend. */
import type { TopLevelSpec } from 'vega-lite';
import { orderedCells, rowLabel, type ReportModel } from '../model.js';
import { dotRangeSpec, type Chart, type DotRangeRow } from './common.js';

const STATISTICS = [
  ['opLatencyP50Us', 'p50'],
  ['opLatencyMeanUs', 'mean'],
  ['opLatencyP99Us', 'p99'],
] as const;

export const metaLatencyChart: Chart = {
  name: 'meta-latency',
  title: 'Metadata operations: latency per operation',
  caption:
    'For metadata workloads (stat, open/close, readdir, create/unlink…), the time of one operation, median over repetitions; circle = p50, diamond = mean, triangle = p99, log scale. The ops/s figure is in the headline chart and the summary table.',
  build(model: ReportModel): TopLevelSpec | undefined {
    const rows: DotRangeRow[] = model.runs.flatMap((run, runIndex) =>
      orderedCells(model, run).flatMap((cell) =>
        STATISTICS.flatMap(([name, statistic]) => {
          const metric = cell.metrics[name];
          if (!metric) return [];
          return [{ panel: cell.workload, label: rowLabel(model, run, cell.backend, cell.workload), backend: cell.backend, runIndex, statistic, value: metric.median }];
        }),
      ),
    );
    if (rows.length === 0) return undefined;
    return dotRangeSpec(model, rows, STATISTICS.map(([, statistic]) => statistic), 'time per operation (µs, log scale)');
  },
};
