/** What a result needs to be reproduced and trusted: the machine, kernel, tools and exact command. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { execa } from 'execa';
import { cgroupSupport, describeCgroupSupport } from './cgroups.js';
import { trackChild } from './processes.js';
import type { LoadedProfile } from './profiles.js';
import { SUITE_ROOT } from './suite-root.js';
import { AccelSchema, type Accel, type Environment } from './results/schema.js';


function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

async function gitFacts(): Promise<{ commit: string; dirty: boolean }> {
  const commit = await trackChild(execa('git', ['rev-parse', 'HEAD'], { cwd: SUITE_ROOT, reject: false, stdin: 'ignore' }), 'git');
  const status = await trackChild(execa('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: SUITE_ROOT, reject: false, stdin: 'ignore' }), 'git');
  return { commit: commit.failed ? 'unknown' : String(commit.stdout).trim(), dirty: !status.failed && String(status.stdout).trim() !== '' };
}

/** Inside a guest the VM runner says how it booted us, and why; natively there is nothing to say. */
export function accelFromEnvironment(): { accel: Accel; accelReason?: string; vm?: Record<string, unknown> } {
  const accel = AccelSchema.safeParse(process.env.FUSEBENCH_ACCEL ?? 'native');
  let vm: Record<string, unknown> | undefined;
  try {
    vm = process.env.FUSEBENCH_VM ? (JSON.parse(process.env.FUSEBENCH_VM) as Record<string, unknown>) : undefined;
  } catch {
    vm = { raw: process.env.FUSEBENCH_VM };
  }
  const accelReason = process.env.FUSEBENCH_ACCEL_REASON;
  return { accel: accel.success ? accel.data : 'native', ...(accelReason ? { accelReason } : {}), vm };
}

/** The command as a user would type it again. */
export function reproduceCommand(argv: readonly string[]): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  return `npm run bench -- ${argv.map(quote).join(' ')}`.trim();
}

export async function collectEnvironment(loaded: LoadedProfile, options: { seed: number; argv: readonly string[]; fioVersion: string; resolvedProfile: unknown }): Promise<Environment> {
  const git = await gitFacts();
  const { accel, accelReason, vm } = accelFromEnvironment();
  return {
    kernelRelease: os.release(),
    kernelVersion: os.version(),
    cpuModel: cpuModel(),
    cpuCount: os.cpus().length,
    memoryMiB: Math.round(os.totalmem() / 1024 / 1024),
    fioVersion: options.fioVersion,
    nodeVersion: process.version,
    hostname: os.hostname(),
    suiteCommit: git.commit,
    suiteDirty: git.dirty,
    commandLine: reproduceCommand(options.argv),
    profileName: loaded.profile.name,
    profileHash: loaded.hash,
    profileText: loaded.text,
    resolvedProfile: options.resolvedProfile,
    seed: options.seed,
    accel,
    ...(accelReason === undefined ? {} : { accelReason }),
    vm,
    daemonAccounting: describeCgroupSupport(cgroupSupport()),
    backends: {},
    startedAt: new Date().toISOString(),
  };
}
