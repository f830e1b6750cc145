/**
 * Sweeps: in a fio workload, numjobs, bs, iodepth, direct and ioengine may each be a list, and the
 * workload runs once per point of the lists' cross product. Each point is a workload of its own, named
 * after its parameters (`randread-4k numjobs=4`, results/cell.ts), so it is a cell of its own in the
 * plan's interleaved rounds, the summary, compare and the report; its records keep the parameters.
 */
import { z } from 'zod';
import type { ProfileIssue } from './profile-checks.js';
import type { Workload, WorkloadPoint } from './profiles.js';
import { pointName, SWEEP_FIELDS, type SweepField, type SweepParams, type SweepPoint } from './results/cell.js';
import { workloadHeadline } from './results/metrics.js';
import { parseSize } from './sizes.js';

export { SWEEP_FIELDS, type SweepField };

/**
 * Every point is a cell run on every backend in every repetition: at 10 s a run, 64 points on five
 * backends with 5 repetitions is already about 4.5 hours. Past these a list is far more likely a
 * mistake than a plan.
 */
export const MAX_POINTS_PER_WORKLOAD = 64;
export const MAX_POINTS_PER_PROFILE = 128;
const MAX_LIST_LENGTH = 32;

/** The same value however it is written (4k and 4096, true and 1), to refuse a list that names one twice. */
function sameValueKey(value: unknown): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string' && /^\d+(\.\d+)?[kKmMgG]?$/.test(value)) return String(parseSize(value));
  return String(value);
}

/**
 * A field that takes one value or a list of values to sweep, each through the field's own schema
 * (the one the fio allow-list uses), so a list item's error names it: `workloads[0].bs[2]: a size like 4k`.
 */
export function sweepable<T extends z.ZodType>(schema: T) {
  return z.unknown().transform((value, ctx): z.output<T> | Array<z.output<T>> => {
    const check = (item: unknown, at: PropertyKey[]) => {
      const result = schema.safeParse(item);
      if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', path: [...at, ...issue.path], message: issue.message });
      return result;
    };
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: 'required: a value, or a list of values to sweep' });
      return z.NEVER;
    }
    if (!Array.isArray(value)) {
      const result = check(value, []);
      return result.success ? result.data : z.NEVER;
    }
    if (value.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'an empty list: give one value, or a list of values to sweep' });
      return z.NEVER;
    }
    if (value.length > MAX_LIST_LENGTH) {
      ctx.addIssue({ code: 'custom', message: `a list of ${value.length} values; a sweep takes at most ${MAX_LIST_LENGTH}` });
      return z.NEVER;
    }
    const results = value.map((item, index) => check(item, [index]));
    const seen = new Map<string, number>();
    value.forEach((item, index) => {
      const key = sameValueKey(item);
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [index], message: `${JSON.stringify(item)} is listed twice (also at [${first}])` });
      else seen.set(key, index);
    });
    return results.every((result) => result.success) ? results.map((result) => result.data as z.output<T>) : z.NEVER;
  });
}

type One<T> = T extends ReadonlyArray<infer Item> ? Item : T;

/** One point of a swept workload: every swept field has one value, and `point` says which. */
export type PointOf<W> = { [K in keyof W]: K extends SweepField ? One<W[K]> : W[K] } & { point?: SweepPoint };

type FioFields = Partial<Record<SweepField, unknown>> & { engine: string; name: string };

/** The fields of a workload given as lists: the ones it sweeps. */
export function sweptFields(workload: FioFields): SweepField[] {
  return workload.engine === 'fio' ? SWEEP_FIELDS.filter((field) => Array.isArray(workload[field])) : [];
}

/** How many points a workload runs: the product of its lists' lengths (1 when it sweeps nothing). */
export function pointCount(workload: FioFields): number {
  return sweptFields(workload).reduce((product, field) => product * (workload[field] as unknown[]).length, 1);
}

/** A sweep too large to be meant, per workload and over the profile; the message says how large. */
export function sweepSizeIssues(workloads: readonly FioFields[]): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  let total = 0;
  workloads.forEach((workload, index) => {
    const count = pointCount(workload);
    total += count;
    if (count > MAX_POINTS_PER_WORKLOAD) {
      const lengths = sweptFields(workload).map((field) => `${(workload[field] as unknown[]).length} ${field}`);
      issues.push({ path: ['workloads', index], message: `sweeps ${lengths.join(' × ')} = ${count} points; at most ${MAX_POINTS_PER_WORKLOAD} per workload (each point runs on every backend in every repetition)` });
    }
  });
  if (issues.length === 0 && total > MAX_POINTS_PER_PROFILE) {
    issues.push({ path: ['workloads'], message: `the sweeps add up to ${total} workloads; at most ${MAX_POINTS_PER_PROFILE} in one profile (each runs on every backend in every repetition)` });
  }
  return issues;
}

/** A parameter as the records and the point's name give it: direct as 0 or 1, the rest as written. */
function paramValue(field: SweepField, value: unknown): string | number {
  if (field === 'direct') return value === true || value === 1 ? 1 : 0;
  return value as string | number;
}

/**
 * The points of one workload, in the order of its lists (the first swept field outermost). A workload
 * that sweeps nothing is its own single point, unchanged. Every point of a sweep shares one headline,
 * so its chart has one y: the profile's, or the one the largest block size gives (results/metrics.ts).
 */
export function expandWorkload(workload: Workload): WorkloadPoint[] {
  if (workload.engine !== 'fio') return [workload];
  const fields = sweptFields(workload);
  if (fields.length === 0) return [workload as WorkloadPoint];
  let combinations: Array<Partial<Record<SweepField, unknown>>> = [{}];
  for (const field of fields) combinations = combinations.flatMap((combination) => (workload[field] as unknown[]).map((value) => ({ ...combination, [field]: value })));
  const headline = workloadHeadline(workload);
  return combinations.map((values) => {
    const params: SweepParams = Object.fromEntries(fields.map((field) => [field, paramValue(field, values[field])]));
    return { ...workload, ...values, name: pointName(workload.name, params), ...(headline ? { headline } : {}), point: { sweep: workload.name, params } } as WorkloadPoint;
  });
}

/** Every workload's points, in profile order. */
export function expandWorkloads(workloads: readonly Workload[]): WorkloadPoint[] {
  return workloads.flatMap(expandWorkload);
}
