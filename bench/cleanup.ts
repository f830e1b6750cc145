/**
 * Cleanup registered the moment a resource exists. Every mount, process and tracefs instance the suite
 * makes pushes its undo here; the runner pops them as it finishes with each, and a signal or an error
 * runs whatever is left, newest first.
 */
import { errorMessage } from './errors.js';

export interface CleanupHandle {
  /** Run this cleanup now (once) and forget it. */
  run(): Promise<void>;
  /** Forget this cleanup without running it (the resource was released another way). */
  dismiss(): void;
}

interface Entry {
  label: string;
  action: () => Promise<void> | void;
}

export class CleanupStack {
  private entries: Entry[] = [];

  push(label: string, action: () => Promise<void> | void): CleanupHandle {
    const entry: Entry = { label, action };
    this.entries.push(entry);
    let done = false;
    return {
      run: async () => {
        if (done) return;
        done = true;
        this.remove(entry);
        await action();
      },
      dismiss: () => {
        done = true;
        this.remove(entry);
      },
    };
  }

  get size(): number {
    return this.entries.length;
  }

  /** Runs every pending cleanup, newest first; a failing one is reported and the rest still run. */
  async runAll(report: (message: string) => void = (message) => process.stderr.write(`${message}\n`)): Promise<void> {
    while (this.entries.length > 0) {
      const entry = this.entries.pop()!;
      try {
        await entry.action();
      } catch (error) {
        report(`cleanup: ${entry.label}: ${errorMessage(error)}`);
      }
    }
  }

  private remove(entry: Entry): void {
    const index = this.entries.indexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
  }
}

/** The process-wide stack the CLI's signal handlers drain. */
export const cleanups = new CleanupStack();

let interrupted: NodeJS.Signals | undefined;

/** The signal that interrupted the run, if one did; long loops check it between phases. */
export function interruption(): NodeJS.Signals | undefined {
  return interrupted;
}

/**
 * On SIGINT or SIGTERM: stop starting new work, remove everything this process made, then exit with
 * 128 + signal number as shells expect. A second signal during cleanup is ignored, not fatal, because
 * dying half-way would leave mounts behind.
 */
export function installSignalCleanup(onSignal: (signal: NodeJS.Signals) => void = () => {}): void {
  const handler = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = signal;
    onSignal(signal);
    process.stderr.write(`\n${signal}: stopping; removing mounts and processes…\n`);
    void cleanups.runAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
}
