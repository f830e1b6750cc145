/**
 * Waits until a FUSE connection has no request outstanding (fusectl's `waiting` reads 0), so that
 * counts taken by different means (tracepoints, the daemon's own counters) cover the same requests:
 * a RELEASE queued by the workload's last close() may still be on its way when the workload exits.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureFusectl, FUSECTL_DIR } from '../fusectl.js';
import { sleep } from '../system.js';

/** Resolves true once idle, false on timeout or when fusectl cannot be read (nothing to wait for). */
export async function waitForIdleConnection(connection: number | undefined, timeoutMs = 2000): Promise<boolean> {
  if (connection === undefined || !(await ensureFusectl())) return false;
  const file = path.join(FUSECTL_DIR, String(connection), 'waiting');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let waiting: number;
    try {
      waiting = Number(readFileSync(file, 'utf8').trim());
    } catch {
      return false;
    }
    if (waiting === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(5);
  }
}
