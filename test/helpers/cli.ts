/** Runs the real CLI in a child process, as a user would. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURE_PROFILES = path.join(ROOT, 'test', 'fixtures', 'profiles');

export function cli(args: string[], options: { env?: Record<string, string> } = {}): ResultPromise<{ reject: false; cwd: string; all: true }> {
  return tsNode(path.join(ROOT, 'bench', 'cli.ts'), args, options);
}

/**
 * A TypeScript file run by Node itself with tsx as its loader: one process, which gets our signals.
 * (The tsx binary is a second process that relays a signal and SIGKILLs its child if the child does
 * not acknowledge it within 30 ms, which a busy machine misses: cleanup would never run.)
 */
export function tsNode(script: string, args: string[] = [], options: { env?: Record<string, string> } = {}): ResultPromise<{ reject: false; cwd: string; all: true }> {
  return execa(process.execPath, ['--import', 'tsx', script, ...args], {
    reject: false,
    cwd: ROOT,
    all: true,
    env: options.env,
  } as { reject: false; cwd: string; all: true });
}
