/**
 * What a change is judged on. The machines here drift 10–20% between runs of one commit while the
 * spread inside a run is 1–2%, and the drift moves every backend at once. So a backend other than the
 * baseline is judged by its ratio to the baseline measured in the same round of the same run (bind's
 * repetition 3 against fuse's repetition 3): the drift cancels, the path's own cost stays. The baseline
 * itself, and metrics with no usable ratio (the baseline's value is 0, as for daemon CPU under bind),
 * are judged on their absolute values, against the larger threshold that drift demands.
 *
 * The ratio also carries the baseline's own noise. Where a noise model shows that noise outweighs the
 * drift it removes (bench:calibrate on this machine: fuse randread IOPS moved 6.0% between runs, its
 * ratio to bind 11.2%, because bind at 350k IOPS is the first thing any other process disturbs), the
 * metric is judged on its absolute values instead (noise.ts preferredBasis).
 */
import type { LoadedResults, ResultCell } from './load.js';

export type Basis = 'relative' | 'absolute';

export interface JudgedSamples {
  basis: Basis;
  /** Per-round ratios to the baseline (relative) or the values themselves (absolute). */
  values: number[];
}

/** Per-round ratios of a cell's metric to its baseline cell's, paired by repetition; undefined when no ratio can be formed. */
export function relativeSamples(cell: ResultCell, baseline: ResultCell, metric: string): number[] | undefined {
  const values = cell.samples[metric];
  const reference = baseline.samples[metric];
  if (!values || !reference || values.length !== cell.repetitions.length || reference.length !== baseline.repetitions.length) return undefined;
  const byRepetition = new Map(baseline.repetitions.map((repetition, index) => [repetition, reference[index]!]));
  const ratios: number[] = [];
  cell.repetitions.forEach((repetition, index) => {
    const base = byRepetition.get(repetition);
    if (base !== undefined && base !== 0 && Number.isFinite(base)) ratios.push(values[index]! / base);
  });
  // A ratio needs the baseline in the same rounds; with fewer than two pairs there is nothing to judge.
  return ratios.length >= 2 && ratios.length === values.length ? ratios : undefined;
}

/** The samples a metric of a cell is judged on, in one result set. */
export function judgedSamples(results: LoadedResults, cell: ResultCell, metric: string): JudgedSamples | undefined {
  const values = cell.samples[metric];
  if (!values?.length) return undefined;
  if (cell.backend !== results.baseline) {
    const baseline = results.cells.find((candidate) => candidate.backend === results.baseline && candidate.workload === cell.workload);
    const ratios = baseline ? relativeSamples(cell, baseline, metric) : undefined;
    if (ratios) return { basis: 'relative', values: ratios };
  }
  return { basis: 'absolute', values };
}

/**
 * The basis both sides share: relative only when both could form the ratio against the same baseline
 * (and the noise model does not prefer absolute), otherwise absolute on both sides, so a comparison
 * never mixes the two.
 */
export function pairedSamples(base: LoadedResults, head: LoadedResults, baseCell: ResultCell, headCell: ResultCell, metric: string, prefer: Basis = 'relative'): { basis: Basis; base: number[]; head: number[] } | undefined {
  const a = judgedSamples(base, baseCell, metric);
  const b = judgedSamples(head, headCell, metric);
  if (!a || !b) return undefined;
  if (prefer === 'relative' && a.basis === 'relative' && b.basis === 'relative' && base.baseline === head.baseline) return { basis: 'relative', base: a.values, head: b.values };
  return { basis: 'absolute', base: baseCell.samples[metric]!, head: headCell.samples[metric]! };
}
