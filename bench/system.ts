/**
 * Thin wrappers over the mount table and processes. Node has no mount(2), so mounts go through
 * util-linux's mount/umount; everything here is an edge with side effects, kept small.
 */
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { UserError } from './errors.js';
import { trackChild } from './processes.js';

// Process helpers live with the registry of started processes; re-exported for the many callers here.
export { processAlive, processCommandLine, terminate } from './processes.js';

export interface MountEntry {
  mountId: number;
  /** major:minor of the mounted device; for FUSE the minor is the connection id. */
  device: string;
  mountpoint: string;
  fsType: string;
  source: string;
  options: string;
}

/** Octal escapes (\040 for space…) as /proc/self/mountinfo writes them. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseMountinfo(text: string): MountEntry[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [before, after] = line.split(' - ');
      const fields = (before ?? '').split(' ');
      const tail = (after ?? '').split(' ');
      return {
        mountId: Number(fields[0]),
        device: fields[2] ?? '',
        mountpoint: unescapeMountField(fields[4] ?? ''),
        fsType: tail[0] ?? '',
        source: unescapeMountField(tail[1] ?? ''),
        options: `${fields[5] ?? ''},${tail[2] ?? ''}`,
      };
    });
}

export function readMounts(): MountEntry[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

export function findMount(mountpoint: string): MountEntry | undefined {
  // The last entry wins: mounts stacked on the same path shadow earlier ones.
  return readMounts().filter((entry) => entry.mountpoint === mountpoint).at(-1);
}

export function isMounted(mountpoint: string): boolean {
  return findMount(mountpoint) !== undefined;
}

export async function run(command: string, args: string[], what: string): Promise<string> {
  const result = await trackChild(execa(command, args, { reject: false, stdin: 'ignore' }), command);
  if (result.failed) {
    const detail = String(result.stderr || result.stdout || result.shortMessage || '').trim().split('\n').slice(-3).join(' / ');
    throw new UserError(`${what} failed: ${detail}`);
  }
  return result.stdout;
}

export async function mountBind(source: string, target: string): Promise<void> {
  await run('mount', ['--bind', source, target], `bind mount of ${source} on ${target}`);
}

export async function mountTmpfs(target: string, sizeBytes: number, name = 'fusebench'): Promise<void> {
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755`, name, target], `tmpfs mount on ${target}`);
}

/**
 * Unmount, falling back to a lazy unmount when the mount is busy. Never throws for "not mounted":
 * cleanup paths call this for mounts that may already be gone.
 */
export async function unmount(target: string): Promise<void> {
  if (!isMounted(target)) return;
  const plain = await trackChild(execa('umount', [target], { reject: false, stdin: 'ignore' }), 'umount');
  if (!plain.failed || !isMounted(target)) return;
  await run('umount', ['-l', target], `lazy unmount of ${target}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
