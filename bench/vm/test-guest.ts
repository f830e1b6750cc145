/**
 * The smallest guest that proves a vCPU executes: 64 KiB of firmware, given to QEMU in place of the
 * BIOS, that writes a marker to the first serial port and then leaves through isa-debug-exit. No
 * kernel and no disk, so it needs nothing but QEMU and answers in well under a second where it works.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanups } from '../cleanup.js';
import { trackChild } from '../processes.js';
import type { GuestObservation } from './accel.js';
import { accelArgs, qemuBinary, type GuestAccel } from './qemu.js';

export const testGuestMarker = 'FUSEBENCH_GUEST_RAN';

/** QEMU maps a BIOS image so that it ends at 4 GiB; its size must be a multiple of 64 KiB. */
const imageSize = 0x10000;
/** The marker's offset in the image, right after the code (the `mov si` below points here). */
const markerOffset = 0x17;

/**
 * 16-bit real mode, as the vCPU comes out of reset (CS base 0xFFFF0000, so an offset in the image is
 * the IP that reaches it). Hand-assembled; the comments give the instructions.
 */
const code = [
  0xba, 0xf8, 0x03, //             mov dx, 0x3f8      ; COM1 data register
  0xbe, markerOffset, 0x00, //     mov si, marker
  0x2e, 0xac, //                   next: cs lodsb     ; al = byte at cs:si, si++
  0x84, 0xc0, //                   test al, al
  0x74, 0x03, //                   jz done
  0xee, //                         out dx, al
  0xeb, 0xf7, //                   jmp next
  0xb0, 0x10, //                   done: mov al, 0x10
  0xe6, 0xf4, //                   out 0xf4, al       ; isa-debug-exit: QEMU exits with (0x10 << 1) | 1
  0xfa, 0xf4, 0xeb, 0xfc, //       halt: cli; hlt; jmp halt
];
/** At the reset vector (offset 0xFFF0): jmp near 0x0000, i.e. rel16 = 0x0000 - 0xFFF3 mod 64 Ki. */
const resetJump = [0xe9, 0x0d, 0x00];

export function testGuestImage(): Buffer {
  const image = Buffer.alloc(imageSize);
  Buffer.from(code).copy(image, 0);
  Buffer.from(`${testGuestMarker}\n\0`, 'latin1').copy(image, markerOffset);
  Buffer.from(resetJump).copy(image, imageSize - 16);
  return image;
}

/**
 * Boots the test guest under `accel` and reports what the host saw: the marker on the serial port,
 * QEMU exiting without it, or nothing at all within `timeoutSeconds` (then QEMU is killed).
 * The image is written into `dir` and removed again.
 */
export async function bootTestGuest(accel: GuestAccel, options: { dir: string; timeoutSeconds: number }): Promise<GuestObservation> {
  mkdirSync(options.dir, { recursive: true });
  const image = path.join(options.dir, `accel-test-guest-${process.pid}.bin`);
  writeFileSync(image, testGuestImage());
  const started = Date.now();
  const seconds = (): number => (Date.now() - started) / 1000;
  try {
    return await new Promise<GuestObservation>((resolve) => {
      const child = trackChild(spawn(qemuBinary, [
        ...accelArgs(accel), '-smp', '1', '-m', '16',
        '-nodefaults', '-display', 'none', '-serial', 'stdio', '-no-reboot',
        '-bios', image, '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
      ], { stdio: ['ignore', 'pipe', 'pipe'] }), 'qemu (test guest)');
      const cleanup = cleanups.push(`end the ${accel} test guest`, () => {
        child.kill('SIGKILL');
      });
      let output = '';
      let stderr = '';
      let observation: GuestObservation | undefined;
      const settle = (seen: GuestObservation): void => {
        observation ??= seen;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => settle({ outcome: 'silent', seconds: options.timeoutSeconds }), options.timeoutSeconds * 1000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('latin1');
        if (output.includes(testGuestMarker)) settle({ outcome: 'ran', seconds: seconds() });
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const done = (seen: GuestObservation): void => {
        clearTimeout(timer);
        cleanup.dismiss();
        resolve(observation ?? seen);
      };
      child.on('error', (error) => done({ outcome: 'exited', code: null, signal: null, stderr: `cannot start ${qemuBinary}: ${error.message}` }));
      child.on('close', (code, signal) => done({ outcome: 'exited', code, signal, stderr }));
    });
  } finally {
    rmSync(image, { force: true });
  }
}
