import { execFileSync } from 'node:child_process';
import type { Accel } from '../results/schema.js';

/** How a guest is run: the result schema's accelerators minus `native`. */
export type GuestAccel = Exclude<Accel, 'native'>;

export const qemuBinary = process.env.FUSEBENCH_QEMU ?? 'qemu-system-x86_64';

/** "7.2.22", or throws when qemu is not installed. */
export function qemuVersion(): string {
  const out = execFileSync(qemuBinary, ['--version'], { encoding: 'utf8' });
  return /version\s+(\S+)/.exec(out)?.[1] ?? out.split('\n')[0] ?? 'unknown';
}

export interface QemuPlan {
  accel: GuestAccel;
  kernel: string;
  initrd: string;
  cpus: number;
  memoryMiB: number;
  /** Host dir shared writable as tag fusebench_out; none when undefined. */
  outDir?: string;
  cmdline: string;
}

/** The accelerator and CPU model options; the KVM test guest gets exactly what real runs get. */
export function accelArgs(accel: GuestAccel): string[] {
  return accel === 'kvm'
    ? ['-accel', 'kvm', '-cpu', 'host']
    // Under TCG, AVX and AVX2 are left out: QEMU 7.2 emulates them for the first time, and with them
    // Node segfaulted at start-up in about one guest boot in three here; glibc and V8 then take their
    // SSE code paths, which TCG has emulated for years.
    // One host thread for all vCPUs under TCG: with multi-threaded TCG, Node segfaulted at start-up in
    // 5 of 12 starts (4 boots of the 6.1 guest, QEMU 7.2) and in 0 of 12 with thread=single. Slower,
    // but TCG results are functional evidence, not timing, anyway.
    : ['-accel', 'tcg,thread=single', '-cpu', 'max'];
}

/** qemu's option syntax doubles a comma inside a value. */
const optionValue = (value: string): string => value.replaceAll(',', ',,');

export function qemuArgs(plan: QemuPlan): string[] {
  const args = [
    ...accelArgs(plan.accel),
    '-smp', String(plan.cpus),
    '-m', String(plan.memoryMiB),
    // No default NIC, VGA or monitor: the serial port on stdio is the only channel besides the shares.
    '-nodefaults', '-display', 'none', '-serial', 'stdio', '-no-reboot',
    '-kernel', plan.kernel,
    '-initrd', plan.initrd,
    '-append', plan.cmdline,
    // multidevs=remap: the host root spans several file systems; without it inode numbers can collide.
    '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
  ];
  if (plan.outDir !== undefined) {
    args.push('-virtfs', `local,path=${optionValue(plan.outDir)},mount_tag=fusebench_out,security_model=none,multidevs=remap`);
  }
  return args;
}
