/**
 * Progress on stderr: which cell runs, how many are done, and the time left, estimated from the runs
 * so far. Plain lines, so logs of CI and of a guest's console read as well as a terminal.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export class Progress {
  private done = 0;
  private readonly started = Date.now();

  constructor(
    private total: number,
    /** Seconds one run is expected to take before any has finished (runtime + ramp + mount). */
    private readonly expectedRunSeconds: number,
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  /** Adaptive repetition can add runs as it goes. */
  grow(extra: number): void {
    this.total += extra;
  }

  etaSeconds(): number {
    const perRun = this.done === 0 ? this.expectedRunSeconds : (Date.now() - this.started) / 1000 / this.done;
    return perRun * (this.total - this.done);
  }

  starting(label: string): void {
    this.write(`[${this.done + 1}/${this.total}] ${label} … (about ${formatDuration(this.etaSeconds())} left)`);
  }

  finished(result: string): void {
    this.done++;
    this.write(`        ${result}`);
  }

  note(line: string): void {
    this.write(line);
  }
}
