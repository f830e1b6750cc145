import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProcessStat, parseStatusSwitches, parseSystemStat, procOutput } from '../../bench/collect/proc.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'trace', name), 'utf8');

describe('/proc parsing', () => {
  it('reads utime, stime, cutime, cstime and ppid from a recorded /proc/PID/stat', () => {
    expect(parseProcessStat(fixture('proc-pid-stat.txt'))).toEqual({ ppid: 0, utimeTicks: 526, stimeTicks: 1184, cutimeTicks: 54859, cstimeTicks: 61408 });
  });

  it('is not fooled by a command name with spaces and parentheses', () => {
    const text = '4242 (a) b (c)) R 17 4242 4242 0 -1 4194304 10 0 0 0 7 3 2 1 20 0 1 0 100 0 0';
    expect(parseProcessStat(text)).toMatchObject({ ppid: 17, utimeTicks: 7, stimeTicks: 3, cutimeTicks: 2, cstimeTicks: 1 });
  });

  it('reads busy and idle ticks from a recorded /proc/stat', () => {
    const times = parseSystemStat(fixture('proc-stat.txt'));
    expect(times.busyTicks).toBeGreaterThan(0);
    expect(times.idleTicks).toBeGreaterThan(0);
  });

  it('reads voluntary and involuntary context switches from a recorded status file', () => {
    const counts = parseStatusSwitches(fixture('proc-pid-status.txt'));
    expect(counts.voluntary).toBeGreaterThan(0);
    expect(counts.involuntary).toBeGreaterThanOrEqual(0);
  });
});

describe('CPU cost from two snapshots', () => {
  const snapshot = (daemonTicks: number, busy: number, atMs: number) => ({
    daemonCpu: { userSeconds: daemonTicks / 100, systemSeconds: daemonTicks / 100 },
    daemonSwitches: { voluntary: daemonTicks * 10, involuntary: 0 },
    self: { ppid: 1, utimeTicks: 0, stimeTicks: 0, cutimeTicks: 0, cstimeTicks: 0 },
    system: { busyTicks: busy, idleTicks: 0 },
    atMs,
  });

  it('gives µs per I/O and seconds per GiB for the daemon, the workload and the machine', () => {
    const output = procOutput(snapshot(100, 1000, 0), snapshot(150, 1300, 2000), { seconds: 0.5, method: 'test' }, { ioCount: 100_000, bytes: 2 * 1024 ** 3 });
    // Daemon: 50 + 50 ticks = 1 s over 100k I/Os = 10 µs each; 0.5 s per GiB.
    expect(output.metrics!.daemonCpuUsPerIo).toBeCloseTo(10);
    expect(output.metrics!.daemonCpuSecondsPerGiB).toBeCloseTo(0.5);
    expect(output.metrics!.workloadCpuUsPerIo).toBeCloseTo(5);
    expect(output.metrics!.systemCpuUsPerIo).toBeCloseTo(30);
    expect(output.metrics!.systemCpuSecondsPerGiB).toBeCloseTo(1.5);
    expect((output.details!.proc as { daemonContextSwitches: unknown }).daemonContextSwitches).toEqual({ voluntary: 500, involuntary: 0 });
  });

  it('gives no per-I/O or per-GiB figure for a run that did no I/O', () => {
    const output = procOutput(snapshot(1, 1, 0), snapshot(2, 2, 1), undefined, { ioCount: 0, bytes: 0 });
    expect(output.metrics).toEqual({});
  });
});

describe('daemon peak memory', () => {
  it('reads VmHWM from /proc/PID/status', async () => {
    const { parsePeakRssKiB } = await import('../../bench/processes.js');
    expect(parsePeakRssKiB('Name:\tfusebench-daemo\nVmPeak:\t   88584 kB\nVmHWM:\t    2252 kB\nVmRSS:\t    2100 kB\n')).toBe(2252);
    expect(parsePeakRssKiB('Name:\tx\n')).toBeUndefined();
  });
});
