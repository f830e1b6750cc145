/** The FUSE-BPF test kernel (../shared/kernels/fuse-bpf-6.1, test data never copied into the repo), for guest tests. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkoutRoot } from '../../bench/vm/initramfs.js';
import { qemuVersion } from '../../bench/vm/qemu.js';
import { runInGuest, type GuestResult, type RunInGuestOptions } from '../../bench/vm/run.js';

export const fuseBpfKernel = resolve(checkoutRoot, '..', 'shared', 'kernels', 'fuse-bpf-6.1', 'bzImage');

/** Why a guest on the FUSE-BPF kernel cannot boot here, or undefined when it can. */
export function fuseBpfGuestUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  try {
    qemuVersion();
  } catch {
    return 'qemu-system-x86_64 cannot run (apt-get install qemu-system-x86)';
  }
  return existsSync(fuseBpfKernel) ? undefined : `no test kernel at ${fuseBpfKernel}`;
}

/** Runs a shell script in this checkout inside a quiet 2 GiB guest on the FUSE-BPF kernel, with its files in outDir. */
export function runOnFuseBpfKernel(outDir: string, script: string, extra: Partial<RunInGuestOptions> = {}): Promise<GuestResult> {
  return runInGuest({
    kernel: fuseBpfKernel, outDir, memoryMiB: 2048, timeoutSeconds: 900, cwd: checkoutRoot,
    command: ['sh', '-c', script], log: () => {}, ...extra,
  });
}
