import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { latencyBucketBoundsNs, latencyBucketKey, lostEventsInText, parseTraceOutput, quantileFromBuckets } from '../../bench/collect/trace-parse.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'trace', name), 'utf8');

describe('parsing recorded bpftrace output', () => {
  it('counts the requests of plain FUSE by opcode name: 20 stat() give 20 STATX, 8 MiB in 4 KiB reads give 2048 READ', () => {
    const counts = parseTraceOutput(fixture('bpftrace-fuse-stat20-read8m.jsonl'));
    expect(counts.ready).toBe(true);
    expect(counts.requestsByOpcode).toEqual({ LOOKUP: 24, GETATTR: 4, OPEN: 1, READ: 2048, RELEASE: 1, FLUSH: 1, STATX: 20 });
    expect(counts.lostEvents).toBe(0);
    expect(counts.unpairedEnds).toBe(0);
    expect(counts.inFlightAtStop).toBe(0);
  });

  it('pairs every request with its reply: latency counts equal request counts, p50 ≤ p99 ≤ max', () => {
    const counts = parseTraceOutput(fixture('bpftrace-fuse-stat20-read8m.jsonl'));
    for (const [name, requests] of Object.entries(counts.requestsByOpcode)) {
      const latency = counts.latencyByOpcode[name]!;
      expect(latency.count, name).toBe(requests);
      expect(latency.p50Us).toBeGreaterThan(0);
      expect(latency.p50Us).toBeLessThanOrEqual(latency.p99Us);
      expect(latency.p99Us).toBeLessThanOrEqual(latency.maxUs);
    }
  });

  it('reads the daemon\'s and the workload\'s syscalls and context switches', () => {
    const counts = parseTraceOutput(fixture('bpftrace-fuse-stat20-read8m.jsonl'));
    // Each READ costs the daemon a read(2) of /dev/fuse (0), a pread64 (17) and a writev (20) of the reply.
    expect(counts.daemonSyscallsById['17']).toBe(2048);
    expect(counts.daemonSyscalls).toBeGreaterThan(3 * 2048);
    expect(counts.daemonSwitches.voluntary + counts.daemonSwitches.involuntary).toBeGreaterThan(2048);
    expect(counts.workloadSyscalls).toBeGreaterThan(2048);
    expect(counts.workloadTasks.length).toBeGreaterThanOrEqual(2);
  });

  it('a bind mount gives zero requests, measured (the maps were printed), and no daemon counts', () => {
    const counts = parseTraceOutput(fixture('bpftrace-bind-stat20-read8m.jsonl'));
    expect(counts.ready).toBe(true);
    expect(counts.requestsByOpcode).toEqual({});
    expect(counts.daemonSyscalls).toBe(0);
    expect(counts.workloadSyscalls).toBeGreaterThan(2048);
  });

  it('passthrough serves reads without the daemon: no READ request', () => {
    const counts = parseTraceOutput(fixture('bpftrace-fuse-passthrough-stat20-read8m.jsonl'));
    expect(counts.requestsByOpcode.READ).toBeUndefined();
    expect(counts.requestsByOpcode.OPEN).toBe(1);
  });

  it('adds up lost events from JSON lines and from text', () => {
    const stdout = '{"type": "lost_events", "data": {"events": 3}}\n{"type": "lost_events", "data": {"events": 4}}\n';
    expect(parseTraceOutput(stdout, 'Lost 5 events\n').lostEvents).toBe(12);
    expect(lostEventsInText('nothing lost')).toBe(0);
  });

  it('skips partial and non-JSON lines, as from a bpftrace killed mid-print', () => {
    const counts = parseTraceOutput('ERROR: couldn\'t set RLIMIT_MEMLOCK\n{"type": "map", "data": {"@requests": {"15": 2}}}\n{"type": "map", "da');
    expect(counts.requestsByOpcode).toEqual({ READ: 2 });
  });
});

describe('latency buckets', () => {
  it('put a latency inside its bucket, which is at most 1/8 of its lower bound wide', () => {
    for (const ns of [0, 1, 5, 7, 8, 9, 15, 16, 100, 1000, 12_345, 999_999, 2 ** 33 + 12345]) {
      const [low, high] = latencyBucketBoundsNs(latencyBucketKey(ns));
      expect(ns).toBeGreaterThanOrEqual(low);
      expect(ns).toBeLessThan(high);
      if (ns >= 8) expect((high - low) / low).toBeLessThanOrEqual(1 / 8);
    }
  });

  it('give quantiles by nearest rank, as bucket midpoints capped at the maximum', () => {
    const buckets = new Map<number, number>([[latencyBucketKey(10_000), 98], [latencyBucketKey(1_000_000), 2]]);
    expect(quantileFromBuckets(buckets, 0.5, 1_000_000)).toBeCloseTo(10_000, -3);
    expect(quantileFromBuckets(buckets, 0.98, 1_000_000)).toBeCloseTo(10_000, -3);
    expect(quantileFromBuckets(buckets, 0.99, 1_000_000)).toBe(1_000_000);
    expect(quantileFromBuckets(new Map(), 0.5, 0)).toBe(0);
  });
});
