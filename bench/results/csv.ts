/**
 * results.csv: one row per backend × workload, every metric's median and CI as columns. When a workload
 * was swept, the rows of its points also say which workload (`sweep`) and each swept parameter in a
 * column of its own, so a spreadsheet can pivot on them; without a sweep the columns are as they were.
 */
import { stringify } from 'csv-stringify/sync';
import type { Summary } from './schema.js';
import { SWEEP_FIELDS } from './cell.js';

/** Every parameter any cell swept, in the order points name them. */
function sweptParams(summary: Summary): string[] {
  const names = new Set(summary.cells.flatMap((cell) => Object.keys(cell.params ?? {})));
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function rank(name: string): number {
  const index = (SWEEP_FIELDS as readonly string[]).indexOf(name);
  return index === -1 ? SWEEP_FIELDS.length : index;
}

export function summaryToCsv(summary: Summary): string {
  const params = sweptParams(summary);
  const sweepColumns = params.length > 0 ? ['sweep', ...params] : [];
  const metricNames = [...new Set(summary.cells.flatMap((cell) => Object.keys(cell.metrics)))].sort();
  const opcodes = [...new Set(summary.cells.flatMap((cell) => Object.keys(cell.requestsByOpcode ?? {})))].sort();
  const header = [
    'backend',
    'workload',
    ...sweepColumns,
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
      ...(sweepColumns.length > 0 ? [cell.sweep ?? cell.workload, ...params.map((name) => cell.params?.[name] ?? '')] : []),
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
    rows.push([entry.backend, '*', ...Array<string>(sweepColumns.length).fill(''), 'unsupported', ...Array<string>(header.length - 4 - sweepColumns.length).fill(''), entry.reason]);
  }
  return stringify([header, ...rows]);
}
