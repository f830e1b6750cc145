/**
 * "Published | measured": each row of a reference (references/*.yaml) that this run reproduced, with the
 * published ratio, ours, and the one divided by the other. Pure: the loaded references and results in,
 * rows out; papers-text.ts says it in words and papers-section.ts renders it.
 *
 * A row is reproduced by a pair of cells of one run and one workload, whose job file (the options fio
 * really ran) has everything the row's measure block asks for; the measured ratio is the subject
 * backend's median over the baseline backend's median of the same metric. Rows without such a pair are
 * left out, so a scaling or bs-sweep run shows the rows it happens to cover.
 */
import { rowMeasure } from '../reference-measure.js';
import type { LoadedReference, Reference, ReferenceCountTable, ReferenceFigure, ReferenceRow } from '../references.js';
import { jobParams, paramsMatch, type JobParams, type ParamMatch } from '../results/job-params.js';
import type { CellSummary } from '../results/schema.js';
import { requestsPerIo } from './charts/requests.js';
import type { LabelledRun, ReportModel } from './model.js';
import { rowDifferences, type SetupDifference } from './papers-text.js';

/** Measured within this fraction of the published ratio counts as agreeing. */
export const AGREEMENT_TOLERANCE = 0.1;

export interface MeasuredRow {
  run: string;
  figure: ReferenceFigure;
  row: ReferenceRow;
  /** The published row in a few words: workload, block size, jobs, queue depth, device. */
  label: string;
  metric: string;
  /** Our cell's workload (the sweep point's name). */
  workload: string;
  params: JobParams;
  baseline: string;
  subject: string;
  baselineMedian: number;
  subjectMedian: number;
  published: number;
  measured: number;
  /** measured / published: 1 is the same ratio. */
  agreement: number;
  agrees: boolean;
  differences: SetupDifference[];
}

export interface MeasuredCount {
  run: string;
  table: ReferenceCountTable;
  workload: string;
  opcode: string;
  /** Requests per operation, as the source states it. */
  published: number;
  measured: number;
  backend: string;
  cellWorkload: string;
  agreement: number;
  agrees: boolean;
}

export interface ReferenceComparison {
  reference: Reference;
  rows: MeasuredRow[];
  counts: MeasuredCount[];
}

export interface PapersComparison {
  /** References with at least one reproduced row, in file order. */
  compared: ReferenceComparison[];
  /** References that cannot be measured on this kernel at all, with the reason. */
  unsupported: Array<{ reference: Reference; reason: string }>;
  /** Measurable references this run reproduced nothing of. */
  unmatched: Reference[];
}

export const agrees = (agreement: number) => Math.abs(agreement - 1) <= AGREEMENT_TOLERANCE + 1e-12;

/** The job parameters of each workload of a run, from the first completed record that kept its job file. */
function workloadParams(run: LabelledRun): Map<string, JobParams> {
  const params = new Map<string, JobParams>();
  for (const record of run.records) {
    if (record.state === 'completed' && record.workloadSpec && !params.has(record.workload)) params.set(record.workload, jobParams(record.workloadSpec));
  }
  return params;
}

function cellOf(run: LabelledRun, backend: string, workload: string): CellSummary | undefined {
  return run.summary.cells.find((cell) => cell.backend === backend && cell.workload === workload);
}

export function rowLabel(row: ReferenceRow): string {
  const details = [
    row.bs,
    row.jobs === undefined ? undefined : `${row.jobs} job${row.jobs === 1 ? '' : 's'}`,
    row.iodepth === undefined ? undefined : `QD ${row.iodepth}`,
    row.device,
  ].filter((detail): detail is string => detail !== undefined);
  return [row.workload, details.join(', ')].filter(Boolean).join(' ');
}

function matchingWorkloads(params: Map<string, JobParams>, match: ParamMatch): Array<[string, JobParams]> {
  return [...params].filter(([, job]) => paramsMatch(job, match));
}

function measureFigure(run: LabelledRun, figure: ReferenceFigure, params: Map<string, JobParams>): MeasuredRow[] {
  const { measure } = figure;
  if (!measure) return [];
  return figure.rows.flatMap((row) => {
    const how = rowMeasure(measure, row);
    if (!how) return [];
    return matchingWorkloads(params, how.match).flatMap(([workload, job]) => {
      const baseMedian = cellOf(run, how.baseline, workload)?.metrics[how.metric]?.median;
      if (!baseMedian) return [];
      return how.subjects.flatMap((subject) => {
        const subjectMedian = cellOf(run, subject, workload)?.metrics[how.metric]?.median;
        if (subjectMedian === undefined) return [];
        const measured = subjectMedian / baseMedian;
        const agreement = measured / row.ratio;
        return [{
          run: run.id,
          figure,
          row,
          label: rowLabel(row),
          metric: how.metric,
          workload,
          params: job,
          baseline: how.baseline,
          subject,
          baselineMedian: baseMedian,
          subjectMedian,
          published: row.ratio,
          measured,
          agreement,
          agrees: agrees(agreement),
          differences: rowDifferences({ measure, row, params: job, subject, environment: run.environment }),
        }];
      });
    });
  });
}

function measureCounts(run: LabelledRun, table: ReferenceCountTable, params: Map<string, JobParams>): MeasuredCount[] {
  const { measure } = table;
  if (!measure) return [];
  return table.rows.flatMap((row) => {
    const workload = measure.workloads[row.workload];
    if (!workload || row.per_op === undefined) return [];
    return matchingWorkloads(params, workload.match).flatMap(([cellWorkload]) => {
      const cell = cellOf(run, measure.backend, cellWorkload);
      // No counts at all means the run was not traced: nothing to compare, rather than zeros.
      const perIo = cell ? requestsPerIo(cell) : undefined;
      if (!perIo) return [];
      const measured = perIo[row.opcode] ?? 0;
      const agreement = measured / row.per_op!;
      return [{ run: run.id, table, workload: row.workload, opcode: row.opcode, published: row.per_op!, measured, backend: measure.backend, cellWorkload, agreement, agrees: agrees(agreement) }];
    });
  });
}

export function comparePapers(model: ReportModel): PapersComparison {
  const references: readonly LoadedReference[] = model.references ?? [];
  const compared: ReferenceComparison[] = [];
  const unmatched: Reference[] = [];
  const unsupported: PapersComparison['unsupported'] = [];
  for (const { reference } of references) {
    if (reference.unsupported_here) {
      unsupported.push({ reference, reason: reference.unsupported_here });
      continue;
    }
    const rows: MeasuredRow[] = [];
    const counts: MeasuredCount[] = [];
    for (const run of model.runs) {
      const params = workloadParams(run);
      for (const figure of reference.figures) rows.push(...measureFigure(run, figure, params));
      for (const table of reference.request_counts) counts.push(...measureCounts(run, table, params));
    }
    if (rows.length > 0 || counts.length > 0) compared.push({ reference, rows, counts });
    else if (reference.figures.some((figure) => figure.measure) || reference.request_counts.some((table) => table.measure)) unmatched.push(reference);
  }
  return { compared, unsupported, unmatched };
}
