/**
 * Integration: infra/ci/nightly.sh twice against a temporary history, for real (bind mounts, fio).
 * Needs root (mounts) and the CLI's `compare` command; skipped with the reason otherwise.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const isRoot = process.getuid?.() === 0;
const cliHasCompare = /\.command\(\s*['"]compare\b/.test(readFileSync('bench/cli.ts', 'utf8'));
const history = mkdtempSync(path.join(tmpdir(), 'nightly-test-'));
afterAll(() => rmSync(history, { recursive: true, force: true }));

function nightly(): { status: number | null; output: string } {
  const result = spawnSync(
    'bash',
    ['infra/ci/nightly.sh', '--history', history, '--profile', 'test/fixtures/compare/nightly-tiny.yaml', '--runtime', '1', '--repeat', '3'],
    { encoding: 'utf8', env: { ...process.env, GITHUB_OUTPUT: '' } },
  );
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe.skipIf(!isRoot || !cliHasCompare)(`nightly.sh${isRoot ? '' : ' (needs root)'}${cliHasCompare ? '' : ' (needs `compare` in bench/cli.ts)'}`, () => {
  it('run twice with --history in a temp dir builds a history of 2 runs and a trend page and exits 0', () => {
    const firstRun = nightly();
    expect(firstRun.status, firstRun.output).toBe(0);
    const secondRun = nightly();
    expect(secondRun.status, secondRun.output).toBe(0);

    const runs = readdirSync(history).filter((name) => /^\d{8}T\d{6}Z_[\w.+-]+_\w+$/.test(name)).sort();
    expect(runs).toHaveLength(2);
    expect(readlinkSync(path.join(history, 'latest'))).toBe(runs[1]);
    expect(readlinkSync(path.join(history, 'accepted'))).toBe(runs[1]);
    expect(existsSync(path.join(history, runs[0]!, 'compare'))).toBe(false);
    expect(existsSync(path.join(history, runs[1]!, 'compare', 'compare.json'))).toBe(true);

    const html = readFileSync(path.join(history, 'trend.html'), 'utf8');
    expect(html).toContain('<svg');
    for (const run of runs) expect(html).toContain(run);
    const spec = JSON.parse(readFileSync(path.join(history, 'trend.vl.json'), 'utf8')) as { data: { values: unknown[] } };
    expect(spec.data.values).toHaveLength(2);
  }, 300_000);
});
