/**
 * `npm run doctor`: what this kernel and machine can run, one row per backend, with the facts behind
 * each verdict and the commands that turn on what is off. `--json` gives the same data for scripts.
 */
import { registeredBackends } from './backends/registry.js';
import { cgroupSupport, describeCgroupSupport } from './cgroups.js';
import { errorMessage, UserError } from './errors.js';
import { readKernelFacts, type KernelFacts } from './kernel-facts.js';
import { accelVariable, chooseAccel } from './vm/accel.js';
import { qemuBinary, qemuVersion, type GuestAccel } from './vm/qemu.js';

export interface DoctorRow {
  backend: string;
  /** Which path the kernel takes, from the backend itself. */
  label: string;
  kernelRequirement: string;
  supported: boolean;
  reason?: string;
  facts: Record<string, string>;
  howToEnable: string[];
}

export interface DoctorReport {
  kernel: KernelFacts;
  /** Kernel features the suite can use, each with whether it is on and how to turn it on. */
  features: Array<{ feature: string; available: boolean; detail: string; howToEnable: string[] }>;
  backends: DoctorRow[];
  /** How daemons' processes are told apart: their own cgroups, or by pid only, and why. */
  daemonAccounting: string;
  /** How `--kernel` guests would run here: the accelerator and why, or no accelerator and why there are no guests. */
  vm: { accel?: GuestAccel; reason: string };
}

/** Pure: the feature table from the kernel facts. */
export function featureTable(kernel: KernelFacts): DoctorReport['features'] {
  const config = (key: string) => kernel.config[key] ?? 'unknown';
  const uring = kernel.fuseParameters.enable_uring;
  return [
    {
      feature: 'FUSE passthrough (upstream backing files, 6.9+)',
      available: config('CONFIG_FUSE_PASSTHROUGH') === 'y',
      detail: `CONFIG_FUSE_PASSTHROUGH=${config('CONFIG_FUSE_PASSTHROUGH')}`,
      howToEnable: config('CONFIG_FUSE_PASSTHROUGH') === 'y' ? [] : ['build the kernel (6.9 or later) with CONFIG_FUSE_PASSTHROUGH=y'],
    },
    {
      feature: 'FUSE over io_uring (6.14+)',
      available: config('CONFIG_FUSE_IO_URING') === 'y' && uring !== undefined,
      detail: `CONFIG_FUSE_IO_URING=${config('CONFIG_FUSE_IO_URING')}, enable_uring=${uring ?? 'absent'} (the suite sets Y for fuse-uring runs and restores it)`,
      howToEnable: uring === 'N' ? ['echo Y > /sys/module/fuse/parameters/enable_uring'] : uring === undefined ? ['build the kernel (6.14 or later) with CONFIG_FUSE_IO_URING=y'] : [],
    },
    {
      feature: 'FUSE-BPF',
      available: kernel.fuseFeatures.fuse_bpf === 'supported',
      detail: kernel.fuseFeatures.fuse_bpf ? `/sys/fs/fuse/features/fuse_bpf=${kernel.fuseFeatures.fuse_bpf}` : `/sys/fs/fuse/features/fuse_bpf absent; CONFIG_FUSE_BPF=${config('CONFIG_FUSE_BPF')}`,
      howToEnable: kernel.fuseFeatures.fuse_bpf === 'supported' ? [] : ['boot an Android common kernel or a FUSE-BPF build in a guest: npm run bench -- --kernel PATH/bzImage …'],
    },
    ...Object.entries(kernel.tracepoints).map(([tracepoint, present]) => ({
      feature: `tracepoint ${tracepoint}`,
      available: present,
      detail: present ? 'present in tracefs' : 'absent (fuse tracepoints arrived in 6.12; the daemon\'s own counters still count requests)',
      howToEnable: present ? [] : tracepoint.startsWith('fuse') ? ['use a 6.12 or later kernel'] : ['mount -t tracefs nodev /sys/kernel/tracing', 'build with CONFIG_FTRACE_SYSCALLS=y'],
    })),
    {
      feature: 'overlayfs',
      available: config('CONFIG_OVERLAY_FS') === 'y' || config('CONFIG_OVERLAY_FS') === 'm',
      detail: `CONFIG_OVERLAY_FS=${config('CONFIG_OVERLAY_FS')}`,
      howToEnable: ['modprobe overlay'],
    },
    { feature: '/dev/fuse', available: kernel.devFuse, detail: kernel.devFuse ? 'present' : 'absent', howToEnable: kernel.devFuse ? [] : ['modprobe fuse'] },
  ];
}

