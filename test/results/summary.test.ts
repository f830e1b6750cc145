import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { summaryToCsv } from '../../bench/results/csv.js';
import { SummarySchema, type Environment, type RunRecord } from '../../bench/results/schema.js';
import { summarize } from '../../bench/results/summary.js';

const environment: Environment = {
  kernelRelease: '6.18.0', kernelVersion: '#1 SMP', cpuModel: 'test cpu', cpuCount: 2, memoryMiB: 24000, fioVersion: 'fio-3.33', nodeVersion: 'v20',
  hostname: 'h', suiteCommit: 'abc', suiteDirty: false, commandLine: 'npm run bench -- --profile seqread', profileName: 'seqread', profileHash: '00',
  profileText: 'name: seqread', resolvedProfile: {}, seed: 1, accel: 'native', backends: {}, startedAt: '2026-11-25T00:00:00.000Z',
};
const at = '2026-11-25T00:00:00.000Z';
let sequence = 0;
const completed = (backend: string, bandwidth: number, requests?: Record<string, number>): RunRecord => ({
  schemaVersion: 1, state: 'completed', backend, workload: 'seqread-128k', repetition: 0, sequence: sequence++, startedAt: at, finishedAt: at, accel: 'native',
  metrics: { readBandwidthMiBps: bandwidth, readLatencyP99Us: 1000 / bandwidth }, requestsByOpcode: requests, details: {}, mount: {},
});
const records: RunRecord[] = [
  completed('bind', 1000), completed('fuse', 100, { READ: 800, OPEN: 1 }), completed('bind', 1100), completed('fuse', 110, { READ: 900, OPEN: 1 }), completed('bind', 900), completed('fuse', 90, { READ: 1000, OPEN: 1 }),
  { schemaVersion: 1, state: 'unsupported', backend: 'fuse-bpf', workload: '*', repetition: 0, sequence: sequence++, startedAt: at, finishedAt: at, accel: 'native', reason: 'kernel has no FUSE-BPF' },
  { schemaVersion: 1, state: 'failed', backend: 'fuse', workload: 'seqread-128k', repetition: 3, sequence: sequence++, startedAt: at, finishedAt: at, accel: 'native', reason: 'daemon died' },
];

describe('the summary', () => {
  const summary = summarize(records, { profile: 'seqread', baseline: 'bind', environment, seed: 1 });
  it('has the documented shape', () => {
    expect(() => SummarySchema.parse(JSON.parse(JSON.stringify(summary)))).not.toThrow();
    expect(Object.keys(summary)).toEqual(['schemaVersion', 'profile', 'baseline', 'environment', 'cells', 'unsupported', 'failed']);
  });
  it('gives each cell the median, a CI around it, n and the unit', () => {
    const fuse = summary.cells.find((cell) => cell.backend === 'fuse')!;
    const bandwidth = fuse.metrics.readBandwidthMiBps!;
    expect(bandwidth.median).toBe(100);
    expect(bandwidth.n).toBe(3);
    expect(bandwidth.unit).toBe('MiB/s');
    expect(bandwidth.ci95[0]).toBeLessThanOrEqual(100);
    expect(bandwidth.ci95[1]).toBeGreaterThanOrEqual(100);
    expect(bandwidth.samples).toEqual([100, 110, 90]);
  });
  it('takes ratios against the baseline backend', () => {
    const fuse = summary.cells.find((cell) => cell.backend === 'fuse')!;
    expect(fuse.metrics.readBandwidthMiBps!.ratioToBaseline).toBeCloseTo(0.1);
    expect(summary.cells.find((cell) => cell.backend === 'bind')!.metrics.readBandwidthMiBps!.ratioToBaseline).toBe(1);
  });
  it('keeps unsupported backends with their reason, and failed runs', () => {
    expect(summary.unsupported).toEqual([{ backend: 'fuse-bpf', reason: 'kernel has no FUSE-BPF' }]);
    expect(summary.failed).toEqual([{ backend: 'fuse', workload: 'seqread-128k', repetition: 3, reason: 'daemon died' }]);
    expect(summary.cells.find((cell) => cell.backend === 'fuse')!.failedRuns).toBe(1);
  });
  it('gives the median request count per opcode', () => {
    expect(summary.cells.find((cell) => cell.backend === 'fuse')!.requestsByOpcode).toEqual({ OPEN: 1, READ: 900 });
    expect(summary.cells.find((cell) => cell.backend === 'bind')!.requestsByOpcode).toBeUndefined();
  });
});

