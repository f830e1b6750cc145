/**
 * One QEMU process: started, its console watched for the runner's markers, and ended by a deadline,
 * an abort, the power-off grace or the suite's cleanup stack (a signal, an error), whichever comes
 * first. What happened comes back as a BootOutcome; deciding what it means is the caller's.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cleanups } from '../cleanup.js';
import { trackChild } from '../processes.js';
import { accelVariable } from './accel.js';
import { ConsoleLines, markerReader, panicOf } from './console.js';
import { qemuBinary } from './qemu.js';

export interface BootOutcome {
  exitCode?: number;
  problem?: string;
  hint?: string;
  kernelRelease: string;
  bootSeconds: number;
  elapsedSeconds: number;
  lines: string[];
  /** Seconds until the guest's first byte on the serial port; unset when it printed nothing. */
  firstOutputSeconds?: number;
  /** Set when the guest printed nothing within the silence deadline and was killed for it. */
  silentSeconds?: number;
  /** The runner, not QEMU itself, ended the guest (a deadline, an abort, the power-off grace, cleanup). */
  stoppedByRunner: boolean;
  qemuExit?: { code: number | null; signal: NodeJS.Signals | null; stderr: string };
}

export interface BootWatch {
  consoleLog: string;
  nonce: string;
  timeoutSeconds: number;
  bootTimeoutSeconds: number;
  /** Deadline for the guest's first byte on the serial port (under KVM only). */
  silenceSeconds?: number;
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
}

/** How long the cleanup stack waits for a SIGKILLed qemu to be gone before going on. */
const killWaitMs = 10_000;

/**
 * Runs qemu, watching the console for the init's markers, with boot and overall deadlines, and with
 * `silenceSeconds` a deadline for the guest's first byte on the serial port.
 */
export function boot(args: string[], watch: BootWatch): Promise<BootOutcome> {
  const started = Date.now();
  const seconds = (): number => (Date.now() - started) / 1000;
  const readMarker = markerReader(watch.nonce);
  const file = createWriteStream(watch.consoleLog);
  let panic: string | undefined;
  let qemuStderr = '';
  let finished = false;
  let onFinished = (): void => {};

  const child = trackChild(spawn(qemuBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] }), 'qemu');
  // On a signal or an error the suite's one cleanup pass ends this qemu (by its pid) and waits for it.
  const cleanup = cleanups.push(`end qemu ${child.pid ?? '(not started)'}`, async () => {
    if (finished) return;
    outcome.stoppedByRunner = true;
    outcome.problem ??= 'interrupted; qemu killed';
    let timer: NodeJS.Timeout | undefined;
    const gone = new Promise<void>((resolve) => {
      onFinished = resolve;
      timer = setTimeout(resolve, killWaitMs);
    });
    child.kill('SIGKILL');
    await gone;
    clearTimeout(timer);
  });

  const stop = (problem: string | undefined, hint?: string): void => {
    if (problem !== undefined && outcome.problem === undefined) {
      outcome.problem = problem;
      if (hint !== undefined) outcome.hint = hint;
    }
    outcome.stoppedByRunner = true;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  };
  const overall = setTimeout(
    () => stop(`no exit within ${watch.timeoutSeconds} s; qemu killed`, 'Raise the timeout for long profiles, or read the console log for where it hung.'),
    watch.timeoutSeconds * 1000,
  );
  const bootWatch = setTimeout(
    () => stop(
      `the kernel did not start the runner's init within ${watch.bootTimeoutSeconds} s`,
      'Check that it is an x86-64 bzImage with CONFIG_BLK_DEV_INITRD, CONFIG_SERIAL_8250_CONSOLE and gzip initramfs support.',
    ),
    watch.bootTimeoutSeconds * 1000,
  );
  const silenceWatch = watch.silenceSeconds === undefined ? undefined : setTimeout(() => {
    outcome.silentSeconds = watch.silenceSeconds;
    stop(`the guest printed nothing on the serial port within ${watch.silenceSeconds} s under kvm`, `${accelVariable}=tcg runs it emulated.`);
  }, watch.silenceSeconds * 1000);
  let grace: NodeJS.Timeout | undefined;
  const finishing = (): void => {
    // init powers off; without ACPI power-off the guest idles, so end it ourselves.
    grace ??= setTimeout(() => stop(undefined), 15_000);
  };
  const onAbort = (): void => stop('aborted');

  const onLine = (line: string): void => {
    const marker = readMarker(line);
    if (marker === undefined) {
      panic ??= panicOf(line);
      watch.log(`guest: ${line}`);
      return;
    }
    const { kind, text } = marker;
    if (kind === 'BOOTED') {
      outcome.kernelRelease = text.trim();
      outcome.bootSeconds = seconds();
      clearTimeout(bootWatch);
      watch.log(`vm: ${outcome.kernelRelease} running the runner's init after ${outcome.bootSeconds.toFixed(1)} s`);
    } else if (kind === 'WARN') {
      watch.log(`vm: warning: ${text}`);
    } else if (kind === 'FAIL') {
      if (outcome.problem === undefined) {
        outcome.problem = text;
        outcome.hint = 'If the kernel builds these as modules, pass --modules <root>/lib/modules/<release>; infra/vm/README.md lists what the guest needs.';
      }
      finishing();
    } else if (kind === 'EXIT') {
      outcome.exitCode = Number.parseInt(text, 10);
      finishing();
    }
  };
  const serial = new ConsoleLines(onLine);
  const outcome: BootOutcome = { kernelRelease: '', bootSeconds: 0, elapsedSeconds: 0, lines: serial.lines, stoppedByRunner: false };
  watch.signal?.addEventListener('abort', onAbort, { once: true });
  if (watch.signal?.aborted === true) onAbort();

  child.stdout.on('data', (chunk: Buffer) => {
    if (outcome.firstOutputSeconds === undefined) {
      outcome.firstOutputSeconds = seconds();
      clearTimeout(silenceWatch);
    }
    file.write(chunk);
    serial.write(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    qemuStderr += chunk.toString('utf8');
  });

  return new Promise<BootOutcome>((resolvePromise) => {
    const done = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      serial.flush();
      clearTimeout(overall);
      clearTimeout(bootWatch);
      clearTimeout(silenceWatch);
      outcome.qemuExit = { code, signal, stderr: error === undefined ? qemuStderr : `cannot start ${qemuBinary}: ${error.message}` };
      if (grace !== undefined) clearTimeout(grace);
      watch.signal?.removeEventListener('abort', onAbort);
      finished = true;
      cleanup.dismiss();
      onFinished();
      outcome.elapsedSeconds = seconds();
      if (outcome.exitCode === undefined && outcome.problem === undefined) {
        if (panic !== undefined) outcome.problem = panic;
        else if (error !== undefined) outcome.problem = `cannot start ${qemuBinary}: ${error.message}`;
        else outcome.problem = `qemu ${signal === null ? `exited with code ${code}` : `died of ${signal}`}${qemuStderr.trim() === '' ? '' : `: ${qemuStderr.trim()}`}`;
      }
      file.end(() => resolvePromise(outcome));
    };
    child.on('error', (error) => done(null, null, error));
    child.on('close', (code, signal) => done(code, signal));
  });
}
