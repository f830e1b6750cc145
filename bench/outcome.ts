/**
 * What a finished run tells the shell. A run whose every cell failed must not look like a success
 * (nightly scripts read the exit status, not the log), and one where some cells failed says which.
 *   - nothing completed: exit 1, with the first failure's reason (fio's or the daemon's stderr line);
 *   - some cells failed: exit 1 naming them, or 0 with --keep-going (the completed cells still count);
 *   - otherwise 0.
 * Unsupported backends are data, not failures, as long as something else completed.
 */
import type { FailedRun, RunRecord } from './results/schema.js';

export interface RunOutcome {
  exitCode: 0 | 1;
  /** What to print after the run, one line each. */
  lines: string[];
}

const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

/** The failure in one line: its reason, and the daemon's last stderr line when it left one. */
function describeFailure(record: FailedRun): string {
  const log = record.log ? lastLine(record.log) : '';
  return `${firstLine(record.reason)}${log && !record.reason.includes(log) ? ` (daemon stderr: ${log})` : ''}`;
}

export function runOutcome(records: readonly RunRecord[], options: { keepGoing: boolean; outDir: string }): RunOutcome {
  const completed = records.filter((record) => record.state === 'completed').length;
  const failed = records.filter((record): record is FailedRun => record.state === 'failed');
  const unsupported = records.filter((record) => record.state === 'unsupported');
  const counts = `${completed} runs completed, ${failed.length} failed${unsupported.length ? `, ${unsupported.length} backend(s) unsupported` : ''}. Results in ${options.outDir}`;
  if (completed === 0) {
    const first = failed[0];
    const why = first
      ? `first failure (${first.backend} · ${first.workload}): ${describeFailure(first)}`
      : unsupported.length > 0
        ? 'no backend in this run is supported here (see the unsupported reasons above)'
        : 'no run was made';
    return { exitCode: 1, lines: [counts, `nothing completed: ${why}`] };
  }
  if (failed.length === 0) return { exitCode: 0, lines: [counts] };
  const byCell = new Map<string, FailedRun[]>();
  for (const record of failed) byCell.set(`${record.backend} · ${record.workload}`, [...(byCell.get(`${record.backend} · ${record.workload}`) ?? []), record]);
  const cells = [...byCell].map(([cell, runs]) => `  ${cell}: ${runs.length} failed run(s); ${describeFailure(runs[0]!)}`);
  const verdict = options.keepGoing ? 'some cells failed (--keep-going: exit status 0):' : 'some cells failed (exit status 1; --keep-going accepts a partial run):';
  return { exitCode: options.keepGoing ? 0 : 1, lines: [counts, verdict, ...cells] };
}
