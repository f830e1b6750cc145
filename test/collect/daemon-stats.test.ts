import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDaemonStats } from '../../bench/backends/daemon-stats-file.js';
import { daemonStatsOutput, diffDaemonOps } from '../../bench/collect/daemon-stats.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'trace', name), 'utf8');

describe('daemon stats', () => {
  const after = parseDaemonStats(fixture('daemon-stats-fuse.json'));
  const before = { ...after, ops: { INIT: { count: 1, totalNs: 37943 }, LOOKUP: { count: 4, totalNs: 1000 } } };

  it('parses the daemon\'s JSON', () => {
    expect(after.mode).toBe('plain');
    expect(after.ops.READ).toEqual({ count: 2048, totalNs: 80235237 });
  });

  it('diffs two snapshots, leaving out opcodes with nothing served in between', () => {
    const served = diffDaemonOps(before, after);
    expect(served.INIT).toBeUndefined();
    expect(served.LOOKUP).toEqual({ count: 20, totalNs: 6156506 - 1000 });
    expect(served.READ!.count).toBe(2048);
  });

  it('cross-checks with the traced counts when there are some, and says why when not', () => {
    const served = diffDaemonOps({ ...after, ops: {} }, after);
    const traced = { LOOKUP: 24, GETATTR: 4, OPEN: 1, READ: 2048, RELEASE: 1, FLUSH: 1, STATX: 20, INIT: 1 };
    const checked = daemonStatsOutput(served, traced, { ioCount: 2048 }, { backend: 'fuse' });
    expect((checked.details!.crossCheck as { agreed: boolean }).agreed).toBe(true);
    expect(checked.details!.daemonRequestsByOpcode).toMatchObject({ READ: 2048 });
    const unchecked = daemonStatsOutput(served, undefined, { ioCount: 2048 }, { backend: 'fuse' });
    expect(unchecked.details!.crossCheck).toBeUndefined();
    expect(unchecked.details!.crossCheckSkipped).toMatch(/not traced/);
  });

  it('rejects a file without ops', () => {
    expect(() => parseDaemonStats('{"mode":"plain"}')).toThrow(/ops/);
  });
});
