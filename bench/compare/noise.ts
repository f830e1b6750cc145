/**
 * How much a metric moves between runs of the same commit on this machine: the noise model the nightly
 * rule's thresholds come from. Estimated from real result sets: the runs of `npm run bench:calibrate`
 * (back-to-back runs of one commit), or the last nights of a history (as fsperf and LKP do: recent
 * nights define normal). Written as JSON beside the results, read by compare --noise.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError, errorMessage } from '../errors.js';
import { mean, median, stddev } from '../stats.js';
import { cellKey } from '../results/cell.js';
import { driftThreshold, UNCALIBRATED_ABSOLUTE_THRESHOLD } from '../results/verdict.js';
import { judgedSamples, type Basis } from './basis.js';
import type { LoadedResults } from './load.js';

export const NOISE_SCHEMA_VERSION = 1;

const SpreadSchema = z.object({
  /** Mean over runs of the coefficient of variation of the repetitions inside one run. */
  withinRunCv: z.number(),
  /** Coefficient of variation of the per-run medians across runs. */
  betweenRunCv: z.number(),
});
export type Spread = z.infer<typeof SpreadSchema>;

const CellNoiseSchema = z.object({
  backend: z.string(),
  workload: z.string(),
  metric: z.string(),
  /** The basis compare judges this metric on (relative: ratio to the run's baseline, per round). */
  basis: z.enum(['relative', 'absolute']),
  runs: z.number().int(),
  /** Spread of the judged values (the ratio to the baseline when basis is relative). */
  judged: SpreadSchema,
  /** Spread of the absolute values, for comparison: how much of it the ratio removes. */
  absolute: SpreadSchema,
});
export type CellNoise = z.infer<typeof CellNoiseSchema>;

export const NoiseModelSchema = z.object({
  schemaVersion: z.literal(NOISE_SCHEMA_VERSION),
  source: z.enum(['calibration', 'history']),
  createdAt: z.string(),
  hostname: z.string(),
  kernelRelease: z.string(),
  /** The result directories it was estimated from. */
  runs: z.array(z.string()),
  cells: z.array(CellNoiseSchema),
});
export type NoiseModel = z.infer<typeof NoiseModelSchema>;

function spread(perRun: readonly number[][]): Spread {
  const cv = (values: readonly number[]) => {
    const m = mean(values);
    return values.length < 2 || m === 0 ? 0 : stddev(values) / Math.abs(m);
  };
  return { withinRunCv: mean(perRun.map(cv)), betweenRunCv: cv(perRun.map((values) => median(values))) };
}

/** Every backend × workload × metric measured in all the runs, with its within- and between-run spread. */
export function estimateNoise(runs: readonly LoadedResults[]): CellNoise[] {
  if (runs.length < 2) return [];
  const [first, ...rest] = runs;
  const cells: CellNoise[] = [];
  for (const cell of first!.cells) {
    const matching = [cell, ...rest.map((run) => run.cells.find((other) => cellKey(other) === cellKey(cell)))];
    if (matching.some((other) => other === undefined)) continue;
    for (const metric of Object.keys(cell.samples).sort()) {
      const judged = runs.map((run, index) => judgedSamples(run, matching[index]!, metric));
      if (judged.some((samples) => samples === undefined)) continue;
      const basis: Basis = judged.every((samples) => samples!.basis === 'relative') ? 'relative' : 'absolute';
      const absolute = matching.map((other) => other!.samples[metric]!);
      cells.push({
        backend: cell.backend,
        workload: cell.workload,
        metric,
        basis,
        runs: runs.length,
        judged: spread(basis === 'relative' ? judged.map((samples) => samples!.values) : absolute),
        absolute: spread(absolute),
      });
    }
  }
  return cells;
}

export function noiseModel(runs: readonly LoadedResults[], source: NoiseModel['source']): NoiseModel {
  const environment = runs[0]?.environment;
  return {
    schemaVersion: NOISE_SCHEMA_VERSION,
    source,
    createdAt: new Date().toISOString(),
    hostname: environment?.hostname ?? 'unknown',
    kernelRelease: environment?.kernelRelease ?? 'unknown',
    runs: runs.map((run) => run.dir),
    cells: estimateNoise(runs),
  };
}

export function writeNoiseModel(file: string, model: NoiseModel): void {
  writeFileSync(file, `${JSON.stringify(model, null, 2)}\n`);
}

export function loadNoiseModel(file: string): NoiseModel {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: cannot read the noise model: ${errorMessage(error)}`, 'Write one with npm run bench:calibrate.');
  }
  const parsed = NoiseModelSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${file}: not a noise model: ${issue.path.join('.') || '(top level)'}: ${issue.message}`, 'Write one with npm run bench:calibrate.');
  }
  return parsed.data;
}

type CellKey = { backend: string; workload: string; metric: string };

function knownCell(model: NoiseModel | undefined, key: CellKey): CellNoise | undefined {
  return model?.cells.find((cell) => cell.backend === key.backend && cell.workload === key.workload && cell.metric === key.metric);
}

/** The between-run spread of a metric on a basis, if the cell's estimate covers that basis. */
function betweenRunCv(cell: CellNoise, basis: Basis): number | undefined {
  if (basis === 'absolute') return cell.absolute.betweenRunCv;
  return cell.basis === 'relative' ? cell.judged.betweenRunCv : undefined;
}

/**
 * How much steadier the absolute values must be before they replace the ratio: a disturbance during one
 * run (another process on these 2 CPUs) hits every backend's absolute figure at once while the ratio
 * survives it, so the ratio stays unless it is clearly the noisier one. In bench:calibrate's 16 quiet
 * runs one run was disturbed (bind and fuse-passthrough at 240k instead of 370k IOPS); with the
 * absolute basis chosen whenever it was merely lower, that run alone raised a false alarm.
 */
export const ABSOLUTE_PREFERENCE = 0.75;

/**
 * The basis that moves less between runs of one commit: the ratio to the baseline unless the absolute
 * values are clearly steadier (the ratio then adds more of the baseline's own noise than it removes of
 * the drift). Without a noise model, the ratio (drift moves every backend at once, as a rule).
 */
export function preferredBasis(cell: CellNoise | undefined): Basis {
  if (!cell) return 'relative';
  if (cell.basis === 'absolute') return 'absolute';
  return cell.absolute.betweenRunCv < ABSOLUTE_PREFERENCE * cell.judged.betweenRunCv ? 'absolute' : 'relative';
}

/** preferredBasis for a metric of a model. */
export function preferredBasisFor(model: NoiseModel | undefined, key: CellKey): Basis {
  return preferredBasis(knownCell(model, key));
}

/**
 * The threshold a change must exceed: the floor (the profile's or --threshold), raised to what the
 * between-run spread of this very metric on this basis demands when a noise model knows it. Without
 * one, an absolute figure can only be judged against the drift these machines are known for.
 */
export function thresholdFor(model: NoiseModel | undefined, key: CellKey, basis: Basis, floor: number): { threshold: number; source: string } {
  const known = knownCell(model, key);
  const cv = known && betweenRunCv(known, basis);
  if (cv !== undefined) return { threshold: driftThreshold(cv, floor), source: model!.source };
  if (basis === 'absolute') return { threshold: Math.max(floor, UNCALIBRATED_ABSOLUTE_THRESHOLD), source: 'uncalibrated drift' };
  return { threshold: floor, source: 'floor' };
}
