/**
 * One boot of the guest under one accelerator: the initramfs with the job is built in the boot's temp
 * dir, qemu runs with the deadlines that accelerator gets, and the exit code comes back through the
 * output share. The boot's files are gone when it returns (or, on a signal, by the cleanup stack).
 */
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import type { AccelChoice } from './accel.js';
import { boot, type BootOutcome } from './boot.js';
import { guestFiles, readExitFile } from './guest-files.js';
import { guestJob, guestScratch, type GuestBootFacts, type GuestCommand } from './guest-job.js';
import { bundleGuestPrograms } from './guest-programs.js';
import { buildInitramfs } from './initramfs.js';
import { guestModuleNames, installModules, type ResolvedModule } from './modules.js';
import { qemuArgs, type GuestAccel } from './qemu.js';

/**
 * Under KVM a kernel prints on the serial port within a second or two (the decompressor already
 * does); this long without a byte, KVM is not running the guest, and the run retries under TCG.
 */
export const kvmSilenceSeconds = 20;

/** Everything about a guest run that does not depend on the accelerator. */
export interface GuestPlan extends GuestBootFacts {
  outDir: string;
  consoleLog: string;
  /** The modules copied into the initramfs, resolved from `modules`. */
  guestModules?: ResolvedModule[] | undefined;
  run: GuestCommand;
  timeoutSeconds: (accel: GuestAccel) => number;
  bootTimeoutSeconds?: number | undefined;
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
}

export interface Attempt {
  outcome: BootOutcome;
  /** Undefined when the guest never reported one. */
  exitCode: number | undefined;
}

export async function attemptBoot(plan: GuestPlan, choice: AccelChoice): Promise<Attempt> {
  const { accel } = choice;
  const { kernel, initrd, modules, cpus, memoryMiB, outDir, consoleLog, log } = plan;
  if (accel === 'tcg') process.stderr.write(`vm: using TCG emulation (${choice.reason}); timings are functional evidence only\n`);
  const nonce = randomBytes(6).toString('hex');
  const files = guestFiles(outDir, nonce);
  try {
    const release = modules === undefined ? '' : basename(modules);
    const moduleList = plan.guestModules === undefined ? [] : installModules(join(files.dir, 'root'), release, plan.guestModules);
    const programs = await bundleGuestPrograms(plan.run.programs ?? [], join(files.dir, 'programs'));
    const initramfs = buildInitramfs({
      dir: files.dir, nonce, outDir, scratch: guestScratch, moduleList, wantedModules: guestModuleNames, programs,
      ...(initrd === undefined ? {} : { extraInitrd: initrd }),
      job: guestJob(plan.run, plan, choice),
    });
    const args = qemuArgs({
      accel, kernel, initrd: initramfs, cpus, memoryMiB, outDir,
      cmdline: 'console=ttyS0 panic=-1 rdinit=/init',
    });
    log(`vm: booting ${kernel} (${accel}: ${choice.reason}; ${cpus} vCPUs, ${memoryMiB} MiB, qemu ${plan.qemuVersion}); console: ${consoleLog}`);
    const outcome = await boot(args, {
      consoleLog, nonce, log, signal: plan.signal,
      timeoutSeconds: plan.timeoutSeconds(accel),
      bootTimeoutSeconds: plan.bootTimeoutSeconds ?? (accel === 'kvm' ? 60 : 240),
      ...(accel === 'kvm' ? { silenceSeconds: kvmSilenceSeconds } : {}),
    });
    return { outcome, exitCode: readExitFile(files.exitFile) ?? outcome.exitCode };
  } finally {
    await files.remove();
  }
}