export async function runDoctor(): Promise<DoctorReport> {
  const kernel = await readKernelFacts();
  const rows: DoctorRow[] = [];
  for (const backend of registeredBackends) {
    const probe = await backend.probe();
    const identity = { backend: backend.name, label: backend.label, kernelRequirement: backend.kernelRequirement };
    rows.push(
      probe.supported
        ? { ...identity, supported: true, facts: probe.facts, howToEnable: [] }
        : { ...identity, supported: false, reason: probe.reason, facts: probe.facts, howToEnable: probe.howToEnable ?? [] },
    );
  }
  return { kernel, features: featureTable(kernel), backends: rows, daemonAccounting: describeCgroupSupport(cgroupSupport()), vm: await guestAccel() };
}

async function guestAccel(): Promise<DoctorReport['vm']> {
  try {
    qemuVersion();
  } catch {
    return { reason: `${qemuBinary} cannot run (apt-get install qemu-system-x86)` };
  }
  try {
    const { accel, reason } = await chooseAccel();
    return { accel, reason };
  } catch (error) {
    // A bad FUSEBENCH_VM_ACCEL is the user's to fix; a machine the probe cannot run on is a finding.
    if (error instanceof UserError) throw error;
    return { reason: `cannot probe the accelerator: ${errorMessage(error)}` };
  }
}

export function formatDoctor(report: DoctorReport): string {
  const lines = [`kernel ${report.kernel.release}${report.kernel.configSource ? ` (config from ${report.kernel.configSource})` : ' (no kernel config readable)'}`, ''];
  lines.push('backends:');
  const width = Math.max(...report.backends.map((row) => row.backend.length));
  for (const row of report.backends) {
    const facts = Object.entries(row.facts).map(([key, value]) => `${key}=${value}`).join(', ');
    lines.push(`  ${row.backend.padEnd(width)}  ${row.supported ? 'supported' : `unsupported: ${row.reason}`}${facts ? `  [${facts}]` : ''}`);
    lines.push(`  ${''.padEnd(width)}    ${row.label}; needs ${row.kernelRequirement}`);
    for (const step of row.howToEnable) lines.push(`  ${''.padEnd(width)}    to enable: ${step}`);
  }
  lines.push('', 'kernel features:');
  for (const feature of report.features) {
    lines.push(`  ${feature.available ? 'yes' : 'no '}  ${feature.feature}: ${feature.detail}`);
    for (const step of feature.howToEnable) if (!feature.available || step.startsWith('echo')) lines.push(`         to enable: ${step}`);
  }
  lines.push('', 'daemons:', `  ${report.daemonAccounting}`);
  lines.push('', 'VM guests (--kernel):');
  const { accel, reason } = report.vm;
  lines.push(accel === undefined ? `  none: ${reason}` : `  ${accel}${accel === 'tcg' ? ' (emulated: timings are functional evidence only)' : ''}: ${reason}`);
  lines.push(`  force either with ${accelVariable}=kvm or ${accelVariable}=tcg`);
  const params = Object.entries(report.kernel.fuseParameters).map(([key, value]) => `${key}=${value}`).join(', ');
  if (params) lines.push('', `fuse module parameters: ${params}`);
  return `${lines.join('\n')}\n`;
}
