/** bench:calibrate's analysis on recorded result directories: pairs, out-of-sample thresholds, the table. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCalibration, formatCalibration, pairsWithAlarm } from '../../bench/compare/calibration.js';
import { loadResults } from '../../bench/compare/load.js';

const fixtures = path.resolve('test/fixtures/compare');
const a = () => loadResults(path.join(fixtures, 'base'));
const b = () => loadResults(path.join(fixtures, 'head'));

describe('analyzeCalibration', () => {
  // Three A runs (base, base, base) and one B run (head: fuse seqread 16% slower, randread drifted with bind).
  const calibration = analyzeCalibration([a(), a(), a()], [b()], { floor: 0.05, injectDelayMicros: 7 });

  it('makes K-1 back-to-back A/A pairs, every A pair, and one B/A pair per B run', () => {
    expect(calibration.aaBackToBack).toHaveLength(2);
    expect(calibration.aaAllPairs).toHaveLength(3);
    expect(calibration.ba).toHaveLength(1);
  });

  it('raises no alarm between identical runs', () => {
    expect(pairsWithAlarm(calibration.aaAllPairs)).toBe(0);
    expect(calibration.cells.find((cell) => cell.backend === 'fuse' && cell.metric === 'readIops' && cell.workload === 'randread-4k')?.judged.betweenRunCv).toBe(0);
  });

  it('flags fuse in the B/A pair; bind too, because A runs that never moved leave no room for its +12%', () => {
    expect(pairsWithAlarm(calibration.ba, 'fuse')).toBe(1);
    expect(calibration.ba[0]!.alarms.fuse).toEqual(['seqread-128k/readBandwidthMiBps regressed']);
    expect(calibration.ba[0]!.alarms.bind).toEqual(['randread-4k/readIops improved']);
  });

  it("measures the injected delay's effect on each gated metric, pooled over the runs", () => {
    const fuseSeq = calibration.injectedEffect.find((effect) => effect.backend === 'fuse' && effect.workload === 'seqread-128k' && effect.metric === 'readBandwidthMiBps')!;
    const sample = (run: ReturnType<typeof a>) => run.cells.find((cell) => cell.backend === 'fuse' && cell.workload === 'seqread-128k')!.samples.readBandwidthMiBps!;
    const middle = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
    expect(fuseSeq.aMedian).toBeCloseTo(middle([...sample(a()), ...sample(a()), ...sample(a())]), 6);
    expect(fuseSeq.change).toBeCloseTo(fuseSeq.bMedian / fuseSeq.aMedian - 1, 9);
    expect(fuseSeq.change).toBeLessThan(-0.1);
    expect(formatCalibration(calibration)).toMatch(/its effect, pooled: fuse seqread-128k readBandwidthMiBps [\d.]+ → [\d.]+ \(-1\d\.\d%\)/);
  });

  it('prints the spread table and the rates against their targets', () => {
    const text = formatCalibration(calibration);
    expect(text).toMatch(/fuse\s+randread-4k\s+readIops\s+ratio to baseline/);
    expect(text).toContain('A/A back to back: 0 of 2 pairs raised an alarm (target: at most 1 in 15)');
    expect(text).toMatch(/fuse\s+flagged in 1 of 1 pairs \(target: at least 14 in 15\)/);
  });
});
