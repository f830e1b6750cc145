/**
 * Boots real kernels in QEMU (KVM where a test guest runs under it, else TCG) and runs this checkout inside.
 * Skips with the reason when qemu or a kernel is unavailable; under REQUIRE_KERNEL=1 that fails.
 * Kernels: the FUSE-BPF test kernel in ../shared/kernels/fuse-bpf-6.1/ (never copied into the repo)
 * and Debian's packaged 6.1, fetched and extracted by infra/vm/fetch-debian-kernel.sh.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkoutRoot } from '../../bench/vm/initramfs.js';
import type { AccelChoice } from '../../bench/vm/accel.js';
import { qemuVersion } from '../../bench/vm/qemu.js';
import { guestFilesRoot } from '../../bench/vm/guest-files.js';
import { guestProgram } from '../../bench/vm/guest-programs.js';
import { runInGuest, type GuestResult } from '../../bench/vm/run.js';
import { skipUnless } from '../helpers/kernel.js';

const fuseBpfDir = resolve(checkoutRoot, '..', 'shared', 'kernels', 'fuse-bpf-6.1');
const fuseBpfKernel = join(fuseBpfDir, 'bzImage');
const memoryMiB = 2048;
const quiet = (): void => {};

function qemuMissing(): string | undefined {
  try {
    qemuVersion();
  } catch {
    return 'qemu-system-x86_64 cannot run (apt-get install qemu-system-x86)';
  }
  return process.getuid?.() === 0 ? undefined : 'needs root (9p share of / with security_model=none)';
}

function debianKernel(): { kernel: string; modules: string } | { missing: string } {
  try {
    const root = execFileSync('bash', [join(checkoutRoot, 'infra', 'vm', 'fetch-debian-kernel.sh')], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000,
    }).trim().split('\n').pop() ?? '';
    const release = readdirSync(join(root, 'lib', 'modules'))[0] ?? '';
    return { kernel: join(root, 'boot', `vmlinuz-${release}`), modules: join(root, 'lib', 'modules', release) };
  } catch (error) {
    return { missing: `cannot fetch Debian's kernel package: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** The lead's CLI grows `doctor`; until it has it, the guest runs plain commands instead. */
function cliHasDoctor(): boolean {
  try {
    return /^\s+doctor\b/m.test(execFileSync(join(checkoutRoot, 'node_modules', '.bin', 'tsx'), ['bench/cli.ts', '--help'], { cwd: checkoutRoot, encoding: 'utf8' }));
  } catch {
    return false;
  }
}

const qemuProblem = qemuMissing();
const work = mkdtempSync('/var/tmp/fusebench-vm-test-');
afterAll(() => rmSync(work, { recursive: true, force: true }));
const seen: Record<string, GuestResult> = {};
afterAll(() => {
  for (const [name, r] of Object.entries(seen)) {
    console.info(`vm ${name}: release ${r.kernelRelease}, ${r.accel} (${r.accelReason}), boot ${r.bootSeconds.toFixed(1)} s, total ${r.elapsedSeconds.toFixed(1)} s`);
  }
});

/** A seqread small enough for TCG: 64 MiB, 1 s runs, once. Lives in the out share, so the guest sees it. */
function smallSeqreadProfile(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, 'seqread-small.yaml');
  const text = readFileSync(join(checkoutRoot, 'profiles', 'seqread.yaml'), 'utf8')
    .replace(/fileSize: .*/, 'fileSize: 64m').replace(/runtimeSeconds: .*/, 'runtimeSeconds: 1')
    .replace(/rampSeconds: .*/, 'rampSeconds: 0').replace(/^repeat: .*/m, 'repeat: 1').replace(/^name: .*/m, 'name: seqread-small');
  writeFileSync(path, text);
  return path;
}

