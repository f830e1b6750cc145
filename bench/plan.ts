/**
 * The plan: cells are backend × workload, run in rounds (one repetition of every cell per round), each
 * round in a seeded shuffled order. A noisy machine's drift then spreads over all backends instead of
 * biasing the one that happened to run last. The same seed gives the same order.
 */
import { seededRandom } from './stats.js';

export interface Cell {
  backend: string;
  workload: string;
}

export interface PlannedRun extends Cell {
  repetition: number;
}

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

export function cellsOf(backends: readonly string[], workloads: readonly string[]): Cell[] {
  return backends.flatMap((backend) => workloads.map((workload) => ({ backend, workload })));
}

/** One round's order: every given cell once, shuffled with a generator derived from (seed, round). */
export function planRound(cells: readonly Cell[], round: number, seed: number): PlannedRun[] {
  const random = seededRandom((seed ^ Math.imul(round + 1, 0x9e3779b1)) >>> 0);
  return shuffle(cells, random).map((cell) => ({ ...cell, repetition: round }));
}
