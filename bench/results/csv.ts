/** results.csv: one row per backend × workload, every metric's median and CI as columns. */
import { stringify } from 'csv-stringify/sync';
import type { Summary } from './schema.js';

export function summaryToCsv(summary: Summary): string {
  const metricNames = [...new Set(summary.cells.flatMap((cell) => Object.keys(cell.metrics)))].sort();
  const opcodes = [...new Set(summary.cells.flatMap((cell) => Object.keys(cell.requestsByOpcode ?? {})))].sort();
  const header = [
    'backend',
    'workload',
    'state',
    'runs',
    'failed_runs',
    ...metricNames.flatMap((name) => [`${name}_median`, `${name}_ci95_low`, `${name}_ci95_high`, `${name}_ratio_to_${summary.baseline}`]),
    ...opcodes.map((opcode) => `requests_${opcode}`),
    'reason',
  ];
  const rows: Array<Array<string | number>> = summary.cells.map((cell) => {
    const runs = Math.max(0, ...Object.values(cell.metrics).map((metric) => metric.n));
    return [
      cell.backend,
      cell.workload,
      'completed',
      runs,
      cell.failedRuns,
      ...metricNames.flatMap((name) => {
        const metric = cell.metrics[name];
        return metric ? [metric.median, metric.ci95[0], metric.ci95[1], metric.ratioToBaseline ?? ''] : ['', '', '', ''];
      }),
      ...opcodes.map((opcode) => cell.requestsByOpcode?.[opcode] ?? ''),
      '',
    ];
  });
  for (const entry of summary.unsupported) {
    rows.push([entry.backend, '*', 'unsupported', ...Array<string>(header.length - 4).fill(''), entry.reason]);
  }
  return stringify([header, ...rows]);
}
