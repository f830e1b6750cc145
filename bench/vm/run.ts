import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { trackChild } from '../processes.js';
import { buildInitramfs, checkoutRoot } from './initramfs.js';
import { findKernelConfig, missingKernelOptions, readKernelConfig } from './kernel-config.js';
import { guestModuleNames, installModules, resolveGuestModules } from './modules.js';
import { detectAccel, qemuArgs, qemuBinary, qemuVersion, tcgNotice, type Accel } from './qemu.js';

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
  timeoutSeconds?: number;
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
}

export interface GuestResult {
  exitCode: number;
  accel: Accel;
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

export const guestScratch = '/tmp/fusebench';
const consoleTailLines = 40;

const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let runCounter = 0;

/** Kills every qemu this process started (and only those) and removes their temp dirs. */
export function killGuest(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const dir of [...tempDirs]) removeTempDir(dir);
}

function onSignal(signal: NodeJS.Signals): void {
  killGuest();
  uninstallSignalHandlers();
  // We replaced Node's default action; restore it unless the harness has its own handler.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
const onSigint = (): void => onSignal('SIGINT');
const onSigterm = (): void => onSignal('SIGTERM');
function installSignalHandlers(): void {
  if (running.size > 0) return;
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  process.on('exit', killGuest);
}
function uninstallSignalHandlers(): void {
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  process.off('exit', killGuest);
}

/** Kernel options the config that goes with the kernel lacks; fails before booting. */
export function checkKernelBeforeBoot(kernel: string, modules?: string, initrd?: string): { configPath?: string } {
  if (!existsSync(kernel) || !statSync(kernel).isFile()) {
    throw new UserError(`kernel ${kernel} does not exist`, 'Pass the path of a bzImage or vmlinuz to --kernel.');
  }
  const configPath = findKernelConfig(kernel, modules);
  if (configPath === undefined) return {};
  const config = readKernelConfig(configPath);
  const missing = missingKernelOptions(config, modules !== undefined || initrd !== undefined);
  if (missing.length > 0) {
    throw new UserError(
      `kernel ${kernel} lacks: ${missing.join(', ')} (from ${configPath})`,
      'Build them in (=y), or as modules (=m) and pass --modules DIR/lib/modules/<release>; see infra/vm/README.md.',
    );
  }
  if (modules !== undefined) {
    const needed: Record<string, string> = {
      CONFIG_VIRTIO_PCI: 'virtio_pci', CONFIG_NET_9P_VIRTIO: '9pnet_virtio', CONFIG_9P_FS: '9p', CONFIG_FUSE_FS: 'fuse',
    };
    const { absent } = resolveGuestModules(modules);
    const lacking = Object.entries(needed).filter(([option, name]) => config.get(option) === 'm' && absent.includes(name));
    if (lacking.length > 0) {
      throw new UserError(
        `modules dir ${modules} lacks: ${lacking.map(([, name]) => `${name}.ko`).join(', ')} (built as modules per ${configPath})`,
      );
    }
  }
  return { configPath };
}

function tail(lines: readonly string[]): string {
  return lines.slice(-consoleTailLines).map((line) => `  | ${line}`).join('\n');
}

function makeTempDir(): string {
  const dir = join('/tmp', `fusebench-vm-${process.pid}`, `run-${++runCounter}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  tempDirs.add(dir);
  return dir;
}

function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
  const parent = dirname(dir);
  if (existsSync(parent) && readdirSync(parent).length === 0) rmSync(parent, { recursive: true, force: true });
}

/** Boots the kernel, runs `command` in a chroot of the host root, and returns its exit code. */
export async function runInGuest(opts: RunInGuestOptions): Promise<GuestResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const kernel = resolve(opts.kernel);
  const modules = opts.modules === undefined ? undefined : resolve(opts.modules);
  const initrd = opts.initrd === undefined ? undefined : resolve(opts.initrd);
  const outDir = resolve(opts.outDir);
  const cpus = opts.cpus ?? 2;
  const memoryMiB = opts.memoryMiB ?? 4096;

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
  const accel = detectAccel();
  if (accel === 'tcg') process.stderr.write(`${tcgNotice}\n`);
  const timeoutSeconds = opts.timeoutSeconds ?? 600;
  const bootTimeoutSeconds = opts.bootTimeoutSeconds ?? (accel === 'kvm' ? 60 : 240);

  mkdirSync(outDir, { recursive: true });
  const consoleLog = join(outDir, 'vm-console.log');
  const nonce = randomBytes(6).toString('hex');
  const exitFile = join(outDir, `.vm-exit-code-${nonce}`);
  const dir = makeTempDir();
  try {
    const release = modules === undefined ? '' : basename(modules);
    const resolved = modules === undefined ? undefined : resolveGuestModules(modules);
    const moduleList = resolved === undefined ? [] : installModules(join(dir, 'root'), release, resolved.modules);
    const vmJson = JSON.stringify({
      kernel, kernelRelease: '@@RELEASE@@', accel, cpus, memoryMiB, qemu: version, share: '9p',
      ...(initrd === undefined ? {} : { initrd }), ...(modules === undefined ? {} : { modules }),
    });
    const initramfs = buildInitramfs({
      dir, nonce, outDir, scratch: guestScratch, moduleList, wantedModules: guestModuleNames,
      ...(initrd === undefined ? {} : { extraInitrd: initrd }),
      job: {
        command: opts.command,
        cwd: opts.cwd ?? checkoutRoot,
        vmJsonTemplate: vmJson,
        ...(opts.stdoutFile === undefined ? {} : { stdoutFile: resolve(opts.stdoutFile) }),
        env: {
          PATH: `${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
          HOME: '/tmp/fusebench-home',
          TMPDIR: '/tmp',
          LANG: 'C.UTF-8',
          FUSEBENCH_ACCEL: accel,
          FUSEBENCH_SCRATCH: guestScratch,
          ...opts.env,
        },
      },
    });
    const args = qemuArgs({
      accel, kernel, initrd: initramfs, cpus, memoryMiB, outDir,
      cmdline: 'console=ttyS0 panic=-1 rdinit=/init',
    });
    log(`vm: booting ${kernel} (${accel}, ${cpus} vCPUs, ${memoryMiB} MiB, qemu ${version}); console: ${consoleLog}`);
    const outcome = await boot(args, { consoleLog, nonce, timeoutSeconds, bootTimeoutSeconds, log, signal: opts.signal });

    let exitCode = outcome.exitCode;
    if (existsSync(exitFile)) {
      exitCode = Number.parseInt(readFileSync(exitFile, 'utf8').trim(), 10);
      rmSync(exitFile, { force: true });
    }
    const problem = outcome.problem;
    if (exitCode === undefined || Number.isNaN(exitCode)) {
      throw new UserError(
        `guest failed: ${problem ?? 'it stopped without reporting an exit code'}\nconsole tail (${consoleLog}):\n${tail(outcome.lines)}`,
        outcome.hint,
      );
    }
    log(`vm: guest ${outcome.kernelRelease} exited ${exitCode} after ${outcome.elapsedSeconds.toFixed(1)} s (boot ${outcome.bootSeconds.toFixed(1)} s)`);
    const result: GuestResult = {
      exitCode, accel, consoleLog, kernelRelease: outcome.kernelRelease, qemuVersion: version,
      bootSeconds: outcome.bootSeconds, elapsedSeconds: outcome.elapsedSeconds,
    };
    if (opts.stdoutFile !== undefined && existsSync(opts.stdoutFile)) result.stdout = readFileSync(opts.stdoutFile, 'utf8');
    return result;
  } finally {
    removeTempDir(dir);
  }
}

