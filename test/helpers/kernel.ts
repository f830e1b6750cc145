/**
 * Tests that need a kernel feature skip with the reason when it is missing, except under
 * REQUIRE_KERNEL=1 (CI), where a missing feature is a failure: CI must not pass by skipping.
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export const requireKernel = process.env.REQUIRE_KERNEL === '1';

/** Returns the reason the feature is missing, or undefined when present. */
export function missingRootOrFio(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (mounts)';
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse';
  try {
    execFileSync('fio', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'fio is not installed (npm run setup)';
  }
  return undefined;
}

/**
 * For describe.skipIf: true means skip. Under REQUIRE_KERNEL=1 a missing feature throws at collection,
 * so the test run fails with the reason instead of skipping.
 */
export function skipUnless(missing: string | undefined): boolean {
  if (missing === undefined) return false;
  if (requireKernel) throw new Error(`REQUIRE_KERNEL=1 but ${missing}`);
  console.warn(`skipping: ${missing}`);
  return true;
}
