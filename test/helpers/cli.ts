/** Runs the real CLI in a child process, as a user would. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURE_PROFILES = path.join(ROOT, 'test', 'fixtures', 'profiles');

export function cli(args: string[], options: { env?: Record<string, string> } = {}): ResultPromise<{ reject: false; cwd: string; all: true }> {
  return execa(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'bench', 'cli.ts'), ...args], {
    reject: false,
    cwd: ROOT,
    all: true,
    env: options.env,
  } as { reject: false; cwd: string; all: true });
}
