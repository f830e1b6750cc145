/**
 * The accelerator choice: the pure decision on each thing the probe can observe, the probe's order
 * and cache with a faked machine, the run-time fallback rule, and the test guest on the real QEMU.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDoctor, type DoctorReport } from '../../bench/doctor.js';
import { chooseAccel, decideAccel, rememberKvmFailure, type AccelProbe, type CachedAccel, type GuestObservation, type KvmDevice } from '../../bench/vm/accel.js';
import { kvmRunFailure } from '../../bench/vm/fallback.js';
import { bootTestGuest, testGuestImage, testGuestMarker } from '../../bench/vm/test-guest.js';
import { skipUnless } from '../helpers/kernel.js';

/** What QEMU 7.2 printed with -accel kvm -cpu host on a guest without nested virtualisation (issue 13). */
const msrAbort = [
  'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69',
  "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:2893: kvm_buf_set_msrs: Assertion `ret == cpu->kvm_msr_buf->nmsrs' failed.",
  '',
].join('\n');

const aborted: GuestObservation = { outcome: 'exited', code: null, signal: 'SIGABRT', stderr: msrAbort };

/** A machine as the probe sees it, with a count of test-guest boots and an in-memory cache. */
function fakeMachine(device: KvmDevice, guest: GuestObservation, options: { forced?: string; key?: string; cache?: CachedAccel } = {}) {
  const machine = {
    boots: 0,
    cache: options.cache,
    key: options.key ?? 'boot 1, qemu 7.2',
    probe: {} as AccelProbe,
  };
  machine.probe = {
    forced: options.forced,
    kvmDevice: () => device,
    cacheKey: () => machine.key,
    readCache: () => machine.cache,
    writeCache: (entry) => {
      machine.cache = entry;
    },
    bootTestGuest: async () => {
      machine.boots++;
      return guest;
    },
  };
  return machine;
}

describe('decideAccel (pure)', () => {
  it('takes kvm only when the test guest printed its marker under it', () => {
    expect(decideAccel({ kvm: 'opens', guest: { outcome: 'ran', seconds: 0.21 } })).toEqual({ accel: 'kvm', reason: 'a test guest ran under kvm (marker after 0.2 s)' });
  });

  it('falls back to tcg with one line saying why, for each way KVM can fail', () => {
    expect(decideAccel({ kvm: 'absent' })).toEqual({ accel: 'tcg', reason: 'no /dev/kvm' });
    expect(decideAccel({ kvm: 'unusable', error: 'EACCES' })).toEqual({ accel: 'tcg', reason: '/dev/kvm does not open read-write (EACCES)' });
    expect(decideAccel({ kvm: 'opens', guest: aborted })).toEqual({
      accel: 'tcg',
      reason: 'qemu died of SIGABRT under kvm before the guest printed anything: qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69',
    });
    expect(decideAccel({ kvm: 'opens', guest: { outcome: 'exited', code: 1, signal: null, stderr: '' } }).reason)
      .toBe('qemu exited with code 1 under kvm before the guest printed anything');
    expect(decideAccel({ kvm: 'opens', guest: { outcome: 'silent', seconds: 10 } })).toEqual({ accel: 'tcg', reason: 'kvm guest silent for 10 s' });
    for (const choice of [decideAccel({ kvm: 'opens', guest: aborted }), decideAccel({ kvm: 'unusable', error: 'EACCES' })]) {
      expect(choice.reason).not.toContain('\n');
    }
  });
});

describe('chooseAccel with a faked machine', () => {
  it('absent /dev/kvm: tcg without booting anything or caching', async () => {
    const machine = fakeMachine({ kvm: 'absent' }, { outcome: 'ran', seconds: 0.1 });
    expect(await chooseAccel(machine.probe)).toEqual({ accel: 'tcg', reason: 'no /dev/kvm' });
    expect(machine.boots).toBe(0);
    expect(machine.cache).toBeUndefined();
  });

  it('opens and boots: kvm, cached, and the next call of the same boot does not boot again', async () => {
    const machine = fakeMachine({ kvm: 'opens' }, { outcome: 'ran', seconds: 0.3 });
    expect((await chooseAccel(machine.probe)).accel).toBe('kvm');
    expect(machine.cache).toMatchObject({ key: 'boot 1, qemu 7.2', choice: { accel: 'kvm' } });
    expect((await chooseAccel(machine.probe)).accel).toBe('kvm');
    expect(machine.boots).toBe(1);
  });

  it('opens and aborts: tcg with QEMU\'s error line, cached', async () => {
    const machine = fakeMachine({ kvm: 'opens' }, aborted);
    const choice = await chooseAccel(machine.probe);
    expect(choice.accel).toBe('tcg');
    expect(choice.reason).toContain('failed to set MSR 0x10a to 0x69');
    expect(machine.cache?.choice).toEqual(choice);
  });

  it('opens and stays silent: tcg, cached', async () => {
    const machine = fakeMachine({ kvm: 'opens' }, { outcome: 'silent', seconds: 10 });
    expect(await chooseAccel(machine.probe)).toEqual({ accel: 'tcg', reason: 'kvm guest silent for 10 s' });
    expect(machine.cache?.choice.accel).toBe('tcg');
  });

  it('probes again after a reboot or a QEMU upgrade (the cache key changed)', async () => {
    const machine = fakeMachine({ kvm: 'opens' }, { outcome: 'ran', seconds: 0.3 }, {
      cache: { key: 'boot 0, qemu 7.2', choice: { accel: 'tcg', reason: 'kvm guest silent for 10 s' }, at: '' },
    });
    expect((await chooseAccel(machine.probe)).accel).toBe('kvm');
    expect(machine.boots).toBe(1);
  });

  it('FUSEBENCH_VM_ACCEL forces either without looking at the machine, and rejects anything else', async () => {
    for (const forced of ['kvm', 'tcg'] as const) {
      const machine = fakeMachine({ kvm: 'absent' }, aborted, { forced });
      expect(await chooseAccel(machine.probe)).toEqual({ accel: forced, reason: 'forced by FUSEBENCH_VM_ACCEL', forced: true });
      expect(machine.boots).toBe(0);
    }
    await expect(chooseAccel(fakeMachine({ kvm: 'opens' }, aborted, { forced: 'hvf' }).probe)).rejects.toThrow('FUSEBENCH_VM_ACCEL=hvf: expected kvm or tcg');
  });

  it('a real run that failed under kvm leaves tcg in the cache for the rest of the boot', async () => {
    const machine = fakeMachine({ kvm: 'opens' }, { outcome: 'ran', seconds: 0.3 });
    await chooseAccel(machine.probe);
    rememberKvmFailure('kvm guest silent for 20 s', machine.probe);
    expect(await chooseAccel(machine.probe)).toEqual({ accel: 'tcg', reason: 'kvm guest silent for 20 s' });
    expect(machine.boots).toBe(1);
  });
});

