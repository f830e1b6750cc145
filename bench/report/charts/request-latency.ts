/** (5) FUSE request latency per opcode (send → end of each request), p50 and p99 per backend. */
import type { TopLevelSpec } from 'vega-lite';
import { orderedCells, rowLabel, type ReportModel } from '../model.js';
import { dotRangeSpec, type Chart, type DotRangeRow } from './common.js';

const PATTERN = /^requestLatency(P\d+)Us:(.+)$/;

export const requestLatencyChart: Chart = {
  name: 'request-latency',
  title: 'FUSE request latency per opcode',
  caption:
    'Time from the kernel sending a FUSE request to the daemon\'s reply, per opcode, median over repetitions; circle = p50, diamond = p99, log scale. It isolates the daemon round trip from the rest of the I/O path.',
  build(model: ReportModel): TopLevelSpec | undefined {
    const statistics = new Set<string>();
    const rows: DotRangeRow[] = model.runs.flatMap((run, runIndex) =>
      orderedCells(model, run).flatMap((cell) =>
        Object.entries(cell.metrics).flatMap(([name, metric]) => {
          const match = PATTERN.exec(name);
          if (!match) return [];
          const statistic = match[1]!.toLowerCase().replace(/^p(\d\d)(\d+)$/, 'p$1.$2');
          statistics.add(statistic);
          return [{ panel: `${cell.workload} · ${match[2]!}`, label: rowLabel(model, run, cell.backend, cell.workload), backend: cell.backend, runIndex, statistic, value: metric.median }];
        }),
      ),
    );
    if (rows.length === 0) return undefined;
    const order = [...statistics].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    return dotRangeSpec(model, rows, order, 'request latency (µs, log scale)');
  },
};
