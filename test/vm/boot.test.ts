/**
 * The guest's cleanup is on the suite's one stack: draining it (what a signal or an error does) ends
 * a running qemu by its pid and removes the boot's files. A shell script stands in for qemu: what is
 * tested is the code around the process, not QEMU.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const work = mkdtempSync(join(tmpdir(), 'fusebench-boot-'));
const fakeQemu = join(work, 'qemu');
// Prints the runner's boot marker, records its pid, then idles like a guest that never powers off.
writeFileSync(fakeQemu, `#!/bin/sh\necho $$ > ${work}/pid\necho "FUSEBENCH_BOOTED_n0nce 6.1.0-test"\nexec sleep 600\n`);
chmodSync(fakeQemu, 0o755);
process.env.FUSEBENCH_QEMU = fakeQemu;
const { boot } = await import('../../bench/vm/boot.js');
const { guestFiles } = await import('../../bench/vm/guest-files.js');
const { cleanups } = await import('../../bench/cleanup.js');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a guest on the cleanup stack', () => {
  it('is ended by its pid and its files removed when the stack drains', async () => {
    const files = guestFiles(work, 'n0nce');
    writeFileSync(files.exitFile, '0\n');
    const lines: string[] = [];
    const running = boot([], { consoleLog: join(work, 'console.log'), nonce: 'n0nce', timeoutSeconds: 600, bootTimeoutSeconds: 600, log: (line) => lines.push(line) });
    while (!lines.some((line) => line.includes('running the runner'))) await new Promise((resolve) => setTimeout(resolve, 20));
    const pid = Number(readFileSync(join(work, 'pid'), 'utf8'));
    expect(alive(pid)).toBe(true);
    expect(cleanups.size).toBe(2);

    await cleanups.runAll();
    expect(alive(pid)).toBe(false);
    expect(existsSync(files.dir)).toBe(false);
    expect(existsSync(files.exitFile)).toBe(false);
    const outcome = await running;
    expect(outcome).toMatchObject({ kernelRelease: '6.1.0-test', stoppedByRunner: true, problem: 'interrupted; qemu killed' });
    expect(outcome.qemuExit?.signal).toBe('SIGKILL');
  });

  it('leaves nothing on the stack once qemu has exited by itself', async () => {
    writeFileSync(fakeQemu, '#!/bin/sh\necho "FUSEBENCH_EXIT_n0nce 3"\n');
    const outcome = await boot([], { consoleLog: join(work, 'console.log'), nonce: 'n0nce', timeoutSeconds: 600, bootTimeoutSeconds: 600, log: () => {} });
    expect(outcome.exitCode).toBe(3);
    expect(cleanups.size).toBe(0);
  });
});