/** The suite's own files in outDir: bind completed, fuse completed or unsupported with a reason. */
function expectSuiteResults(outDir: string, kernelRelease: string): string {
  const runs = readFileSync(join(outDir, 'runs.jsonl'), 'utf8').trim().split('\n')
    .map((line) => JSON.parse(line) as { backend?: string; state?: string; reason?: string });
  expect(runs.find((run) => run.backend === 'bind')?.state).toBe('completed');
  // fuse completes once the daemon exists; until then it is recorded as unsupported, with its reason.
  const fuse = runs.find((run) => run.backend === 'fuse');
  expect(fuse?.state === 'completed' || (fuse?.state === 'unsupported' && fuse.reason !== undefined)).toBe(true);
  expect(existsSync(join(outDir, 'vm-console.log'))).toBe(true);
  const environment = JSON.parse(readFileSync(join(outDir, 'environment.json'), 'utf8')) as { vm?: { kernelRelease?: string } };
  expect(environment.vm?.kernelRelease).toBe(kernelRelease);
  return `${fuse?.state} ${fuse?.reason ?? ''}`;
}

/**
 * Boots and prints what the guest sees, runs doctor --json when the CLI has it, and with `suite` a
 * short bind,fuse seqread in the same boot (one boot fewer under TCG). The CLI runs from its bundle.
 */
async function probeGuest(name: string, kernel: { kernel: string; modules?: string }, suite = false, accel?: AccelChoice): Promise<{ result: GuestResult; stdout: string; outDir: string }> {
  const outDir = join(work, name);
  mkdirSync(outDir, { recursive: true });
  const cli = guestProgram('bench/cli.ts');
  const suiteLine = suite
    ? `node ${cli} run --profile ${smallSeqreadProfile(outDir)} --backends bind,fuse --no-trace --out ${outDir} >&2; echo "suite=$?"`
    : '';
  const doctor = cliHasDoctor();
  const script = [
    'echo "release=$(uname -r)"',
    'echo "fuse_bpf=$(cat /sys/fs/fuse/features/fuse_bpf 2>/dev/null || echo absent)"',
    'grep -E "^nodev\\s+(9p|fuse|tmpfs)$|\\soverlay$" /proc/filesystems',
    'echo "node=$(node --version)"; echo "scratch=$FUSEBENCH_SCRATCH accel=$FUSEBENCH_ACCEL"; echo "vm=$FUSEBENCH_VM"',
    'echo "accel_reason=$FUSEBENCH_ACCEL_REASON"',
    'touch /tmp/fusebench/writable && echo scratch-writable',
    // TODO(doctor): drop the branch when the lead's `bench/cli.ts doctor --json` is in every checkout.
    doctor ? `node ${cli} doctor --json > ${outDir}/doctor.json; echo "doctor=$?"` : 'echo doctor=absent',
    suiteLine,
    'exit 7',
  ].join('\n');
  const result = await runInGuest({
    ...kernel, outDir, memoryMiB, command: ['sh', '-c', script], stdoutFile: join(outDir, 'stdout.txt'), programs: ['bench/cli.ts'],
    timeoutSeconds: suite ? 420 : 240, log: quiet, ...(accel === undefined ? {} : { accel }),
  });
  seen[name] = result;
  const stdout = result.stdout ?? '';
  if (!stdout.includes('doctor=absent')) {
    expect(stdout).toContain('doctor=0');
    expect(() => JSON.parse(readFileSync(join(outDir, 'doctor.json'), 'utf8')) as unknown).not.toThrow();
  }
  return { result, stdout, outDir };
}

