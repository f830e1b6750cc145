/**
 * Boots the FUSE-BPF kernel (../shared/kernels/fuse-bpf-6.1 by default, or argv[2]) with the suite's
 * VM runner and runs bpf-guest.sh in it: `npx tsx infra/daemon/test/bpf-guest.ts [bzImage]`.
 */
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInGuest } from '../../../bench/vm/run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const kernel = process.argv[2] ?? path.resolve(here, '../../../../shared/kernels/fuse-bpf-6.1/bzImage');
const outDir = mkdtempSync('/tmp/fusebench-bpf-guest-');
const result = await runInGuest({
  kernel,
  outDir,
  command: ['bash', path.join(here, 'bpf-guest.sh'), outDir],
  stdoutFile: path.join(outDir, 'stdout.txt'),
  timeoutSeconds: 600,
});
process.stdout.write(result.stdout ?? '');
process.stdout.write(`guest ${result.kernelRelease} (${result.accel}), exit ${result.exitCode}, console log ${result.consoleLog}\n`);
process.exit(result.exitCode);
