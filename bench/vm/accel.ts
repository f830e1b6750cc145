/**
 * Which accelerator a guest gets. KVM only when this machine has been seen to run a guest with it:
 * a /dev/kvm that opens is not enough, because a machine that is itself a guest without nested
 * virtualisation can have one on which QEMU aborts ("failed to set MSR 0x10a") or the guest never
 * runs. The probe boots the test guest (test-guest.ts) under KVM; what it saw decides, through the
 * pure decideAccel, and the answer is kept per host boot and QEMU version in the scratch root.
 */
import { closeSync, constants, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { scratchRoot } from '../scratch.js';
import { qemuBinary, qemuVersion, type GuestAccel } from './qemu.js';
import { bootTestGuest } from './test-guest.js';

export const accelVariable = 'FUSEBENCH_VM_ACCEL';

export interface AccelChoice {
  accel: GuestAccel;
  /** One line: why this accelerator, as records, doctor and the report show it. */
  reason: string;
  /** Set by FUSEBENCH_VM_ACCEL: used as given, never replaced by a fallback. */
  forced?: true;
}

/** /dev/kvm as this process finds it. */
export type KvmDevice = { kvm: 'absent' } | { kvm: 'unusable'; error: string } | { kvm: 'opens' };

/** What the host saw of a guest started under KVM: serial output, QEMU exiting first, or nothing. */
export type GuestObservation =
  | { outcome: 'ran'; seconds: number }
  | { outcome: 'exited'; code: number | null; signal: NodeJS.Signals | null; stderr: string }
  | { outcome: 'silent'; seconds: number };

export type GuestFailure = Exclude<GuestObservation, { outcome: 'ran' }>;

/** Everything the probe observed: /dev/kvm, and when it opens, the test guest under KVM. */
export type ProbeObservation = Exclude<KvmDevice, { kvm: 'opens' }> | { kvm: 'opens'; guest: GuestObservation };

/** Seconds the test guest gets to print its marker; under a working KVM it takes well under one. */
export const testGuestSeconds = 10;

/** The forced choice, if FUSEBENCH_VM_ACCEL says one; anything but kvm or tcg is an error. */
export function forcedAccel(value: string | undefined): AccelChoice | undefined {
  if (value === undefined || value === '') return undefined;
  if (value !== 'kvm' && value !== 'tcg') {
    throw new UserError(`${accelVariable}=${value}: expected kvm or tcg`, `Unset ${accelVariable} to let the suite probe for KVM.`);
  }
  return { accel: value, reason: `forced by ${accelVariable}`, forced: true };
}

/** QEMU's own words, one line: its error line if it printed one, else its first line. */
function qemuComplaint(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  const line = lines.find((candidate) => /error|fail|abort|assert/i.test(candidate)) ?? lines[0];
  return line === undefined ? '' : `: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;
}

/** Why KVM did not run the guest, in one line. */
export function describeKvmFailure(seen: GuestFailure): string {
  if (seen.outcome === 'silent') return `kvm guest silent for ${seen.seconds} s`;
  const how = seen.signal !== null ? `died of ${seen.signal}` : `exited with code ${seen.code ?? 'unknown'}`;
  return `qemu ${how} under kvm before the guest printed anything${qemuComplaint(seen.stderr)}`;
}

/** Pure: the accelerator and its reason from what the probe observed. */
export function decideAccel(seen: ProbeObservation): AccelChoice {
  switch (seen.kvm) {
    case 'absent':
      return { accel: 'tcg', reason: 'no /dev/kvm' };
    case 'unusable':
      return { accel: 'tcg', reason: `/dev/kvm does not open read-write (${seen.error})` };
    case 'opens':
      return seen.guest.outcome === 'ran'
        ? { accel: 'kvm', reason: `a test guest ran under kvm (marker after ${seen.guest.seconds.toFixed(1)} s)` }
        : { accel: 'tcg', reason: describeKvmFailure(seen.guest) };
  }
}

/** The machine-facing half of the probe; tests pass fakes. */
export interface AccelProbe {
  /** The value of FUSEBENCH_VM_ACCEL. */
  forced: string | undefined;
  kvmDevice(): KvmDevice;
  /** What the answer depends on (host boot, QEMU binary and version): a cached answer holds while it is unchanged. */
  cacheKey(): string;
  readCache(): CachedAccel | undefined;
  writeCache(entry: CachedAccel): void;
  bootTestGuest(): Promise<GuestObservation>;
}

export interface CachedAccel {
  key: string;
  choice: AccelChoice;
  at: string;
}

/**
 * Forced, else tcg when /dev/kvm is missing or closed (checked each time: it costs nothing), else the
 * cached answer of this boot, else the test guest's verdict, which is then cached.
 */
export async function chooseAccel(probe: AccelProbe = hostProbe()): Promise<AccelChoice> {
  const forced = forcedAccel(probe.forced);
  if (forced !== undefined) return forced;
  const device = probe.kvmDevice();
  if (device.kvm !== 'opens') return decideAccel(device);
  const key = probe.cacheKey();
  const cached = probe.readCache();
  if (cached?.key === key) return cached.choice;
  const choice = decideAccel({ kvm: 'opens', guest: await probe.bootTestGuest() });
  probe.writeCache({ key, choice, at: new Date().toISOString() });
  return choice;
}

/** A real run under KVM failed as the probe's guest did not: later runs of this boot go straight to TCG. */
export function rememberKvmFailure(reason: string, probe: AccelProbe = hostProbe()): void {
  probe.writeCache({ key: probe.cacheKey(), choice: { accel: 'tcg', reason }, at: new Date().toISOString() });
}

function openKvm(): KvmDevice {
  try {
    closeSync(openSync('/dev/kvm', constants.O_RDWR));
    return { kvm: 'opens' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return code === 'ENOENT' ? { kvm: 'absent' } : { kvm: 'unusable', error: code };
  }
}

const cacheFile = (): string => path.join(scratchRoot(), 'vm-accel.json');

function readCacheFile(): CachedAccel | undefined {
  try {
    return JSON.parse(readFileSync(cacheFile(), 'utf8')) as CachedAccel;
  } catch {
    return undefined;
  }
}

function writeCacheFile(entry: CachedAccel): void {
  // The cache only saves a test boot; a scratch root this process cannot write must not fail the run.
  try {
    mkdirSync(scratchRoot(), { recursive: true });
    const temporary = `${cacheFile()}.${process.pid}`;
    writeFileSync(temporary, `${JSON.stringify(entry, null, 2)}\n`);
    renameSync(temporary, cacheFile());
  } catch {
    /* probe again next time */
  }
}

export function hostProbe(): AccelProbe {
  return {
    forced: process.env[accelVariable],
    kvmDevice: openKvm,
    cacheKey: () => {
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      return `boot ${bootId}, ${qemuBinary} ${qemuVersion()}`;
    },
    readCache: readCacheFile,
    writeCache: writeCacheFile,
    bootTestGuest: () => bootTestGuest('kvm', { dir: scratchRoot(), timeoutSeconds: testGuestSeconds }),
  };
}