describe.skipIf(skipUnless(qemuProblem ?? (existsSync(fuseBpfKernel) ? undefined : `no test kernel at ${fuseBpfKernel}`)))(
  'FUSE-BPF kernel (Android 6.1, all built in)',
  () => {
    it('runs a command in the host root chroot, sees FUSE-BPF, and returns its exit code', async () => {
      // Told to try KVM first: where KVM cannot run the guest, the run must fall back to TCG at once and say so.
      const { result, stdout } = await probeGuest('fuse-bpf', { kernel: fuseBpfKernel }, false, { accel: 'kvm', reason: 'told to try kvm first' });
      if (!existsSync('/dev/kvm')) {
        expect(result.accel).toBe('tcg');
        expect(result.accelReason).toMatch(/^qemu exited with code 1 under kvm before the guest printed anything: .*kvm.*; retried under tcg$/i);
      }
      expect(stdout).toContain(`accel_reason=${result.accelReason}\n`);
      expect(result.exitCode).toBe(7);
      expect(result.kernelRelease).toMatch(/^6\.1\./);
      expect(stdout).toContain(`release=${result.kernelRelease}`);
      expect(stdout).toContain('fuse_bpf=supported');
      expect(stdout).toMatch(/nodev\s+9p/);
      expect(stdout).toContain(`node=${process.version}`);
      expect(stdout).toContain(`scratch=/tmp/fusebench accel=${result.accel}`);
      expect(stdout).toContain('scratch-writable');
      expect(JSON.parse(/^vm=(.*)$/m.exec(stdout)?.[1] ?? '{}')).toMatchObject({ kernelRelease: result.kernelRelease, share: '9p', cpus: 2, memoryMiB });
      expect(readFileSync(result.consoleLog, 'utf8')).toContain('Run /init as init process');
      expect(existsSync(guestFilesRoot())).toBe(false);
    }, 300_000);

    // The short suite run on this kernel is test/vm/fuse-bpf-paths.test.ts (bind, fuse, fuse-bpf and
    // fuse-passthrough, results on the host): one boot fewer under TCG.

    it('kills a guest that hangs at the timeout and shows the console tail', async () => {
      const started = Date.now();
      await expect(runInGuest({
        kernel: fuseBpfKernel, outDir: join(work, 'hang'), memoryMiB, log: quiet, timeoutSeconds: 20,
        command: ['sh', '-c', 'echo about-to-hang; sleep 600'],
      })).rejects.toThrow(/no exit within 20 s; qemu killed[\s\S]*about-to-hang/);
      expect(Date.now() - started).toBeLessThan(40_000);
    }, 60_000);
  },
);

describe.skipIf(skipUnless(qemuProblem))('a kernel whose config lacks 9p', () => {
  it('fails before booting with one line naming the missing options', async () => {
    const dir = join(work, 'no9p');
    mkdirSync(dir, { recursive: true });
    symlinkSync(fuseBpfKernel, join(dir, 'bzImage'));
    const config = existsSync(join(fuseBpfDir, 'config')) ? readFileSync(join(fuseBpfDir, 'config'), 'utf8') : 'CONFIG_TMPFS=y\n';
    writeFileSync(join(dir, 'config'), config.replace(/^CONFIG_(9P_FS|NET_9P_VIRTIO)=.*$/gm, ''));
    const started = Date.now();
    const error = await runInGuest({ kernel: join(dir, 'bzImage'), outDir: join(dir, 'out'), command: ['true'], log: quiet }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(new RegExp(`^kernel ${dir}/bzImage lacks: CONFIG_NET_9P_VIRTIO, CONFIG_9P_FS(, CONFIG_\\w+)* \\(from ${dir}/config\\)$`));
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});

const debian = qemuProblem === undefined ? debianKernel() : { missing: qemuProblem };
describe.skipIf(skipUnless('missing' in debian ? debian.missing : undefined))("Debian's packaged 6.1 kernel with --modules", () => {
  const kernel = debian as { kernel: string; modules: string };

  it('loads virtio, 9p, FUSE and overlay from the modules dir, then runs doctor and a short bind,fuse seqread', async () => {
    const { result, stdout, outDir } = await probeGuest('debian', kernel, true);
    expect(result.exitCode).toBe(7);
    expect(result.kernelRelease).toBe(kernel.modules.split('/').pop());
    expect(stdout).toMatch(/nodev\s+fuse/);
    expect(stdout).toMatch(/\soverlay/);
    expect(stdout).toContain('fuse_bpf=absent');
    const consoleTail = readFileSync(result.consoleLog, 'utf8').split('\n').slice(-40).join('\n');
    expect(stdout, `suite in the guest failed; console tail:\n${consoleTail}`).toContain('suite=0');
    console.info(`vm debian-suite: fuse: ${expectSuiteResults(outDir, result.kernelRelease)}`);
  }, 480_000);

  it('without --modules, fails fast naming the options built as modules', async () => {
    // The config beside the image says =m, so the check refuses before booting.
    await expect(runInGuest({ kernel: kernel.kernel, outDir: join(work, 'debian-nomod'), command: ['true'], log: quiet }))
      .rejects.toThrow(/lacks: CONFIG_VIRTIO_PCI, CONFIG_NET_9P_VIRTIO, CONFIG_9P_FS, CONFIG_FUSE_FS \(from .*config-/);
  });
});
