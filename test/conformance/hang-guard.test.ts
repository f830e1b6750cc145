/**
 * The hang guard of lock cases, without a kernel: a case that never finishes gets its abort called,
 * its processes killed, and a failure that says both; a case that finishes in time is left alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { abortIfHung } from './hang-guard.js';

describe('abortIfHung', () => {
  it('aborts, kills the processes and fails with what it did when the case outlives its deadline', async () => {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    const children = new Set<ChildProcess>([sleeper]);
    const aborts: string[] = [];
    const never = new Promise<never>(() => {});
    await expect(
      abortIfHung(never, {
        deadlineMs: 100,
        label: 'a stuck case',
        abort: async () => {
          aborts.push('abort');
          return 'aborted FUSE connection 7';
        },
        children,
      }),
    ).rejects.toThrow(/^a stuck case hung for 0.1 s: aborted FUSE connection 7, then killed its processes; none is left$/);
    expect(aborts).toEqual(['abort']);
    expect(sleeper.signalCode).toBe('SIGKILL');
  }, 15_000);

  it('returns the result of a case that finishes in time, without aborting', async () => {
    let aborted = false;
    const result = await abortIfHung(Promise.resolve(42), {
      deadlineMs: 1000,
      label: 'a quick case',
      abort: async () => {
        aborted = true;
        return undefined;
      },
      children: new Set(),
    });
    expect({ result, aborted }).toEqual({ result: 42, aborted: false });
  });
});
