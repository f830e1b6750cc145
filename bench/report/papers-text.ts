/**
 * The words of the "Published | measured" section, built from the numbers: what differs between a
 * published row's setup and the cells that reproduced it, and one sentence per reference saying which
 * rows agree within the tolerance, which do not, and which of those differences the disagreeing rows
 * share. Pure; the HTML escapes everything (papers-section.ts).
 */
import type { FigureMeasure, StorageKind } from '../reference-measure.js';
import type { ReferenceRow } from '../references.js';
import type { JobParams } from '../results/job-params.js';
import type { Environment } from '../results/schema.js';
import { formatNumber, formatRatioText } from './format.js';
import type { MeasuredCount, MeasuredRow, ReferenceComparison } from './papers.js';

export type DifferenceKind = 'storage' | 'page-cache' | 'jobs' | 'kernel' | 'server';

export interface SetupDifference {
  kind: DifferenceKind;
  /** Ours, in a few words: "tmpfs", "4 jobs on 2 CPUs", "kernel 6.18", "fuse-uring". */
  here: string;
  /** Theirs: "a RAM disk", "5.11", "libfuse passthrough_hp". Empty where only our side differs. */
  there: string;
}

/** For the row's cell: "tmpfs here, a RAM disk there". */
export function differenceText(difference: SetupDifference): string {
  return difference.there ? `${difference.here} here, ${difference.there} there` : `${difference.here} here`;
}

const STORAGE_TEXT: Record<Exclude<StorageKind, 'not-stated'>, string> = { hdd: 'an HDD', ssd: 'an SSD', nvme: 'an NVMe SSD', ramdisk: 'a RAM disk' };
const READS = new Set(['read', 'randread', 'rw', 'readwrite', 'randrw']);

/** What the run's lower was: its resolved profile says tmpfs or the directory given with --lower. */
function ourStorage(environment: Environment): string {
  const lower = (environment.resolvedProfile as { lower?: unknown } | undefined)?.lower;
  return lower === undefined || lower === 'tmpfs' ? 'tmpfs' : 'a directory lower';
}

export function rowDifferences(input: { measure: FigureMeasure; row: ReferenceRow; params: JobParams; subject: string; environment: Environment }): SetupDifference[] {
  const { measure, row, params, subject, environment } = input;
  const differences: SetupDifference[] = [];
  const theirs = row.device !== undefined && row.device in STORAGE_TEXT ? (row.device as keyof typeof STORAGE_TEXT) : measure.storage;
  if (theirs !== 'not-stated') differences.push({ kind: 'storage', here: ourStorage(environment), there: STORAGE_TEXT[theirs] });
  if (measure.uncached && READS.has(params.rw ?? '') && params.direct !== '1') {
    differences.push({ kind: 'page-cache', here: 'reads served from memory', there: 'from the device' });
  }
  const jobs = Number(params.numjobs ?? 1);
  if (jobs > environment.cpuCount) differences.push({ kind: 'jobs', here: `${jobs} jobs on ${environment.cpuCount} CPUs`, there: '' });
  const kernel = /^(\d+\.\d+)/.exec(environment.kernelRelease)?.[1];
  if (kernel !== undefined && measure.kernel !== undefined && kernel !== measure.kernel) {
    differences.push({ kind: 'kernel', here: `kernel ${kernel}`, there: measure.kernel });
  }
  if (measure.server) differences.push({ kind: 'server', here: subject, there: measure.server });
  return differences;
}

const either = (values: Iterable<string>) => [...new Set(values)].join(' or ');

/** The differences of one kind over several rows, in one phrase for the sentence. */
function kindPhrase(kind: DifferenceKind, differences: readonly SetupDifference[], cpuCount: number): string {
  const heres = either(differences.map((difference) => difference.here));
  const theres = either(differences.map((difference) => difference.there));
  switch (kind) {
    case 'storage':
      return `${heres} here against ${theres} there`;
    case 'page-cache':
      return 'reads served from memory here but from the device there';
    case 'jobs':
      return `more jobs than the ${cpuCount} CPUs here`;
    case 'kernel':
      return `${heres} here against ${theres} there`;
    case 'server':
      return `a different server (${theres} there)`;
  }
}

