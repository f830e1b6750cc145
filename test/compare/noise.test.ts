/** The noise model and the judged basis, on the recorded result directories (real shapes, fixed values). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { relativeSamples } from '../../bench/compare/basis.js';
import { loadResults } from '../../bench/compare/load.js';
import { estimateNoise, preferredBasis, thresholdFor } from '../../bench/compare/noise.js';

const fixtures = path.resolve('test/fixtures/compare');
const base = loadResults(path.join(fixtures, 'base'));
const head = loadResults(path.join(fixtures, 'head'));

describe('relative samples', () => {
  it('pairs each repetition with the baseline of the same round, and skips a failed one', () => {
    const fuse = head.cells.find((cell) => cell.backend === 'fuse' && cell.workload === 'randread-4k')!;
    const bind = head.cells.find((cell) => cell.backend === 'bind' && cell.workload === 'randread-4k')!;
    const ratios = relativeSamples(fuse, bind, 'readIops')!;
    expect(ratios).toHaveLength(fuse.repetitions.length);
    fuse.repetitions.forEach((repetition, index) => {
      const bindValue = bind.samples.readIops![bind.repetitions.indexOf(repetition)]!;
      expect(ratios[index]).toBeCloseTo(fuse.samples.readIops![index]! / bindValue, 12);
    });
  });

  it('forms no ratio where the baseline is 0 (context switches under bind)', () => {
    const fuse = head.cells.find((cell) => cell.backend === 'fuse' && cell.workload === 'randread-4k')!;
    const bind = head.cells.find((cell) => cell.backend === 'bind' && cell.workload === 'randread-4k')!;
    expect(relativeSamples(fuse, bind, 'fioContextSwitches')).toBeUndefined();
  });
});

describe('estimateNoise', () => {
  const cells = estimateNoise([base, head]);
  const find = (backend: string, workload: string, metric: string) => cells.find((cell) => cell.backend === backend && cell.workload === workload && cell.metric === metric)!;

  it('judges the baseline absolute and the other backends relative', () => {
    expect(find('bind', 'randread-4k', 'readIops').basis).toBe('absolute');
    expect(find('fuse', 'randread-4k', 'readIops').basis).toBe('relative');
    expect(find('fuse', 'randread-4k', 'fioContextSwitches').basis).toBe('absolute');
  });

  it('shows the ratio removing drift: fuse randread moved 11% with bind, its ratio about 1%', () => {
    const fuse = find('fuse', 'randread-4k', 'readIops');
    expect(fuse.absolute.betweenRunCv).toBeGreaterThan(0.05);
    expect(fuse.judged.betweenRunCv).toBeLessThan(0.02);
    expect(fuse.judged.withinRunCv).toBeGreaterThan(0);
  });

  it('gives thresholds from the model, the floor, or the uncalibrated drift', () => {
    const model = { schemaVersion: 1 as const, source: 'history' as const, createdAt: '', hostname: '', kernelRelease: '', runs: ['a', 'b'], cells };
    const key = { backend: 'fuse', workload: 'randread-4k', metric: 'readIops' };
    expect(thresholdFor(model, key, 'relative', 0.05)).toEqual({ threshold: 0.05, source: 'history' });
    expect(thresholdFor(undefined, key, 'relative', 0.05)).toEqual({ threshold: 0.05, source: 'floor' });
    expect(thresholdFor(undefined, key, 'absolute', 0.05)).toEqual({ threshold: 0.25, source: 'uncalibrated drift' });
    expect(thresholdFor(model, { ...key, backend: 'bind' }, 'absolute', 0.05).threshold).toBeGreaterThan(0.2);
    // The same cell judged on its absolute values gets the absolute spread's threshold.
    expect(thresholdFor(model, key, 'absolute', 0.05).threshold).toBeCloseTo(2.5 * Math.SQRT2 * find('fuse', 'randread-4k', 'readIops').absolute.betweenRunCv, 6);
  });

  it('keeps the ratio unless the absolute values are clearly steadier between runs', () => {
    // These runs drifted together: the ratio is far steadier, so it stays.
    expect(preferredBasis(find('fuse', 'randread-4k', 'readIops'))).toBe('relative');
    const spread = (betweenRunCv: number) => ({ withinRunCv: 0.05, betweenRunCv });
    const cell = { backend: 'fuse', workload: 'w', metric: 'readIops', basis: 'relative' as const, runs: 16 };
    // bench:calibrate's quiet runs: fuse IOPS 6.0% absolute against 11.2% as a ratio to bind.
    expect(preferredBasis({ ...cell, absolute: spread(0.06), judged: spread(0.112) })).toBe('absolute');
    // fuse-passthrough there: 12.1% against 11.0%, and 10% against 11%, not clearly steadier.
    expect(preferredBasis({ ...cell, absolute: spread(0.121), judged: spread(0.11) })).toBe('relative');
    expect(preferredBasis({ ...cell, absolute: spread(0.1), judged: spread(0.11) })).toBe('relative');
    expect(preferredBasis({ ...cell, basis: 'absolute', absolute: spread(0.1), judged: spread(0.1) })).toBe('absolute');
    expect(preferredBasis(undefined)).toBe('relative');
  });
});
