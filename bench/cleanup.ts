/**
 * Cleanup registered the moment a resource exists. Every mount, process and tracefs instance the suite
 * makes pushes its undo here; the runner pops them as it finishes with each, and a signal or an error
 * runs whatever is left, newest first. Then every process the suite started and that still runs is
 * ended and waited for, and only then do the last steps run (the run directory, the lock): nothing
 * the suite started outlives the directory it works in.
 */
import { errorMessage } from './errors.js';
import { endAllChildren, liveChildren } from './processes.js';

export interface CleanupHandle {
  /** Run this cleanup now (once) and forget it; a cleanup already under way is awaited, not repeated. */
  run(): Promise<void>;
  /** Forget this cleanup without running it (the resource was released another way). */
  dismiss(): void;
}

interface Entry {
  label: string;
  action: () => Promise<void> | void;
  running?: Promise<void>;
}

const runOnce = (entry: Entry): Promise<void> => (entry.running ??= Promise.resolve().then(entry.action));

export class CleanupStack {
  private entries: Entry[] = [];
  private lastEntries: Entry[] = [];
  private draining: Promise<void> | undefined;

  push(label: string, action: () => Promise<void> | void): CleanupHandle {
    return this.add(this.entries, { label, action });
  }

  /** A cleanup that runs after every other one and after every child process has exited. */
  pushLast(label: string, action: () => Promise<void> | void): CleanupHandle {
    return this.add(this.lastEntries, { label, action });
  }

  get size(): number {
    return this.entries.length + this.lastEntries.length;
  }

  /**
   * Runs every pending cleanup, newest first; ends and waits for the processes still running; then
   * the last cleanups. A failing one is reported and the rest still run. Cleanups added meanwhile
   * (the interrupted code may still be unwinding) are run too. Concurrent calls share one pass.
   */
  runAll(report: (message: string) => void = (message) => process.stderr.write(`${message}\n`)): Promise<void> {
    this.draining ??= this.drain(report).finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drain(report: (message: string) => void): Promise<void> {
    const unkillable = new Set<string>();
    for (;;) {
      const entry = this.entries.pop();
      if (entry) {
        await this.runReported(entry, report);
        continue;
      }
      if (liveChildren().some((child) => !unkillable.has(child))) {
        for (const child of await endAllChildren()) {
          if (!unkillable.has(child)) report(`cleanup: ${child} did not exit, even after SIGKILL`);
          unkillable.add(child);
        }
        continue;
      }
      const last = this.lastEntries.pop();
      if (!last) return;
      await this.runReported(last, report);
    }
  }

  private async runReported(entry: Entry, report: (message: string) => void): Promise<void> {
    try {
      await runOnce(entry);
    } catch (error) {
      report(`cleanup: ${entry.label}: ${errorMessage(error)}`);
    }
  }

  private add(list: Entry[], entry: Entry): CleanupHandle {
    list.push(entry);
    const forget = () => {
      const index = list.indexOf(entry);
      if (index >= 0) list.splice(index, 1);
    };
    return {
      run: async () => {
        forget();
        await runOnce(entry);
      },
      dismiss: forget,
    };
  }
}

/** The process-wide stack the CLI's signal handlers drain. */
export const cleanups = new CleanupStack();

let interrupted: NodeJS.Signals | undefined;

/** The signal that interrupted the run, if one did; long loops check it between phases. */
export function interruption(): NodeJS.Signals | undefined {
  return interrupted;
}

/** Thrown where work would start after a signal: the interrupted code unwinds instead of starting more. */
export class Interrupted extends Error {
  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

export function throwIfInterrupted(): void {
  if (interrupted) throw new Interrupted(interrupted);
}

/**
 * On SIGINT, SIGTERM or SIGHUP: stop starting new work, remove everything this process made, wait for
 * every process it started to exit, then exit with 128 + signal number as shells expect. A second
 * signal during cleanup is ignored, not fatal, because dying half-way would leave mounts behind.
 */
export function installSignalCleanup(onSignal: (signal: NodeJS.Signals) => void = () => {}): void {
  const codes: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
  const handler = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = signal;
    onSignal(signal);
    process.stderr.write(`\n${signal}: stopping; removing mounts and processes…\n`);
    void cleanups.runAll().finally(() => process.exit(codes[signal]));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
}