const LISTED = 4;

/** "a, b, c and 2 more" */
function list(items: readonly string[], listed = LISTED): string {
  if (items.length <= listed) return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
  return `${items.slice(0, listed).join(', ')} and ${items.length - listed} more`;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function rowsClause(rows: readonly MeasuredRow[], cpuCount: number): string {
  const agreeing = rows.filter((row) => row.agrees);
  const differing = rows.filter((row) => !row.agrees);
  // Several tables of one source can hold the same workload (Balsini's three runs): name the table then.
  const tables = new Set(rows.map((row) => row.figure.id)).size;
  const name = (row: MeasuredRow) => `${row.subject} ${row.label}${tables > 1 ? ` (${row.figure.id})` : ''}`;
  if (differing.length === 0) return `all ${plural(rows.length, 'measured ratio')} agree with the published ones within ±10% (${list(agreeing.map(name))})`;
  const head =
    agreeing.length === 0
      ? `none of the ${plural(rows.length, 'measured ratio')} agrees with the published one within ±10%`
      : `${agreeing.length} of ${plural(rows.length, 'measured ratio')} agree with the published ones within ±10% (${list(agreeing.map(name))})`;
  const above = differing.filter((row) => row.agreement > 1).length;
  const direction = above === differing.length ? 'all above' : above === 0 ? 'all below' : `${above} above, ${differing.length - above} below`;
  const details = differing.map((row) => `${name(row)} ${formatRatioText(row.measured)} against ${formatRatioText(row.published)}`);
  const byKind = new Map<DifferenceKind, SetupDifference[]>();
  const rowsWith = new Map<DifferenceKind, number>();
  for (const row of differing) {
    for (const kind of new Set(row.differences.map((difference) => difference.kind))) rowsWith.set(kind, (rowsWith.get(kind) ?? 0) + 1);
    for (const difference of row.differences) byKind.set(difference.kind, [...(byKind.get(difference.kind) ?? []), difference]);
  }
  const why = [...byKind]
    .sort((a, b) => rowsWith.get(b[0])! - rowsWith.get(a[0])!)
    .map(([kind, differences]) => {
      const count = rowsWith.get(kind)!;
      return `${kindPhrase(kind, differences, cpuCount)}${count === differing.length ? '' : ` (${count} of them)`}`;
    });
  return `${head}; ${differing.length} ${differing.length === 1 ? 'does' : 'do'} not, ${direction} the published ratio (${list(details)})${why.length > 0 ? `, where the setup differs by ${list(why, Infinity)}` : ''}`;
}

function countsClause(counts: readonly MeasuredCount[]): string {
  const agreeing = counts.filter((count) => count.agrees);
  const differing = counts.filter((count) => !count.agrees);
  const name = (count: MeasuredCount) => `${count.workload} ${count.opcode}`;
  const head = `${agreeing.length} of ${plural(counts.length, 'request count')} per operation agree${agreeing.length > 0 ? ` (${list(agreeing.map(name))})` : ''}`;
  if (differing.length === 0) return head;
  return `${head}, ${differing.length} ${differing.length === 1 ? 'does' : 'do'} not (${list(differing.map((count) => `${name(count)}: ${formatNumber(count.measured)} against ${formatNumber(count.published)}`))})`;
}

/** One sentence for a reference, from its measured rows and request counts. */
export function referenceSentence(comparison: ReferenceComparison, cpuCount: number): string {
  const clauses = [
    ...(comparison.rows.length > 0 ? [rowsClause(comparison.rows, cpuCount)] : []),
    ...(comparison.counts.length > 0 ? [`request counts: ${countsClause(comparison.counts)}`] : []),
  ];
  const text = clauses.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