describe('when a real run under kvm retries under tcg', () => {
  const base = { stoppedByRunner: false };
  it('retries when QEMU died or the guest stayed silent before printing anything', () => {
    expect(kvmRunFailure({ ...base, qemuExit: { code: null, signal: 'SIGABRT', stderr: msrAbort } }))
      .toBe('qemu died of SIGABRT under kvm before the guest printed anything: qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69');
    expect(kvmRunFailure({ stoppedByRunner: true, silentSeconds: 20, qemuExit: { code: null, signal: 'SIGTERM', stderr: '' } })).toBe('kvm guest silent for 20 s');
  });

  it('does not retry once the guest printed something, or when the runner stopped it (abort, deadline)', () => {
    expect(kvmRunFailure({ ...base, firstOutputSeconds: 0.4, qemuExit: { code: 0, signal: null, stderr: '' } })).toBeUndefined();
    expect(kvmRunFailure({ stoppedByRunner: true, qemuExit: { code: null, signal: 'SIGTERM', stderr: '' } })).toBeUndefined();
  });
});

describe('doctor', () => {
  const report = (vm: DoctorReport['vm']): DoctorReport => ({
    kernel: { release: '6.18.0', config: {}, fuseParameters: {}, fuseFeatures: {}, tracepoints: {}, devFuse: true },
    features: [], backends: [], daemonAccounting: 'by pid only (the first process of each daemon): FUSEBENCH_CGROUP_ROOT=/x: cannot create /x/fusebench/run-1 (EROFS)', vm,
  });
  it('says which accelerator guests get, why, and how to force either', () => {
    const text = formatDoctor(report({ accel: 'tcg', reason: 'kvm guest silent for 10 s' }));
    expect(text).toContain('VM guests (--kernel):\n  tcg (emulated: timings are functional evidence only): kvm guest silent for 10 s\n');
    expect(text).toContain('FUSEBENCH_VM_ACCEL=kvm or FUSEBENCH_VM_ACCEL=tcg');
    expect(formatDoctor(report({ reason: 'qemu-system-x86_64 cannot run' }))).toContain('  none: qemu-system-x86_64 cannot run\n');
  });

  it('says how daemons are accounted, and why when by pid only', () => {
    expect(formatDoctor(report({ reason: 'x' }))).toContain('daemons:\n  by pid only (the first process of each daemon): FUSEBENCH_CGROUP_ROOT=/x: cannot create /x/fusebench/run-1 (EROFS)\n');
  });
});

describe('the test guest image', () => {
  it('is 64 KiB with the marker after the code and a jump at the reset vector', () => {
    const image = testGuestImage();
    expect(image.length).toBe(0x10000);
    expect(image.subarray(0x17, 0x17 + testGuestMarker.length).toString('latin1')).toBe(testGuestMarker);
    expect([...image.subarray(0xfff0, 0xfff3)]).toEqual([0xe9, 0x0d, 0x00]);
  });
});

function qemuMissing(): string | undefined {
  try {
    execFileSync('qemu-system-x86_64', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'qemu-system-x86_64 cannot run (apt-get install qemu-system-x86)';
  }
}

describe.skipIf(skipUnless(qemuMissing()))('the test guest on the real QEMU', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fusebench-accel-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its marker under tcg, and removes its image', async () => {
    const seen = await bootTestGuest('tcg', { dir, timeoutSeconds: 20 });
    expect(seen.outcome).toBe('ran');
    expect(readdirSync(dir)).toEqual([]);
  });

  it.skipIf(existsSync('/dev/kvm'))('without /dev/kvm, QEMU exits under kvm at once and the probe reports its words', async () => {
    const seen = await bootTestGuest('kvm', { dir, timeoutSeconds: 20 });
    expect(seen).toMatchObject({ outcome: 'exited', code: 1 });
    expect(decideAccel({ kvm: 'opens', guest: seen }).reason).toMatch(/^qemu exited with code 1 under kvm before the guest printed anything: .*kvm/i);
  });
});
