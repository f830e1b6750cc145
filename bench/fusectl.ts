/**
 * fusectl (/sys/fs/fuse/connections): one directory per FUSE connection, by device minor. The suite
 * mounts it when needed (it is not mounted at boot here), to abort a hung connection and to read how
 * many requests are waiting.
 */
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { readMounts, run } from './system.js';

export const FUSECTL_DIR = '/sys/fs/fuse/connections';

export async function ensureFusectl(): Promise<boolean> {
  if (readMounts().some((entry) => entry.fsType === 'fusectl')) return true;
  if (!existsSync(FUSECTL_DIR)) return false;
  try {
    await run('mount', ['-t', 'fusectl', 'none', FUSECTL_DIR], 'mounting fusectl');
    return true;
  } catch {
    return false;
  }
}

/** Writes to fusectl's abort file, which fails every pending and future request of the connection. */
export async function abortFuseConnection(device: string): Promise<void> {
  const minor = device.split(':')[1];
  if (!minor || !(await ensureFusectl())) return;
  const abortFile = path.join(FUSECTL_DIR, minor, 'abort');
  try {
    appendFileSync(abortFile, '1');
  } catch {
    /* connection already gone */
  }
}
