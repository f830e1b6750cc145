/**
 * The cases of `npm run bench:interrupt`, drawn from a seed: which backend, with or without
 * --trace-all, which interruption, and when (a fraction of how long such a bench takes).
 */
import { seededRandom } from '../stats.js';

export const INTERRUPT_BACKENDS = ['bind', 'fuse', 'fuse-passthrough'] as const;

export const ACTIONS = {
  'sigint-cli': 'SIGINT to the CLI',
  'sigterm-cli': 'SIGTERM to the CLI',
  'sigkill-daemon': 'SIGKILL to the daemon',
  'sigkill-fio': 'SIGKILL to fio',
  'sigkill-cli': 'SIGKILL to the CLI, then npm run cleanup',
} as const;

export type Action = keyof typeof ACTIONS;

export interface InterruptCase {
  /** 1-based, as printed. */
  number: number;
  backend: (typeof INTERRUPT_BACKENDS)[number];
  traceAll: boolean;
  action: Action;
  /**
   * When to act, in [0, 1). A signal to the CLI: this fraction of how long such a bench takes. A kill
   * of fio or the daemon: which of its appearances (the daemon's first is the backend's probe).
   */
  moment: number;
  /** For fio and the daemon: how far into that appearance's life, in [0, 1). */
  delay: number;
  /** The seed of the bench itself (its run order and data set). */
  benchSeed: number;
}

/** Bind has no daemon: its cases draw from the other actions. */
export function actionsFor(backend: string): Action[] {
  const all = Object.keys(ACTIONS) as Action[];
  return backend === 'bind' ? all.filter((action) => action !== 'sigkill-daemon') : all;
}

export function planCases(seed: number, count: number): InterruptCase[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  return Array.from({ length: count }, (_, index) => {
    const backend = pick(INTERRUPT_BACKENDS);
    return {
      number: index + 1,
      backend,
      traceAll: random() < 0.5,
      action: pick(actionsFor(backend)),
      moment: random(),
      delay: random(),
      benchSeed: 1 + Math.floor(random() * 1_000_000),
    };
  });
}
