/**
 * What the guest runs, as argv and environment: the job the initramfs hands to the chroot of the
 * host root, and for `run --kernel`, the suite's own argv with the options that only pick the guest
 * taken out.
 */
import { dirname, resolve } from 'node:path';
import type { AccelChoice } from './accel.js';
import { guestProgram } from './guest-programs.js';
import type { JobSpec } from './initramfs.js';

/** The suite's scratch root inside the guest (a fresh tmpfs there). */
export const guestScratch = '/tmp/fusebench';

export interface GuestCommand {
  /** argv run in the chroot of the host root, as root. */
  command: string[];
  cwd: string;
  env?: Record<string, string> | undefined;
  /** Redirect the command's stdout to this file, in the output share. */
  stdoutFile?: string | undefined;
  /** TypeScript entries of this checkout to bundle for the guest, found there at guestProgram(entry). */
  programs?: readonly string[] | undefined;
}

/** How the guest was booted, as FUSEBENCH_VM tells the suite inside (its release is filled in there). */
export interface GuestBootFacts {
  kernel: string;
  initrd?: string | undefined;
  modules?: string | undefined;
  cpus: number;
  memoryMiB: number;
  qemuVersion: string;
}

/** The job for one boot under `choice`: the command with the guest's environment and FUSEBENCH_VM. */
export function guestJob(run: GuestCommand, facts: GuestBootFacts, choice: AccelChoice): JobSpec {
  const { kernel, initrd, modules, cpus, memoryMiB } = facts;
  const vmJson = JSON.stringify({
    kernel, kernelRelease: '@@RELEASE@@', accel: choice.accel, cpus, memoryMiB, qemu: facts.qemuVersion, share: '9p',
    ...(initrd === undefined ? {} : { initrd }), ...(modules === undefined ? {} : { modules }),
  });
  return {
    command: run.command,
    cwd: run.cwd,
    vmJsonTemplate: vmJson,
    ...(run.stdoutFile === undefined ? {} : { stdoutFile: resolve(run.stdoutFile) }),
    env: {
      PATH: `${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      HOME: '/tmp/fusebench-home',
      TMPDIR: '/tmp',
      LANG: 'C.UTF-8',
      FUSEBENCH_ACCEL: choice.accel,
      FUSEBENCH_ACCEL_REASON: choice.reason,
      FUSEBENCH_SCRATCH: guestScratch,
      ...run.env,
    },
  };
}

/** The suite's CLI, as the guest program that suiteCommand runs. */
export const suiteProgram = 'bench/cli.ts';

/** bench/cli.ts with `suiteArgs`, run by this Node from its bundle (see guest-programs.ts), as the guest's command. */
export function suiteCommand(suiteArgs: readonly string[]): string[] {
  return [process.execPath, guestProgram(suiteProgram), ...suiteArgs];
}

/** Options of `bench run` that pick the guest, not the suite; they are not passed into the guest. */
const guestOnlyOptions = ['--kernel', '--initrd', '--modules', '--vm-memory', '--vm-cpus', '--vm-timeout'];

/**
 * The argv for bench/cli.ts inside the guest: the host's `run` argv without the guest options, and
 * with `--out` made absolute (the guest mounts the output share at the same absolute path).
 */
export function suiteArgsForGuest(argv: readonly string[], outDir: string): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const name = arg.split('=')[0] ?? arg;
    if (guestOnlyOptions.includes(name) || name === '--out' || name === '-o') {
      if (!arg.includes('=')) i++;
      continue;
    }
    args.push(arg);
  }
  return [...args, '--out', resolve(outDir)];
}
