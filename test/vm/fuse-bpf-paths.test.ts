/**
 * The paths this host kernel lacks, run for real in a guest on the FUSE-BPF kernel
 * (../shared/kernels/fuse-bpf-6.1, Android 6.1 with FUSE-BPF and Alessio Balsini's passthrough ioctl).
 * One boot runs two benches: seqread and randread on bind, fuse, fuse-bpf (no daemon) and
 * fuse-passthrough; then seqread on fuse-bpf-daemon (LOOKUP replies carry the backing). Under TCG the numbers are
 * functional evidence only, and the records must say so.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guestProgram } from '../../bench/vm/guest-programs.js';
import { fuseBpfGuestUnavailable, runOnFuseBpfKernel } from '../helpers/fuse-bpf-guest.js';
import { skipUnless } from '../helpers/kernel.js';



interface Record_ {
  backend: string;
  workload: string;
  state: string;
  accel: string;
  accelReason?: string;
  reason?: string;
  mount?: Record<string, unknown>;
  requestsByOpcode?: Record<string, number>;
  details?: Record<string, unknown>;
}

const work = mkdtempSync('/var/tmp/fusebench-vm-paths-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function profile(name: string, backends: string, workloads: string, extra = ''): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, `# ${name}: small enough for TCG\nname: ${name}\nbackends: [${backends}]\ndataset: { files: 1, fileSize: 64m }\nruntimeSeconds: 1\nrampSeconds: 0\nrepeat: 1\n${extra}workloads:\n${workloads}`);
  return file;
}

const records = (dir: string): Record_[] => readFileSync(join(dir, 'runs.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record_);

describe.skipIf(skipUnless(fuseBpfGuestUnavailable()))('FUSE-BPF and Android passthrough in a guest on the FUSE-BPF kernel', () => {
  const paths = join(work, 'paths');
  const bpfDaemon = join(work, 'bpf-daemon');
  let exitCode = -1;
  let accel = '';
  let accelReason = '';

  it('runs seqread and randread on bind, fuse, fuse-bpf and fuse-passthrough, and seqread on fuse-bpf-daemon', async () => {
    mkdirSync(paths, { recursive: true });
    mkdirSync(bpfDaemon, { recursive: true });
    const workloads = '  - { name: seqread-128k, rw: read, bs: 128k }\n  - { name: randread-4k, rw: randread, bs: 4k }\n';
    const first = profile('guest-paths', 'bind, fuse, fuse-bpf, fuse-passthrough', workloads);
    const second = profile('guest-bpf-daemon', 'fuse-bpf-daemon', '  - { name: seqread-128k, rw: read, bs: 128k }\n');
    const bench = (file: string, out: string) => `node ${guestProgram('bench/cli.ts')} run --profile ${file} --out ${out} --seed 3 >&2; echo "bench-$(basename ${out})=$?"`;
    const result = await runOnFuseBpfKernel(work, [bench(first, paths), bench(second, bpfDaemon)].join('\n'), { stdoutFile: join(work, 'stdout.txt'), programs: ['bench/cli.ts'] });
    exitCode = result.exitCode;
    accel = result.accel;
    accelReason = result.accelReason;
    const stdout = result.stdout ?? '';
    const tail = readFileSync(result.consoleLog, 'utf8').split('\n').slice(-30).join('\n');
    expect(stdout, tail).toContain('bench-paths=0');
    expect(stdout, tail).toContain('bench-bpf-daemon=0');
  }, 960_000);

  it('completes every cell, each labelled with the accelerator it ran under', () => {
    expect(exitCode).toBe(0);
    const runs = records(paths);
    for (const backend of ['bind', 'fuse', 'fuse-bpf', 'fuse-passthrough']) {
      for (const workload of ['seqread-128k', 'randread-4k']) {
        const run = runs.find((r) => r.backend === backend && r.workload === workload);
        expect(run?.state, `${backend}/${workload}: ${run?.reason ?? ''}`).toBe('completed');
        expect(run?.accel).toBe(accel);
        expect(run?.accelReason).toBe(accelReason);
      }
    }
    const environment = JSON.parse(readFileSync(join(paths, 'environment.json'), 'utf8')) as { kernelRelease: string; accel: string; accelReason?: string; vm?: { kernelRelease?: string; accel?: string } };
    expect(environment.kernelRelease).toMatch(/^6\.1\./);
    expect(environment.accel).toBe(accel);
    expect(environment.accelReason).toBe(accelReason);
    expect(environment.vm).toMatchObject({ kernelRelease: environment.kernelRelease, accel });
    expect(existsSync(join(work, 'vm-console.log'))).toBe(true);
    if (accel === 'tcg') expect(readFileSync(join(paths, 'report.html'), 'utf8')).toContain('emulated');
  });

  it('fuse-passthrough uses the Android passthrough ioctl there, and its daemon sees no READ', () => {
    for (const run of records(paths).filter((r) => r.backend === 'fuse-passthrough')) {
      expect(run.mount?.passthroughAbi).toBe('android-passthrough');
      // No fuse tracepoints before 6.12: the daemon's own counters are the measurement.
      expect(run.details?.requestsSource).toBe('daemon counters (no fuse tracepoints)');
      expect(run.requestsByOpcode?.OPEN).toBeGreaterThan(0);
      expect(run.requestsByOpcode?.READ ?? 0).toBe(0);
    }
    const fuse = records(paths).find((r) => r.backend === 'fuse' && r.workload === 'seqread-128k');
    expect(fuse?.requestsByOpcode?.READ).toBeGreaterThan(0);
  });

  it('fuse-bpf runs without a daemon, and under fuse-bpf-daemon the daemon sees LOOKUPs but no READ or OPEN', () => {
    const noDaemon = records(paths).filter((r) => r.backend === 'fuse-bpf');
    expect(noDaemon.every((r) => r.mount?.daemonPid === undefined)).toBe(true);
    const [daemon] = records(bpfDaemon);
    expect(daemon?.state, daemon?.reason).toBe('completed');
    expect(daemon?.backend).toBe('fuse-bpf-daemon');
    expect(daemon?.mount?.mode).toBe('bpf');
    expect(daemon?.mount?.fuseBpfAbi).toBe('android');
    expect(daemon?.requestsByOpcode?.LOOKUP).toBeGreaterThan(0);
    expect(daemon?.requestsByOpcode?.READ ?? 0).toBe(0);
    expect(daemon?.requestsByOpcode?.OPEN ?? 0).toBe(0);
  });
});
