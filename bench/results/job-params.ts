/**
 * The fio options a run really used, read back from the job file its record keeps (workloadSpec).
 *
 * Published figures are matched against these rather than against workload names, so a row of a cover
 * letter finds its cells in whatever profile ran the same job: papers, scaling, bs-sweep or one of the
 * user's own. Names are the profile author's; the job file is what fio was given.
 */
import { parseSize } from '../sizes.js';

/** fio option → value, each in one spelling (normalizeParam). */
export type JobParams = Readonly<Record<string, string>>;

/** A value or the values a match accepts, as a reference file writes them (4k, 1, true, psync). */
export type ParamValue = string | number | boolean;
export type ParamMatch = Readonly<Record<string, ParamValue | readonly ParamValue[]>>;

/**
 * fio's own defaults for what published rows are matched on: a job file that leaves one out (the
 * fio-meta jobs write no numjobs) ran with the default, and must match a row that names it.
 */
const FIO_DEFAULTS: Record<string, string> = { numjobs: '1', iodepth: '1', direct: '0' };

const SIZE = /^\d+(\.\d+)?[kKmMgG]?$/;

/** One spelling per value, so 4k matches 4096 and true matches 1: sizes and numbers in units, the rest lower-case. */
export function normalizeParam(value: ParamValue): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  const text = String(value).trim();
  if (text === 'true') return '1';
  if (text === 'false') return '0';
  return SIZE.test(text) ? String(parseSize(text)) : text.toLowerCase();
}

/** Every option=value line of a job file; sections, comments and blank lines are skipped. */
export function jobParams(jobFile: string): JobParams {
  const params: Record<string, string> = { ...FIO_DEFAULTS };
  for (const raw of jobFile.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const equals = line.indexOf('=');
    // fio takes a bare option name as "set" (e.g. `thread`).
    if (equals < 0) params[line] = '1';
    else params[line.slice(0, equals).trim()] = normalizeParam(line.slice(equals + 1));
  }
  return params;
}

/** Whether a job set every option the match names to one of the values it accepts. */
export function paramsMatch(params: JobParams, match: ParamMatch): boolean {
  return Object.entries(match).every(([option, wanted]) => {
    const accepted = (Array.isArray(wanted) ? wanted : [wanted]) as readonly ParamValue[];
    const actual = params[option];
    return actual !== undefined && accepted.some((value) => normalizeParam(value) === actual);
  });
}