describe('results.csv', () => {
  const summary = summarize(records, { profile: 'seqread', baseline: 'bind', environment, seed: 1 });
  const rows = parse(summaryToCsv(summary), { columns: true }) as Array<Record<string, string>>;
  it('has one row per backend × workload plus one per unsupported backend', () => {
    expect(rows.map((row) => `${row.backend}/${row.workload}/${row.state}`)).toEqual(['bind/seqread-128k/completed', 'fuse/seqread-128k/completed', 'fuse-bpf/*/unsupported']);
  });
  it('carries medians, CIs, ratios and request counts as columns', () => {
    const fuse = rows[1]!;
    expect(Number(fuse.readBandwidthMiBps_median)).toBe(100);
    expect(Number(fuse.readBandwidthMiBps_ratio_to_bind)).toBeCloseTo(0.1);
    expect(Number(fuse.requests_READ)).toBe(900);
    expect(rows[2]!.reason).toBe('kernel has no FUSE-BPF');
  });
});

describe('results.csv of a sweep', () => {
  const point = (backend: string, numjobs: number, bandwidth: number): RunRecord => ({
    ...completed(backend, bandwidth),
    workload: `seqread-128k numjobs=${numjobs}`,
    sweep: 'seqread-128k',
    params: { numjobs },
  });
  const swept = [point('bind', 1, 1000), point('fuse', 1, 100), point('bind', 2, 1800), point('fuse', 2, 150), completed('bind', 900), records[6]!];
  const summary = summarize(swept, { profile: 'scaling', baseline: 'bind', environment, seed: 1 });
  const csv = summaryToCsv(summary);
  const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
  it('has a row per point, in value order, keyed by the point\'s name', () => {
    expect(rows.map((row) => `${row.backend}/${row.workload}`)).toEqual([
      'bind/seqread-128k',
      'bind/seqread-128k numjobs=1',
      'fuse/seqread-128k numjobs=1',
      'bind/seqread-128k numjobs=2',
      'fuse/seqread-128k numjobs=2',
      'fuse-bpf/*',
    ]);
  });
  it('adds the workload the point came from and a column per swept parameter after the workload', () => {
    expect(csv.split('\n')[0]!.startsWith('backend,workload,sweep,numjobs,state,')).toBe(true);
    expect(rows.map((row) => [row.sweep, row.numjobs])).toEqual([['seqread-128k', ''], ['seqread-128k', '1'], ['seqread-128k', '1'], ['seqread-128k', '2'], ['seqread-128k', '2'], ['', '']]);
    expect(rows[5]).toMatchObject({ state: 'unsupported', reason: 'kernel has no FUSE-BPF' });
  });
  it('takes each point\'s ratio against the baseline at the same point', () => {
    expect(Number(rows[4]!.readBandwidthMiBps_ratio_to_bind)).toBeCloseTo(150 / 1800);
  });
  it('keeps the parameters in summary.json', () => {
    expect(summary.cells.find((cell) => cell.workload === 'seqread-128k numjobs=2' && cell.backend === 'fuse')).toMatchObject({ sweep: 'seqread-128k', params: { numjobs: 2 } });
    expect(summary.cells.find((cell) => cell.workload === 'seqread-128k')).not.toHaveProperty('params');
  });
});
