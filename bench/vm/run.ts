/**
 * Runs a command, or the whole suite, inside a QEMU guest booted from a given kernel, with the host
 * root shared read-only and the output dir shared writable. This file checks the request and shapes
 * the result; the boot itself is attempt.ts (one boot), fallback.ts (KVM, then TCG), boot.ts (qemu
 * and its console), and its cleanup is on the suite's one cleanup stack.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { chooseAccel, type AccelChoice } from './accel.js';
import { attemptBoot } from './attempt.js';
import { consoleTail } from './console.js';
import { bootWithFallback } from './fallback.js';
import { readGuestStdout } from './guest-files.js';
import { suiteCommand, suiteProgram } from './guest-job.js';
import { checkoutRoot } from './initramfs.js';
import { checkKernelBeforeBoot } from './kernel-config.js';
import { resolveGuestModules } from './modules.js';
import { qemuBinary, qemuVersion, type GuestAccel } from './qemu.js';

export interface GuestOptions {
  /** bzImage / vmlinuz to boot. */
  kernel: string;
  /** Extra initramfs loaded before the runner's own (modules, firmware); our /init wins. */
  initrd?: string;
  /** lib/modules/<release> of the kernel, when virtio/9p/FUSE are modules. */
  modules?: string;
  memoryMiB?: number;
  cpus?: number;
  /** Host dir shared writable at the same absolute path in the guest; vm-console.log goes here. */
  outDir: string;
  /** Seconds the whole guest may take, or per accelerator (default 600). */
  timeoutSeconds?: number | Record<GuestAccel, number>;
  /** The accelerator to try first instead of asking the probe; a kvm that is not forced still falls back to tcg. */
  accel?: AccelChoice;
  /** Seconds until the runner's init must have printed its first marker (default 60 KVM, 240 TCG). */
  bootTimeoutSeconds?: number;
  /** Receives status lines and the guest console, line by line. Default: stderr. */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface RunInGuestOptions extends GuestOptions {
  /** argv run in the chroot of the host root, as root. */
  command: string[];
  /** Working directory in the chroot (default: this checkout). */
  cwd?: string;
  env?: Record<string, string>;
  /** Redirect the command's stdout to this file; must be inside outDir. Read back into `stdout`. */
  stdoutFile?: string;
  /**
   * TypeScript entries of this checkout (e.g. "bench/cli.ts") bundled on the host; the command runs one
   * as `node <guestProgram(entry)>`, which starts in seconds under TCG where tsx takes half a minute.
   */
  programs?: readonly string[];
}

export interface GuestResult {
  exitCode: number;
  accel: GuestAccel;
  /** Why that accelerator, in one line (the probe's verdict, the force, or the fallback). */
  accelReason: string;
  /** Path of the console log, `<outDir>/vm-console.log`. */
  consoleLog: string;
  /** `uname -r` as the guest reported it. */
  kernelRelease: string;
  qemuVersion: string;
  /** Seconds from qemu start to the runner's init running. */
  bootSeconds: number;
  elapsedSeconds: number;
  stdout?: string;
}

/** Boots the kernel, runs `command` in a chroot of the host root, and returns its exit code. */
export async function runInGuest(opts: RunInGuestOptions): Promise<GuestResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const kernel = resolve(opts.kernel);
  const modules = opts.modules === undefined ? undefined : resolve(opts.modules);
  const initrd = opts.initrd === undefined ? undefined : resolve(opts.initrd);
  const outDir = resolve(opts.outDir);

  if (modules !== undefined && !existsSync(modules)) throw new UserError(`modules dir ${modules} does not exist`);
  if (initrd !== undefined && !existsSync(initrd)) throw new UserError(`initrd ${initrd} does not exist`);
  if (opts.stdoutFile !== undefined && !resolve(opts.stdoutFile).startsWith(`${outDir}/`)) {
    throw new UserError(`stdoutFile ${opts.stdoutFile} must be inside outDir ${outDir}`);
  }
  checkKernelBeforeBoot(kernel, modules, initrd);
  let version: string;
  try {
    version = qemuVersion();
  } catch (error) {
    throw new UserError(`cannot run ${qemuBinary}`, 'apt-get install qemu-system-x86', { cause: error });
  }

  mkdirSync(outDir, { recursive: true });
  const consoleLog = join(outDir, 'vm-console.log');
  const plan = {
    kernel, initrd, modules, outDir, consoleLog, log,
    cpus: opts.cpus ?? 2,
    memoryMiB: opts.memoryMiB ?? 4096,
    qemuVersion: version,
    guestModules: modules === undefined ? undefined : resolveGuestModules(modules).modules,
    run: { command: opts.command, cwd: opts.cwd ?? checkoutRoot, env: opts.env, stdoutFile: opts.stdoutFile, programs: opts.programs },
    timeoutSeconds: (accel: GuestAccel): number => {
      const timeout = opts.timeoutSeconds ?? 600;
      return typeof timeout === 'number' ? timeout : timeout[accel];
    },
    bootTimeoutSeconds: opts.bootTimeoutSeconds,
    signal: opts.signal,
  };

  const { choice, boot } = await bootWithFallback(opts.accel ?? (await chooseAccel()), (accel) => attemptBoot(plan, accel), log);
  const { outcome, exitCode } = boot;
  if (exitCode === undefined || Number.isNaN(exitCode)) {
    throw new UserError(
      `guest failed: ${outcome.problem ?? 'it stopped without reporting an exit code'}\nconsole tail (${consoleLog}):\n${consoleTail(outcome.lines)}`,
      outcome.hint,
    );
  }
  log(`vm: guest ${outcome.kernelRelease} exited ${exitCode} after ${outcome.elapsedSeconds.toFixed(1)} s (boot ${outcome.bootSeconds.toFixed(1)} s)`);
  const result: GuestResult = {
    exitCode, accel: choice.accel, accelReason: choice.reason, consoleLog, kernelRelease: outcome.kernelRelease, qemuVersion: version,
    bootSeconds: outcome.bootSeconds, elapsedSeconds: outcome.elapsedSeconds,
  };
  const stdout = readGuestStdout(opts.stdoutFile);
  if (stdout !== undefined) result.stdout = stdout;
  return result;
}

export interface RunSuiteInGuestOptions extends Omit<GuestOptions, 'bootTimeoutSeconds'> {
  /** argv of bench/cli.ts in the guest. */
  suiteArgs: string[];
}

/**
 * Runs `bench/cli.ts ...suiteArgs` of this checkout in the guest (same Node, fio and daemon build
 * through the read-only host root). The results land in outDir through the writable share.
 */
export async function runSuiteInGuest(opts: RunSuiteInGuestOptions): Promise<Omit<GuestResult, 'qemuVersion' | 'stdout'>> {
  const { suiteArgs, ...guest } = opts;
  const result = await runInGuest({
    ...guest,
    // TCG runs Node and fio 10-30x slower, hence the longer default.
    timeoutSeconds: opts.timeoutSeconds ?? { kvm: 900, tcg: 2700 },
    command: suiteCommand(suiteArgs),
    programs: [suiteProgram],
    cwd: checkoutRoot,
  });
  const { exitCode, accel, accelReason, consoleLog, kernelRelease, bootSeconds, elapsedSeconds } = result;
  return { exitCode, accel, accelReason, consoleLog, kernelRelease, bootSeconds, elapsedSeconds };
}
