/**
 * A daemon killed mid-run is data, not a crash: the real CLI runs fuse and bind, we SIGKILL the fuse
 * daemon while fio reads through it, and the run goes on: the fuse record failed (naming the daemon),
 * the bind record completed, nothing left mounted, and the exit status 1 names the failed cell (a
 * partial run is not a success unless --keep-going says so).
 */
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunRecordSchema } from '../../bench/results/schema.js';
import { readMounts, sleep } from '../../bench/system.js';
import { cli } from '../helpers/cli.js';
import { missingRootOrFio, skipUnless } from '../helpers/kernel.js';
import { backendUnavailable } from '../helpers/mounts.js';

const SCRATCH = '/tmp/fb-conformance';
const PROFILE = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'killed-daemon.yaml');
const missing = missingRootOrFio() ?? (await backendUnavailable('fuse'));

function processesWhoseArgs(test: (args: string[]) => boolean): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'));
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await sleep(50);
  }
  return undefined;
}

describe.skipIf(skipUnless(missing))('a fuse daemon killed mid-run', () => {
  it('fails its cell with a reason naming the daemon, leaves no mount, and the run goes on, exiting 1 with the cell named', { timeout: 90_000 }, async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'fb-conformance-killed-'));
    const child = cli(['run', '--profile', PROFILE, '--out', out], { env: { FUSEBENCH_SCRATCH: SCRATCH } });
    let output = '';
    const fuseCellStarted = new Promise<void>((resolve) => {
      child.all!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/\[\d\/2\] fuse · seqread-64m/.test(output)) resolve();
      });
    });
    await Promise.race([fuseCellStarted, child]);
    const ourDaemon = (args: string[]) => /fusebench-daemon/.test(args[0] ?? '') && args.some((arg) => arg.startsWith(`${SCRATCH}/run-`));
    const daemonPid = await waitFor(() => processesWhoseArgs(ourDaemon)[0], 20_000);
    expect(daemonPid, `no fusebench-daemon with ${SCRATCH} in its args appeared; output:\n${output}`).toBeDefined();
    // Kill it while fio reads through the mount (fio's job file lives in the run's scratch dir).
    await waitFor(() => processesWhoseArgs((args) => args[0] === 'fio' && args.some((arg) => arg.startsWith(`${SCRATCH}/run-`)))[0], 20_000);
    await sleep(500);
    process.kill(daemonPid!, 'SIGKILL');

    const result = await child;
    expect(result.exitCode, result.all).toBe(1);
    expect(result.all).toMatch(/some cells failed[^\n]*\n\s+fuse · seqread-64m: 1 failed run/);
    const records = readFileSync(path.join(out, 'runs.jsonl'), 'utf8').trim().split('\n').map((line) => RunRecordSchema.parse(JSON.parse(line)));
    const fuse = records.find((record) => record.backend === 'fuse');
    const bind = records.find((record) => record.backend === 'bind');
    expect(fuse?.state, result.all).toBe('failed');
    expect(fuse?.state === 'failed' ? fuse.reason : '').toMatch(/daemon/);
    expect(fuse?.state === 'failed' ? fuse.reason : '').toMatch(/SIGKILL/);
    if (fuse?.state === 'failed') console.info(`fuse record: ${fuse.reason}`);
    expect(bind?.state, result.all).toBe('completed');
    expect(readMounts().filter((entry) => entry.mountpoint.startsWith(`${SCRATCH}/`))).toEqual([]);
    expect(processesWhoseArgs(ourDaemon)).toEqual([]);
    expect(existsSync(path.join(SCRATCH, 'lock'))).toBe(false);
  });
});
