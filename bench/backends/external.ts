/**
 * Any other daemon: a command template with {lower} and {mnt}, e.g.
 * `/opt/libfuse/build/example/passthrough_hp {lower} {mnt}`, from the --external option only: a profile
 * is data, and must not choose a command the suite runs as root. Run it in the foreground (-f) so the suite
 * can count its syscalls and reap it; a daemon that forks away still works, without those.
 */
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { fuseConnectionOf, mountedDaemons, startDaemon, unmountDaemon, waitForFuseMount } from './daemon.js';
import type { Backend } from './types.js';

/** Splits a command template into argv, honouring single and double quotes; fills {lower} and {mnt}. */
export function expandCommand(template: string, values: { lower: string; mnt: string }): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of template.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3] ?? '');
  if (!template.includes('{mnt}')) throw new UserError(`external command "${template}" has no {mnt} placeholder`, "Write the daemon's command line with {lower} and {mnt}, e.g. '/path/passthrough_hp {lower} {mnt}'.");
  return words.map((word) => word.replaceAll('{lower}', values.lower).replaceAll('{mnt}', values.mnt));
}

const daemons = mountedDaemons();

export const externalBackend: Backend = {
  name: 'external',
  label: 'a daemon of your own, given on the command line: --external \'/path/daemon {lower} {mnt}\'',
  colour: '#ff9da6',
  kernelRequirement: 'whatever your daemon needs (FUSE at least)',
  optionsSchema: z.strictObject({
    command: z.never({ message: 'the external command comes only from --external on the command line, never from a profile' }).optional(),
  }),
  async probe() {
    return { supported: true, facts: {} };
  },
  async mount({ lower, mountpoint, options, onProcess, detached, workDir }) {
    const template = options.command;
    if (typeof template !== 'string' || template.trim() === '') {
      throw new UserError('the external backend needs a command', "Pass --external '/path/daemon {lower} {mnt}'.");
    }
    const [command, ...args] = expandCommand(template, { lower, mnt: mountpoint });
    const daemon = startDaemon({ command: command!, args, onProcess, detachedLogFile: detached ? path.join(workDir, 'daemon.log') : undefined });
    try {
      await waitForFuseMount(daemon, mountpoint, 20_000, { daemonMayExit: true });
    } catch (error) {
      await unmountDaemon({ backend: 'external', mountpoint, lower, info: {} }, daemon).catch(() => {});
      throw error;
    }
    // A daemon that forked to the background has exited with 0 here; the mount is what matters.
    const foreground = !daemon.exit();
    if (foreground) daemons.add(mountpoint, daemon);
    return {
      backend: 'external',
      mountpoint,
      lower,
      daemonPid: foreground ? daemon.pid : undefined,
      fuseConnection: fuseConnectionOf(mountpoint),
      info: { daemon: command, daemonArgs: args.join(' '), commandTemplate: template, foreground },
    };
  },
  unmount: daemons.unmount,
  check: daemons.check,
};
