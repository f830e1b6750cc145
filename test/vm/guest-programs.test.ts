/**
 * The bundles a guest runs instead of `node --import tsx`: built from this checkout, they must find
 * the checkout's files (profiles, daemon, fsops.py) from wherever the bundle itself lies.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleGuestPrograms, guestProgram } from '../../bench/vm/guest-programs.js';
import { checkoutRoot } from '../../bench/vm/initramfs.js';

const dir = mkdtempSync('/var/tmp/fusebench-guest-programs-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('guest programs', () => {
  it('bundles the CLI into one module that finds profiles in this checkout, from another directory', async () => {
    const [cli] = await bundleGuestPrograms(['bench/cli.ts'], dir);
    expect(cli).toBe(join(dir, 'cli.mjs'));
    const text = readFileSync(cli!, 'utf8');
    // Every module's own URL was written in at build time; none is left to mean the bundle's.
    expect(text).not.toMatch(/\bimport\.meta\b/);
    expect(text).toContain(JSON.stringify(pathToFileURL(join(checkoutRoot, 'bench', 'suite-root.ts')).href));
    const run = spawnSync(process.execPath, [cli!, 'run', '--profile', 'no-such-profile'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`looked for ${join(checkoutRoot, 'profiles', 'no-such-profile.yaml')}`);
  });

  it('names each program after its entry, in the directory init.sh copies them to', () => {
    expect(guestProgram('bench/cli.ts')).toBe('/run/fusebench/cli.mjs');
    expect(guestProgram('test/vm/guest-conformance.ts')).toBe('/run/fusebench/guest-conformance.mjs');
  });

  it('refuses an entry outside the checkout, and two entries that would share a name', async () => {
    await expect(bundleGuestPrograms(['/etc/passwd'], dir)).rejects.toThrow(/guest program \/etc\/passwd is not a path inside this checkout/);
    await expect(bundleGuestPrograms(['../x.ts'], dir)).rejects.toThrow(/not a path inside this checkout/);
    await expect(bundleGuestPrograms(['bench/cli.ts', 'test/cli.ts'], dir)).rejects.toThrow(/two guest programs would both be \/run\/fusebench\/cli\.mjs/);
  });
});
