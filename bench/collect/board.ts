/**
 * How the daemon-stats collector gets the trace collector's request counts for the same run, without
 * the runner knowing either: both are made by defaultCollectors() with one board, the trace session
 * posts a promise of its counts keyed by the Mount object the runner hands to every collector, and
 * the daemon-stats session awaits it in stop(). A WeakMap, so finished runs leave nothing behind.
 */
import type { Mount } from '../backends/types.js';

export type RequestCounts = Record<string, number>;

export class RequestCountsBoard {
  private readonly posted = new WeakMap<Mount, Promise<RequestCounts | undefined>>();

  /** Called in the trace session's start(); resolve with the counts (undefined if tracing failed). */
  post(mount: Mount): (counts: RequestCounts | undefined) => void {
    let resolve!: (counts: RequestCounts | undefined) => void;
    this.posted.set(mount, new Promise((done) => (resolve = done)));
    return resolve;
  }

  /** The traced counts for this mount, or undefined when no trace session runs for it. */
  async wait(mount: Mount, timeoutMs = 60_000): Promise<RequestCounts | undefined> {
    const counts = this.posted.get(mount);
    if (!counts) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    try {
      return await Promise.race([counts, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
