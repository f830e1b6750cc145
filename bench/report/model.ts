/**
 * What the page and the charts are drawn from: the loaded result directories, labelled, with the
 * backends in one fixed order and colour, and each cell's comparison to its run's baseline. Pure.
 */
import { backendNames, findBackend } from '../backends/registry.js';
import type { LoadedReference } from '../references.js';
import { compareWorkloadNames } from '../results/cell.js';
import { metricDefinition } from '../results/metrics.js';
import type { ResultSet } from '../results/load.js';
import type { CellSummary, Environment } from '../results/schema.js';
import { DEFAULT_THRESHOLD, judgeChange } from '../results/verdict.js';

/** One result directory as the report sees it: what the one loader gives. */
export type ReportRun = ResultSet;

export interface LabelledRun extends ReportRun {
  /** Short id used inside charts when several runs sit side by side: "run 1", "run 2"… */
  id: string;
  /** hostname · kernel · accel · profile */
  label: string;
  /** The whole run was emulated (TCG). */
  emulated: boolean;
}

export interface ReportModel {
  runs: LabelledRun[];
  /** More than one result directory: chart rows carry the run id. */
  sideBySide: boolean;
  /** Every backend present in any run, in the canonical order. */
  backends: string[];
  /** The published references (references/*.yaml) the "Published | measured" section sets beside the runs. */
  references?: readonly LoadedReference[];
}

/** Colours for backends the registry does not know (a renamed external, an old result set). */
const EXTRA_PALETTE = ['#1f77b4', '#8c564b', '#17becf', '#bcbd22', '#7f7f7f', '#aec7e8', '#ffbb78', '#98df8a'];

/** Colours for what is not significant, better or worse: grey unless the statistics say otherwise. */
export const VERDICT_COLOURS = { improved: '#1b7f2a', regressed: '#b00020', unchanged: '#6b6b6b', baseline: '#6b6b6b', unknown: '#6b6b6b' } as const;

/** The registry's order (baseline first); backends it does not know go last, by name. */
export function orderBackends(names: Iterable<string>): string[] {
  const unique = [...new Set(names)];
  const rank = (name: string) => {
    const index = backendNames.indexOf(name);
    return index === -1 ? backendNames.length : index;
  };
  return unique.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The same backend gets the same colour in every chart and every report. */
export function backendColour(name: string, allBackends: readonly string[]): string {
  const known = findBackend(name);
  if (known) return known.colour;
  const extras = allBackends.filter((backend) => !findBackend(backend));
  return EXTRA_PALETTE[Math.max(0, extras.indexOf(name)) % EXTRA_PALETTE.length]!;
}

export function runLabel(environment: Environment): string {
  return [environment.hostname, environment.kernelRelease, environment.accel, environment.profileName].join(' · ');
}

export function buildModel(runs: readonly ReportRun[], references: readonly LoadedReference[] = []): ReportModel {
  const labelled = runs.map((run, index) => ({
    ...run,
    id: `run ${index + 1}`,
    label: runLabel(run.environment),
    emulated: run.environment.accel === 'tcg',
  }));
  const backends = orderBackends(runs.flatMap((run) => [...run.summary.cells.map((cell) => cell.backend), ...run.records.map((record) => record.backend)]));
  return { runs: labelled, sideBySide: runs.length > 1, backends, references };
}

/** A cell counts as emulated when its run was, or any of its records says accel tcg. */
export function cellEmulated(run: LabelledRun, backend: string, workload: string): boolean {
  return run.emulated || run.records.some((record) => record.backend === backend && record.workload === workload && record.accel === 'tcg');
}

/** How a backend is named on a chart axis: with the run id when runs sit side by side, and "emulated" under TCG. */
export function rowLabel(model: ReportModel, run: LabelledRun, backend: string, workload: string): string {
  return `${backend}${model.sideBySide ? ` · ${run.id}` : ''}${cellEmulated(run, backend, workload) ? ' (emulated)' : ''}`;
}

/** Cells in canonical backend order, then workload. */
export function orderedCells(model: ReportModel, run: LabelledRun): CellSummary[] {
  return [...run.summary.cells].sort(
    (a, b) => compareWorkloadNames(a.workload, b.workload) || model.backends.indexOf(a.backend) - model.backends.indexOf(b.backend),
  );
}

export type BaselineVerdict = keyof typeof VERDICT_COLOURS;

export interface BaselineComparison {
  ratio: number | null;
  /** 95% bootstrap interval of median / baseline median. */
  ratioCi?: [number, number];
  verdict: BaselineVerdict;
}

/**
 * A cell against its run's baseline, by the one verdict rule (bench/results/verdict.ts) with the
 * profile's threshold, so the report and compare never disagree on what "better" means.
 */
export function compareToBaseline(run: ReportRun, cell: CellSummary, metricName: string): BaselineComparison {
  const metric = cell.metrics[metricName];
  if (!metric) return { ratio: null, verdict: 'unknown' };
  if (cell.backend === run.summary.baseline) return { ratio: 1, verdict: 'baseline' };
  const base = run.summary.cells.find((other) => other.backend === run.summary.baseline && other.workload === cell.workload)?.metrics[metricName];
  if (!base || metric.ratioToBaseline === null) return { ratio: metric.ratioToBaseline, verdict: 'unknown' };
  if (base.samples.length < 2 || metric.samples.length < 2) return { ratio: metric.ratioToBaseline, verdict: 'unknown' };
  const judged = judgeChange(base.samples, metric.samples, metricDefinition(metricName).better, {
    threshold: run.profileThreshold ?? DEFAULT_THRESHOLD,
    seed: run.environment.seed,
  });
  return { ratio: metric.ratioToBaseline, ...(judged.ratioCi95 ? { ratioCi: judged.ratioCi95 } : {}), verdict: judged.verdict };
}
