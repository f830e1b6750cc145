/**
 * The checks of `npm run bench:interrupt` on made-up evidence: each kind of leftover is named, a record
 * written before the signal that is missing or changed counts as lost, and a torn line fails the parse.
 */
import { describe, expect, it } from 'vitest';
import { completeLines, judgeCase, lostRecords, statusAtEnd, type CaseEvidence } from '../../bench/interrupt/judge.js';
import { actionsFor, planCases } from '../../bench/interrupt/plan.js';

const record = (sequence: number) =>
  JSON.stringify({ schemaVersion: 1, state: 'failed', backend: 'bind', workload: 'seqread-128k', repetition: 0, sequence, startedAt: '2025-01-01T00:00:00.000Z', finishedAt: '2025-01-01T00:00:01.000Z', accel: 'native', reason: 'fio killed' });

function evidence(overrides: Partial<CaseEvidence> = {}): CaseEvidence {
  return {
    tracefsBefore: ['instance other'],
    runsAtSignal: `${record(0)}\n`,
    runsAfter: `${record(0)}\n${record(1)}\n`,
    leftovers: { mounts: [], processes: [], tracefs: ['instance other'], lock: false, directories: [] },
    exits: [{ what: 'the CLI', status: 130, expected: [130, 'SIGINT'] }],
    ...overrides,
  };
}

describe('an interrupted case', () => {
  it('is clean when nothing is left and the earlier records are intact', () => {
    expect(judgeCase(evidence())).toEqual({ problems: [], lostRecords: 0 });
  });

  it('names every kind of leftover', () => {
    const verdict = judgeCase(evidence({
      leftovers: {
        mounts: ['fuse at /tmp/fb/run-1/mnt/fuse'],
        processes: [{ pid: 42, ppid: 1, startTime: '7', state: 'S', comm: 'fio', cmdline: 'fio --output=/tmp/fb/run-1/x/fio.json' }],
        tracefs: ['instance other', 'instance fusebench'],
        lock: true,
        directories: ['run-1'],
      },
    }));
    expect(verdict.problems).toEqual([
      'mounts left: fuse at /tmp/fb/run-1/mnt/fuse',
      'processes left: 42 (fio --output=/tmp/fb/run-1/x/fio.json)',
      'tracefs entries left: instance fusebench',
      'lock left',
      'scratch directories left: run-1',
    ]);
  });

  it('reports an unexpected exit status, such as a hang', () => {
    expect(judgeCase(evidence({ exits: [{ what: 'the CLI', status: 'timeout', expected: [143, 'SIGTERM'] }] })).problems).toEqual(['the CLI ended with timeout, expected 143 or SIGTERM']);
  });

  it('counts a record written before the signal and missing or changed after it as lost', () => {
    expect(judgeCase(evidence({ runsAfter: undefined })).lostRecords).toBe(1);
    const changed = judgeCase(evidence({ runsAfter: `${record(5)}\n` }));
    expect(changed.lostRecords).toBe(1);
    expect(changed.problems).toContain('1 record(s) written before the signal lost or changed');
  });

  it('fails a runs.jsonl with a torn line, and ignores a line still being written at the signal', () => {
    expect(judgeCase(evidence({ runsAfter: `${record(0)}\n{"schemaVersion":1,"sta` })).problems[0]).toMatch(/^runs\.jsonl does not parse: runs\.jsonl:2: not valid JSON/);
    expect(completeLines(`${record(0)}\n{"schemaVer`)).toEqual([record(0)]);
    expect(lostRecords(`${record(0)}\n{"schemaVer`, `${record(0)}\n`)).toBe(0);
  });
});

describe('the exit status of a bench that ran to its end', () => {
  it('is 0 with a completed run, 1 with none (only failed or unsupported records, or none at all)', () => {
    const completed = JSON.stringify({ ...JSON.parse(record(1)), state: 'completed' });
    expect(statusAtEnd(`${record(0)}\n${completed}\n`)).toBe(0);
    expect(statusAtEnd(`${record(0)}\n`)).toBe(1);
    expect(statusAtEnd(undefined)).toBe(1);
    expect(statusAtEnd(`{"state":"comp\n`)).toBe(1);
  });
});

describe('the plan of cases', () => {
  it('is the same for the same seed, and never aims at a daemon that bind does not have', () => {
    expect(planCases(7, 50)).toEqual(planCases(7, 50));
    expect(planCases(7, 50)).not.toEqual(planCases(8, 50));
    const cases = planCases(7, 200);
    expect(cases.filter((testCase) => testCase.backend === 'bind' && testCase.action === 'sigkill-daemon')).toEqual([]);
    expect(new Set(cases.map((testCase) => `${testCase.backend} ${testCase.traceAll} ${testCase.action}`)).size).toBe(3 * 2 * 5 - 2);
    expect(actionsFor('fuse')).toHaveLength(5);
  });
});
