/**
 * The files one guest boot makes on the host, and how they come back or go: a temp dir for the
 * initramfs (removed after the boot, or by the suite's cleanup stack on a signal or an error), the
 * exit-code file the guest's init writes into the output share, and the command's stdout file.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cleanups } from '../cleanup.js';
import { scratchRoot } from '../scratch.js';

let bootCounter = 0;

export interface GuestFiles {
  /** Where the initramfs tree and archive are built. */
  dir: string;
  /** Written by the guest's init into the output share: the command's exit code. */
  exitFile: string;
  /** Removes the temp dir and the exit-code file (once; the cleanup stack forgets them). */
  remove(): Promise<void>;
}

/**
 * A fresh temp dir for one boot, with its removal on the cleanup stack. It lives in the scratch root,
 * in this process's run-<pid> directory, so `npm run cleanup` finds what a killed run left.
 */
export function guestFiles(outDir: string, nonce: string): GuestFiles {
  const dir = join(guestFilesRoot(), `boot-${++bootCounter}`);
  const exitFile = join(outDir, `.vm-exit-code-${nonce}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const cleanup = cleanups.push(`remove the guest's files ${dir}`, () => {
    removeTempDir(dir);
    rmSync(exitFile, { force: true });
  });
  return { dir, exitFile, remove: () => cleanup.run() };
}

/** This process's directory for guest boots: <scratch root>/run-<pid>/vm. */
export function guestFilesRoot(): string {
  return join(scratchRoot(), `run-${process.pid}`, 'vm');
}

/** Removes the boot's dir, then vm/ and run-<pid>/ when nothing else is left in them. */
function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  for (const parent of [dirname(dir), dirname(dirname(dir))]) {
    if (existsSync(parent) && readdirSync(parent).length === 0) rmSync(parent, { recursive: true, force: true });
  }
}

/** The exit code the guest's init wrote (it takes precedence over the console's EXIT marker); undefined without the file. */
export function readExitFile(exitFile: string): number | undefined {
  if (!existsSync(exitFile)) return undefined;
  return Number.parseInt(readFileSync(exitFile, 'utf8').trim(), 10);
}

/** The command's stdout as the guest wrote it into the output share, if it did. */
export function readGuestStdout(stdoutFile: string | undefined): string | undefined {
  return stdoutFile !== undefined && existsSync(stdoutFile) ? readFileSync(stdoutFile, 'utf8') : undefined;
}
