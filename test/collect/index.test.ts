import { describe, expect, it } from 'vitest';
import type { Mount } from '../../bench/backends/types.js';
import { RequestCountsBoard } from '../../bench/collect/board.js';
import { defaultCollectors } from '../../bench/collect/index.js';

describe('default collectors', () => {
  it('trace, proc and daemon-stats when tracing; proc alone (nothing running during the workload) with --no-trace', () => {
    expect(defaultCollectors({ trace: true }).map((collector) => collector.name)).toEqual(['trace', 'proc', 'daemon-stats']);
    expect(defaultCollectors({ trace: false }).map((collector) => collector.name)).toEqual(['proc']);
  });
});

describe('the board between the trace and daemon-stats collectors', () => {
  const mount: Mount = { backend: 'fuse', mountpoint: '/x', lower: '/y', info: {} };

  it('hands the traced counts of a mount to whoever waits for them', async () => {
    const board = new RequestCountsBoard();
    const post = board.post(mount);
    const waiting = board.wait(mount);
    post({ READ: 3 });
    expect(await waiting).toEqual({ READ: 3 });
  });

  it('answers undefined at once for a mount nobody traces, and after the timeout for one never posted', async () => {
    const board = new RequestCountsBoard();
    expect(await board.wait(mount)).toBeUndefined();
    board.post(mount);
    expect(await board.wait(mount, 20)).toBeUndefined();
  });
});
