import { describe, expect, it } from 'vitest';
import { cellsOf, planRound, type Cell } from '../bench/plan.js';

/** Every round of a fixed repetition count, as the runner plans them when nothing is adaptive. */
const planRuns = (cells: readonly Cell[], rounds: number, seed: number) => Array.from({ length: rounds }, (_, round) => planRound(cells, round, seed)).flat();

describe('the interleaved plan', () => {
  const cells = cellsOf(['bind', 'fuse', 'fuse-passthrough'], ['seqread', 'randread']);
  it('runs every cell once per round before any cell repeats', () => {
    const plan = planRuns(cells, 3, 7);
    expect(plan).toHaveLength(18);
    for (let round = 0; round < 3; round++) {
      const slice = plan.slice(round * 6, round * 6 + 6);
      expect(new Set(slice.map((run) => `${run.backend}/${run.workload}`)).size).toBe(6);
      expect(slice.every((run) => run.repetition === round)).toBe(true);
    }
  });
  it('gives the same order for the same seed', () => {
    expect(planRuns(cells, 3, 42)).toEqual(planRuns(cells, 3, 42));
  });
  it('gives a different order for a different seed', () => {
    expect(planRuns(cells, 3, 1)).not.toEqual(planRuns(cells, 3, 2));
  });
  it('shuffles rounds differently, so no backend always runs first', () => {
    const plan = planRuns(cells, 6, 3);
    const firsts = new Set(Array.from({ length: 6 }, (_, round) => plan[round * 6]!.backend));
    expect(firsts.size).toBeGreaterThan(1);
  });
});
