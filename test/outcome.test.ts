/** What a finished run tells the shell (bench/outcome.ts). */
import { describe, expect, it } from 'vitest';
import { runOutcome } from '../bench/outcome.js';
import type { RunRecord } from '../bench/results/schema.js';

const base = { schemaVersion: 1 as const, repetition: 0, sequence: 0, startedAt: '', finishedAt: '', accel: 'native' as const };
const completed = (backend: string): RunRecord => ({ ...base, backend, workload: 'w', state: 'completed', metrics: { readIops: 1 }, details: {}, mount: {} });
const failed = (backend: string, reason: string, log?: string): RunRecord => ({ ...base, backend, workload: 'w', state: 'failed', reason, ...(log ? { log } : {}) });
const unsupported = (backend: string): RunRecord => ({ ...base, backend, workload: '*', state: 'unsupported', reason: 'no kernel support' });
const options = { keepGoing: false, outDir: '/out' };

describe('the exit status of a run', () => {
  it('everything completed: 0, unsupported backends are data', () => {
    const outcome = runOutcome([completed('bind'), unsupported('fuse-bpf')], options);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.lines).toEqual(['1 runs completed, 0 failed, 1 backend(s) unsupported. Results in /out']);
  });

  it('nothing completed: 1, with the first failure\'s reason and the daemon\'s last stderr line', () => {
    const outcome = runOutcome([failed('fuse', 'fio exited with 1: fio: bs 99999g too large\nmore', 'starting\nfuse: bad mount option'), failed('bind', 'other')], { ...options, keepGoing: true });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.lines[1]).toBe('nothing completed: first failure (fuse · w): fio exited with 1: fio: bs 99999g too large (daemon stderr: fuse: bad mount option)');
  });

  it('nothing completed because nothing is supported: 1, saying so', () => {
    const outcome = runOutcome([unsupported('fuse-bpf')], options);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.lines[1]).toMatch(/no backend in this run is supported here/);
  });

  it('some cells failed: 1, naming each, or 0 with --keep-going', () => {
    const records = [completed('bind'), failed('fuse', 'daemon killed by SIGKILL during the run'), failed('fuse', 'again')];
    const strict = runOutcome(records, options);
    expect(strict.exitCode).toBe(1);
    expect(strict.lines.slice(1)).toEqual(['some cells failed (exit status 1; --keep-going accepts a partial run):', '  fuse · w: 2 failed run(s); daemon killed by SIGKILL during the run']);
    expect(runOutcome(records, { ...options, keepGoing: true }).exitCode).toBe(0);
  });
});
