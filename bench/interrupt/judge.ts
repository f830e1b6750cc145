/**
 * The verdict on one interrupted bench, from what was seen: pure, so it is tested with made-up
 * evidence. Clean means nothing of the run is left (mounts, processes, tracefs entries, lock, run
 * directories), runs.jsonl parses, and every record written before the signal is still there, intact.
 */
import { errorMessage } from '../errors.js';
import { parseRunsJsonl } from '../results/store.js';
import type { Leftovers } from './observe.js';

export interface CaseEvidence {
  /** tracefs entries before the case: only new ones are the run's. */
  tracefsBefore: string[];
  /** runs.jsonl as it was when the signal was sent (undefined: not written yet). */
  runsAtSignal: string | undefined;
  /** runs.jsonl after everything exited. */
  runsAfter: string | undefined;
  leftovers: Leftovers;
  /** How the CLI (and, after a SIGKILL, npm run cleanup) ended, and what was expected. */
  exits: { what: string; status: number | string; expected: readonly (number | string)[] }[];
}

export interface Verdict {
  problems: string[];
  /** Records finished before the signal that are missing or changed afterwards. */
  lostRecords: number;
}

/** The lines of a runs.jsonl that were complete (newline-terminated) when it was read. */
export function completeLines(text: string | undefined): string[] {
  if (!text) return [];
  const lines = text.split('\n');
  lines.pop();
  return lines.filter((line) => line.trim() !== '');
}

/** How many of the lines present before are not, unchanged and in order, at the start of after. */
export function lostRecords(before: string | undefined, after: string | undefined): number {
  const earlier = completeLines(before);
  const later = completeLines(after);
  return earlier.filter((line, index) => later[index] !== line).length;
}

/**
 * The exit status of a bench (run with --keep-going) that ran to its end: 0 when a run completed, 1
 * when none did (a daemon killed in the backend's probe leaves the backend unsupported), as
 * bench/outcome.ts decides. A line that does not parse counts as no completed run; the judge names it.
 */
export function statusAtEnd(runs: string | undefined): number {
  const completed = completeLines(runs).some((line) => {
    try {
      return (JSON.parse(line) as { state?: unknown }).state === 'completed';
    } catch {
      return false;
    }
  });
  return completed ? 0 : 1;
}

export function judgeCase(evidence: CaseEvidence): Verdict {
  const problems: string[] = [];
  const { leftovers } = evidence;
  for (const exit of evidence.exits) {
    if (!exit.expected.includes(exit.status)) problems.push(`${exit.what} ended with ${exit.status}, expected ${exit.expected.join(' or ')}`);
  }
  if (leftovers.mounts.length > 0) problems.push(`mounts left: ${leftovers.mounts.join(', ')}`);
  if (leftovers.processes.length > 0) problems.push(`processes left: ${leftovers.processes.map((info) => `${info.pid} (${info.cmdline.slice(0, 60) || info.comm})`).join(', ')}`);
  const newTracefs = leftovers.tracefs.filter((entry) => !evidence.tracefsBefore.includes(entry));
  if (newTracefs.length > 0) problems.push(`tracefs entries left: ${newTracefs.join(', ')}`);
  if (leftovers.lock) problems.push('lock left');
  if (leftovers.directories.length > 0) problems.push(`scratch directories left: ${leftovers.directories.join(', ')}`);
  if (evidence.runsAfter !== undefined) {
    try {
      parseRunsJsonl(evidence.runsAfter, 'runs.jsonl');
    } catch (error) {
      problems.push(`runs.jsonl does not parse: ${errorMessage(error)}`);
    }
  }
  const lost = lostRecords(evidence.runsAtSignal, evidence.runsAfter);
  if (lost > 0) problems.push(`${lost} record(s) written before the signal lost or changed`);
  return { problems, lostRecords: lost };
}
