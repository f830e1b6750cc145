/**
 * The words of the "Published | measured" section, built from the numbers: what differs between a
 * published row's setup and the cells that reproduced it, and one sentence per reference saying which
 * rows agree within the tolerance, which do not, and which of those differences the disagreeing rows
 * share. Pure; the HTML escapes everything (papers-section.ts).
 */
import type { FigureMeasure, StorageKind } from '../reference-measure.js';
import type { Reference, ReferenceRow } from '../references.js';
import type { JobParams } from '../results/job-params.js';
import type { Environment } from '../results/schema.js';
import { formatNumber, formatRatioText } from './format.js';
import type { MeasuredCount, MeasuredRow, ReferenceComparison } from './papers.js';

export type DifferenceKind = 'storage' | 'page-cache' | 'jobs' | 'kernel' | 'server';

export interface SetupDifference {
  kind: DifferenceKind;
  /** For the row: "4 jobs on 2 CPUs here". */
  text: string;
  /** For the reference's sentence, the same for every row it applies to: "more jobs than the 2 CPUs here". */
  summary: string;
}

const STORAGE_TEXT: Record<Exclude<StorageKind, 'not-stated'>, string> = { hdd: 'an HDD', ssd: 'an SSD', nvme: 'an NVMe SSD', ramdisk: 'a RAM disk' };
const READS = new Set(['read', 'randread', 'rw', 'readwrite', 'randrw']);

/** What the run's lower was: its resolved profile says tmpfs or the directory given with --lower. */
function ourStorage(environment: Environment): string {
  const lower = (environment.resolvedProfile as { lower?: unknown } | undefined)?.lower;
  return lower === undefined || lower === 'tmpfs' ? 'tmpfs' : 'a directory lower';
}

export function rowDifferences(input: { measure: FigureMeasure; row: ReferenceRow; params: JobParams; subject: string; environment: Environment; reference: Reference }): SetupDifference[] {
  const { measure, row, params, subject, environment } = input;
  const differences: SetupDifference[] = [];
  const theirs = row.device !== undefined && row.device in STORAGE_TEXT ? (row.device as keyof typeof STORAGE_TEXT) : measure.storage;
  const ours = ourStorage(environment);
  if (theirs !== 'not-stated') {
    const text = `${ours} here, ${STORAGE_TEXT[theirs]} there`;
    differences.push({ kind: 'storage', text, summary: `${ours} here against ${STORAGE_TEXT[theirs]} there` });
  }
  if (measure.uncached && READS.has(params.rw ?? '') && params.direct !== '1') {
    differences.push({ kind: 'page-cache', text: 'reads served from memory here, from the device there', summary: 'reads served from memory (tmpfs, page cache) here but from the device there' });
  }
  const jobs = Number(params.numjobs ?? 1);
  if (jobs > environment.cpuCount) {
    differences.push({ kind: 'jobs', text: `${jobs} jobs on ${environment.cpuCount} CPUs here`, summary: `more jobs than the ${environment.cpuCount} CPUs here` });
  }
  const kernel = /^(\d+\.\d+)/.exec(environment.kernelRelease)?.[1];
  if (kernel !== undefined && kernel !== measure.kernel) {
    differences.push({ kind: 'kernel', text: `kernel ${kernel} here, ${measure.kernel} there`, summary: `kernel ${kernel} here against ${measure.kernel} there` });
  }
  if (measure.server) {
    differences.push({ kind: 'server', text: `${subject} here, ${measure.server} there`, summary: `a different server (${measure.server} there)` });
  }
  return differences;
}

const LISTED = 4;

/** "a, b, c and 2 more" */
function list(items: readonly string[]): string {
  if (items.length <= LISTED) return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
  return `${items.slice(0, LISTED).join(', ')} and ${items.length - LISTED} more`;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function rowsClause(rows: readonly MeasuredRow[]): string {
  const agreeing = rows.filter((row) => row.agrees);
  const differing = rows.filter((row) => !row.agrees);
  const name = (row: MeasuredRow) => `${row.label} ${row.subject}`;
  if (differing.length === 0) return `all ${plural(rows.length, 'measured ratio')} agree with the published ones within ±10% (${list(agreeing.map(name))})`;
  const head =
    agreeing.length === 0
      ? `none of the ${plural(rows.length, 'measured ratio')} agrees with the published one within ±10%`
      : `${agreeing.length} of ${plural(rows.length, 'measured ratio')} agree with the published ones within ±10% (${list(agreeing.map(name))})`;
  const above = differing.filter((row) => row.agreement > 1).length;
  const direction = above === differing.length ? 'all above' : above === 0 ? 'all below' : `${above} above, ${differing.length - above} below`;
  const details = differing.map((row) => `${name(row)} ${formatRatioText(row.measured)} against ${formatRatioText(row.published)}`);
  const reasons = new Map<string, number>();
  for (const row of differing) for (const difference of row.differences) reasons.set(difference.summary, (reasons.get(difference.summary) ?? 0) + 1);
  const why = [...reasons].sort((a, b) => b[1] - a[1]).map(([summary, count]) => (count === differing.length ? summary : `${summary} (${count} of them)`));
  return `${head}; ${differing.length} ${differing.length === 1 ? 'does' : 'do'} not, ${direction} the published ratio (${list(details)})${why.length > 0 ? `, where the setup differs by ${list(why)}` : ''}`;
}

function countsClause(counts: readonly MeasuredCount[]): string {
  const agreeing = counts.filter((count) => count.agrees);
  const differing = counts.filter((count) => !count.agrees);
  const name = (count: MeasuredCount) => `${count.opcode} per ${count.workload} op`;
  const head = `${agreeing.length} of ${plural(counts.length, 'request count')} per operation agree${agreeing.length > 0 ? ` (${list(agreeing.map(name))})` : ''}`;
  if (differing.length === 0) return head;
  return `${head}, ${differing.length} ${differing.length === 1 ? 'does' : 'do'} not (${list(differing.map((count) => `${name(count)}: ${formatNumber(count.measured)} against ${formatNumber(count.published)}`))})`;
}

/** One sentence for a reference, from its measured rows and request counts. */
export function referenceSentence(comparison: ReferenceComparison): string {
  const clauses = [
    ...(comparison.rows.length > 0 ? [rowsClause(comparison.rows)] : []),
    ...(comparison.counts.length > 0 ? [`request counts: ${countsClause(comparison.counts)}`] : []),
  ];
  const text = clauses.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
