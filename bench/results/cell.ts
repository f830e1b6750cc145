/**
 * A cell is one backend × workload: the unit every summary, table and comparison is keyed by.
 *
 * A swept workload (a list in numjobs, bs, …) runs as one workload per point of the sweep, named after
 * its parameters: `randread-4k numjobs=4`. So each point is a cell of its own and its key carries the
 * parameters, in every summary, comparison and chart that keys by cell. The records also keep the
 * parameters as data (`params`) with the profile's workload they came from (`sweep`), for the exports
 * and the sweep charts.
 */
import { parseSize } from '../sizes.js';

export interface CellIdentity {
  backend: string;
  workload: string;
}

/** The fields a profile may sweep, in the order a point's name and the exports list them. */
export const SWEEP_FIELDS = ['numjobs', 'bs', 'iodepth', 'direct', 'ioengine'] as const;
export type SweepField = (typeof SWEEP_FIELDS)[number];

/** A sweep point's parameter values by fio option name: sizes as written (4k), direct as 0 or 1. */
export type SweepParams = Record<string, string | number>;

/** What a cell of a swept workload says about its point. */
export interface SweepPoint {
  /** The profile's workload the point belongs to. */
  sweep: string;
  params: SweepParams;
}

/** A map key for a cell; NUL cannot occur in either name. */
export function cellKey(cell: CellIdentity): string {
  return `${cell.backend}\u0000${cell.workload}`;
}

export function splitCellKey(key: string): CellIdentity {
  const [backend, workload] = key.split('\u0000') as [string, string];
  return { backend, workload };
}

/** `name=value` for each parameter, in the order given; a point's name ends with these. */
export function paramsLabel(params: SweepParams): string {
  return Object.entries(params)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}

/**
 * The workload name of one sweep point. Profile workload names have no spaces or '=', so a point's
 * name never equals another workload's.
 */
export function pointName(workload: string, params: SweepParams): string {
  return Object.keys(params).length === 0 ? workload : `${workload} ${paramsLabel(params)}`;
}

const SIZE = /^\d+(\.\d+)?[kKmMgG]?$/;

/** Two values of one parameter in sweep order: sizes by bytes, numbers by value, words by name. */
export function compareParamValues(a: string | number, b: string | number): number {
  const [textA, textB] = [String(a), String(b)];
  if (SIZE.test(textA) && SIZE.test(textB)) return parseSize(textA) - parseSize(textB) || textA.localeCompare(textB);
  return textA.localeCompare(textB);
}

/**
 * Workload names in report order: by the profile's workload, then its points by value (numjobs=2
 * before numjobs=16, bs=64k before bs=1m). For names without parameters this is plain localeCompare.
 */
export function compareWorkloadNames(a: string, b: string): number {
  const [baseA = '', ...paramsA] = a.split(' ');
  const [baseB = '', ...paramsB] = b.split(' ');
  const byBase = baseA.localeCompare(baseB);
  if (byBase !== 0 || (paramsA.length === 0 && paramsB.length === 0)) return byBase;
  for (let i = 0; i < Math.min(paramsA.length, paramsB.length); i++) {
    const [nameA = '', valueA = ''] = paramsA[i]!.split('=');
    const [nameB = '', valueB = ''] = paramsB[i]!.split('=');
    const order = nameA.localeCompare(nameB) || compareParamValues(valueA, valueB);
    if (order !== 0) return order;
  }
  return paramsA.length - paramsB.length;
}

/** The sweep fields of a record or cell, to spread into another: nothing for an unswept workload. */
export function sweepFields(from: { sweep?: string | undefined; params?: SweepParams | undefined }): Partial<SweepPoint> {
  return from.sweep !== undefined && from.params !== undefined ? { sweep: from.sweep, params: from.params } : {};
}
