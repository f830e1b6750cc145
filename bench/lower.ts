/**
 * Which directories may be a run's lower directory. The suite writes its data set into
 * <lower>/fusebench-lower/ and exposes that through every mount, as root, so the choice is checked
 * here, once, for a profile's `lower` and for --lower alike:
 *   - "tmpfs" (the default) is a fresh tmpfs inside the scratch root: always fine;
 *   - a directory must exist and, with every symlink resolved, lie in one of the places meant for data
 *     (LOWER_ROOTS, the scratch root, or a directory listed in $FUSEBENCH_LOWER_ROOTS, colon-separated);
 *   - never `/` or a system directory (/etc, /usr, /proc…), whatever the roots say;
 *   - <lower>/fusebench-lower, if it exists, must be a real directory, not a link that would send the
 *     data set elsewhere.
 * A symlink is judged by where it leads, so a link in /tmp to /etc is refused as /etc.
 */
import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { isInside, scratchRoot } from './scratch.js';

export const LOWER_SUBDIR = 'fusebench-lower';

/** Places meant for data and scratch space on a Linux machine (FHS), where a lower may be. */
export const LOWER_ROOTS = ['/tmp', '/var/tmp', '/mnt', '/media', '/srv', '/home', '/data', '/scratch'];

/** Never a lower directory, nor anything inside them. */
const SYSTEM_DIRS = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr', '/var'];

export function lowerRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.FUSEBENCH_LOWER_ROOTS ?? '').split(':').filter((dir) => path.isAbsolute(dir));
  return [...LOWER_ROOTS, scratchRoot(), ...extra];
}

const within = (dir: string, root: string) => dir === root || isInside(dir, root);

function realpathOrSelf(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/** Why `lower` cannot be the lower directory, or undefined if it can. */
export function lowerProblem(lower: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (lower === 'tmpfs') return undefined;
  const resolved = path.resolve(lower);
  if (!existsSync(resolved)) return `${lower}: no such directory`;
  const real = realpathSync(resolved);
  const shown = real === resolved ? lower : `${lower} (a link to ${real})`;
  if (!statSync(real).isDirectory()) return `${shown}: not a directory`;
  if (real === '/') return `${shown}: the root directory cannot be the lower directory`;
  const roots = lowerRoots(env);
  const realRoots = roots.map(realpathOrSelf);
  // A root strictly inside a system directory (/var/tmp in /var) is a data place; a root equal to a
  // system directory or above it (/, /etc) exempts nothing.
  const exempt = (system: string) => realRoots.some((root) => isInside(root, system) && within(real, root));
  const system = SYSTEM_DIRS.find((dir) => within(real, dir) && !exempt(dir));
  if (system) return `${shown}: inside the system directory ${system}`;
  if (!realRoots.some((root) => within(real, root))) {
    return `${shown}: outside the places a lower directory may be (${roots.join(', ')}); add one with FUSEBENCH_LOWER_ROOTS=/path`;
  }
  const sub = path.join(real, LOWER_SUBDIR);
  if (existsSync(sub) || isDanglingLink(sub)) {
    const stat = lstatSync(sub);
    if (!stat.isDirectory()) return `${shown}: ${sub} exists and is not a plain directory (a link would send the data set elsewhere)`;
  }
  return undefined;
}

function isDanglingLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
