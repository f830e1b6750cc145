/** The report's verdict against the baseline is the one rule of bench/results/verdict.ts. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareToBaseline } from '../../bench/report/model.js';
import { loadResultSet } from '../../bench/results/load.js';
import type { CellSummary, MetricSummary } from '../../bench/results/schema.js';
import { judgeChange } from '../../bench/results/verdict.js';
import { ROOT } from '../helpers/cli.js';

const run = loadResultSet(path.join(ROOT, 'test', 'fixtures', 'report', 'augmented'));

function cellWith(backend: string, samples: number[]): CellSummary {
  const metric = { median: samples[2]!, samples, ratioToBaseline: 1, unit: 'MiB/s', better: 'higher' } as unknown as MetricSummary;
  return { backend, workload: 'w', metrics: { readBandwidthMiBps: metric } } as unknown as CellSummary;
}

describe('compareToBaseline', () => {
  const baseline = cellWith('bind', [100, 101, 99, 100, 102]);
  const withCells = (...cells: CellSummary[]) => ({ ...run, summary: { ...run.summary, baseline: 'bind', cells: [baseline, ...cells] } });

  it('calls five clearly slower samples worse, as judgeChange does', () => {
    const slow = cellWith('fuse', [60, 61, 59, 60, 62]);
    const verdict = compareToBaseline(withCells(slow), slow, 'readBandwidthMiBps');
    expect(verdict.verdict).toBe('regressed');
    expect(verdict.verdict).toBe(judgeChange(baseline.metrics.readBandwidthMiBps!.samples, slow.metrics.readBandwidthMiBps!.samples, 'higher', { threshold: 0.05, seed: run.environment.seed }).verdict);
  });

  it('calls a change inside the threshold unchanged, however consistent', () => {
    const close = cellWith('fuse', [98, 99, 97, 98, 100]);
    expect(compareToBaseline(withCells(close), close, 'readBandwidthMiBps').verdict).toBe('unchanged');
  });

  it('marks the baseline itself and a metric it lacks', () => {
    expect(compareToBaseline(withCells(), baseline, 'readBandwidthMiBps').verdict).toBe('baseline');
    expect(compareToBaseline(withCells(), baseline, 'nothing').verdict).toBe('unknown');
  });
});
