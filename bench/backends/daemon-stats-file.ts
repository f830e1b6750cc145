/**
 * Our daemon's stats file: per-opcode counters written as JSON on SIGUSR1, to FILE.tmp and then renamed
 * over FILE. The protocol lives beside the daemon backend that starts the daemon; the daemon-stats
 * collector (bench/collect/) reads it through here, so collect depends on backends and never the reverse.
 */
import { readFileSync, statSync } from 'node:fs';
import { sleep } from '../system.js';

export interface OpCounter {
  count: number;
  totalNs: number;
}

export interface DaemonStats {
  mode?: string;
  passthroughAbi?: string | null;
  pid?: number;
  threads?: number;
  init?: Record<string, number>;
  ops: Record<string, OpCounter>;
}

export function parseDaemonStats(text: string): DaemonStats {
  const parsed = JSON.parse(text) as Partial<DaemonStats>;
  if (!parsed || typeof parsed !== 'object' || !parsed.ops || typeof parsed.ops !== 'object') throw new Error('daemon stats: no "ops" object');
  return { ...parsed, ops: parsed.ops } as DaemonStats;
}

function inodeOf(file: string): number | undefined {
  try {
    return statSync(file).ino;
  } catch {
    return undefined;
  }
}

/**
 * SIGUSR1, then wait for the rename: a new inode at FILE (the .tmp file renamed over it), which a
 * write in place could not give, so a half-written file is never read.
 */
export async function requestDaemonStats(pid: number, file: string, timeoutMs = 5000): Promise<DaemonStats> {
  const before = inodeOf(file);
  process.kill(pid, 'SIGUSR1');
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const now = inodeOf(file);
    if (now !== undefined && now !== before) {
      try {
        return parseDaemonStats(readFileSync(file, 'utf8'));
      } catch (error) {
        lastError = error;
      }
    }
    await sleep(5);
  }
  throw new Error(`daemon ${pid} did not write ${file} within ${timeoutMs / 1000} s of SIGUSR1${lastError ? ` (${String(lastError)})` : ''}`);
}

