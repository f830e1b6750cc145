/**
 * The cleanup order a signal relies on: pending cleanups newest first, then every started process
 * ended and waited for, and only then the last steps (run directory, lock). Real child processes.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CleanupStack } from '../bench/cleanup.js';
import { liveChildren, processAlive, trackChild } from '../bench/processes.js';

describe('the cleanup stack', () => {
  it('runs cleanups newest first, then ends and awaits every started process, then the last ones', async () => {
    const stack = new CleanupStack();
    const order: string[] = [];
    // A child that ignores SIGTERM: it must still be gone (SIGKILL after the grace) before the last steps.
    const stubborn = trackChild(spawn('sh', ['-c', 'trap "" TERM; while :; do sleep 0.05; done'], { stdio: 'ignore' }), 'stubborn');
    const polite = trackChild(spawn('sleep', ['60'], { stdio: 'ignore' }), 'sleep');
    stack.pushLast('release lock', () => void order.push(`lock (children alive: ${[stubborn.pid!, polite.pid!].filter(processAlive).length})`));
    stack.pushLast('remove directory', () => void order.push('directory'));
    stack.push('unmount lower', () => void order.push('lower'));
    stack.push('unmount backend', () => void order.push('backend'));
    await stack.runAll(() => {});
    expect(order).toEqual(['backend', 'lower', 'directory', 'lock (children alive: 0)']);
    expect(liveChildren()).toEqual([]);
    expect(stubborn.signalCode).toBe('SIGKILL');
    expect(polite.signalCode).toBe('SIGTERM');
  }, 20_000);

  it('shares one pass between concurrent callers, and a handle run during it is not run twice', async () => {
    const stack = new CleanupStack();
    let unmounts = 0;
    const handle = stack.push('unmount', async () => {
      unmounts++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    const first = stack.runAll(() => {});
    expect(stack.runAll(() => {})).toBe(first);
    await Promise.all([first, handle.run()]);
    expect(unmounts).toBe(1);
    expect(stack.size).toBe(0);
  });

  it('runs a cleanup added while it drains (the interrupted code still unwinding), and reports a failing one', async () => {
    const stack = new CleanupStack();
    const order: string[] = [];
    const reports: string[] = [];
    stack.pushLast('lock', () => void order.push('lock'));
    stack.push('first', () => {
      order.push('first');
      stack.push('added meanwhile', () => void order.push('added'));
      throw new Error('umount: busy');
    });
    await stack.runAll((message) => reports.push(message));
    expect(order).toEqual(['first', 'added', 'lock']);
    expect(reports).toEqual(['cleanup: first: umount: busy']);
  });
});