interface BootOutcome {
  exitCode?: number;
  problem?: string;
  hint?: string;
  kernelRelease: string;
  bootSeconds: number;
  elapsedSeconds: number;
  lines: string[];
}

/** Runs qemu, watching the console for the init's markers, with boot and overall deadlines. */
function boot(
  args: string[],
  watch: { consoleLog: string; nonce: string; timeoutSeconds: number; bootTimeoutSeconds: number; log: (line: string) => void; signal?: AbortSignal | undefined },
): Promise<BootOutcome> {
  const started = Date.now();
  const seconds = (): number => (Date.now() - started) / 1000;
  const marker = new RegExp(`FUSEBENCH_(BOOTED|FAIL|WARN|START|EXIT)_${watch.nonce} ?(.*)$`);
  const lines: string[] = [];
  const file = createWriteStream(watch.consoleLog);
  const outcome: BootOutcome = { kernelRelease: '', bootSeconds: 0, elapsedSeconds: 0, lines };
  let panic: string | undefined;
  let qemuStderr = '';

  installSignalHandlers();
  const child = trackChild(spawn(qemuBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] }), 'qemu');
  running.add(child);

  const stop = (problem: string | undefined, hint?: string): void => {
    if (problem !== undefined && outcome.problem === undefined) {
      outcome.problem = problem;
      if (hint !== undefined) outcome.hint = hint;
    }
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
  let grace: NodeJS.Timeout | undefined;
  const finishing = (): void => {
    // init powers off; without ACPI power-off the guest idles, so end it ourselves.
    grace ??= setTimeout(() => stop(undefined), 15_000);
  };
  const onAbort = (): void => stop('aborted');
  watch.signal?.addEventListener('abort', onAbort, { once: true });
  if (watch.signal?.aborted === true) onAbort();

  const onLine = (raw: string): void => {
    const line = raw.replace(/\r$/, '');
    lines.push(line);
    if (lines.length > 400) lines.splice(0, lines.length - 400);
    const match = marker.exec(line);
    if (match === null) {
      if (/Kernel panic - not syncing/.test(line)) panic ??= line.slice(line.indexOf('Kernel panic'));
      watch.log(`guest: ${line}`);
      return;
    }
    const [, kind, text = ''] = match;
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

  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    file.write(chunk);
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) onLine(part);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    qemuStderr += chunk.toString('utf8');
  });

  return new Promise<BootOutcome>((resolvePromise) => {
    const done = (code: number | null, error?: Error): void => {
      if (partial !== '') onLine(partial);
      clearTimeout(overall);
      clearTimeout(bootWatch);
      if (grace !== undefined) clearTimeout(grace);
      watch.signal?.removeEventListener('abort', onAbort);
      running.delete(child);
      if (running.size === 0) uninstallSignalHandlers();
      outcome.elapsedSeconds = seconds();
      if (outcome.exitCode === undefined && outcome.problem === undefined) {
        if (panic !== undefined) outcome.problem = panic;
        else if (error !== undefined) outcome.problem = `cannot start ${qemuBinary}: ${error.message}`;
        else outcome.problem = `qemu exited with code ${code ?? 'signal'}${qemuStderr.trim() === '' ? '' : `: ${qemuStderr.trim()}`}`;
      }
      file.end(() => resolvePromise(outcome));
    };
    child.on('error', (error) => done(null, error));
    child.on('close', (code) => done(code));
  });
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
    // TCG runs Node and fio 10-30x slower (the CLI alone takes ~40 s to start), hence the longer default.
    timeoutSeconds: opts.timeoutSeconds ?? (detectAccel() === 'kvm' ? 900 : 2700),
    command: [process.execPath, '--import', 'tsx', 'bench/cli.ts', ...suiteArgs],
    cwd: checkoutRoot,
  });
  const { exitCode, accel, consoleLog, kernelRelease, bootSeconds, elapsedSeconds } = result;
  return { exitCode, accel, consoleLog, kernelRelease, bootSeconds, elapsedSeconds };
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
