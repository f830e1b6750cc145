/**
 * Any other daemon: a command template with {lower} and {mnt}, e.g.
 * `/opt/libfuse/build/example/passthrough_hp {lower} {mnt}`, from the command line only (--external, or
 * --external NAME=CMD for several in one run): a profile is data, and must not choose a command the
 * suite runs as root. The daemon may stay in the foreground or daemonize: it runs in a cgroup of its
 * own, so whatever processes it becomes are counted, watched and ended.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { daemonMountFields, fuseConnectionOf, mountedDaemons, startDaemon, unmountDaemon, waitForFuseMount, type DaemonProcess } from './daemon.js';
import { uringTransport } from './fuse-uring.js';
import type { Backend, Mount } from './types.js';

/** Splits a command template into argv, honouring single and double quotes; fills {lower} and {mnt}. */
export function expandCommand(template: string, values: { lower: string; mnt: string }): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of template.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3] ?? '');
  if (!template.includes('{mnt}')) throw new UserError(`external command "${template}" has no {mnt} placeholder`, "Write the daemon's command line with {lower} and {mnt}, e.g. '/path/passthrough_hp {lower} {mnt}'.");
  return words.map((word) => word.replaceAll('{lower}', values.lower).replaceAll('{mnt}', values.mnt));
}

export interface ExternalDaemon {
  /** The backend name: `external` for a plain --external, else the NAME of --external NAME=CMD. */
  name: string;
  /** The command template, from the command line. */
  command?: string;
  /** Serves over FUSE io_uring: enable_uring is set to Y for its runs and restored after. */
  uring?: boolean;
}

const EXTERNAL_COLOUR = '#ff9da6';

/** Does any of these processes hold an io_uring (an fd on anon_inode:[io_uring])? */
export function holdsIoUring(pids: readonly number[]): boolean {
  return pids.some((pid) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:[io_uring]';
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  });
}

/**
 * libfuse's `-o io_uring` falls back to /dev/fuse without a word when the kernel refuses the ring (or
 * the option is missing from the command): a cell labelled io_uring would then measure /dev/fuse. The
 * ring's fds are the evidence; their absence fails the mount.
 */
async function ringProblem(daemon: DaemonProcess): Promise<string | undefined> {
  for (let waited = 0; waited <= 2000; waited += 100) {
    const pids = daemon.cgroup ? daemon.cgroup.pids() : daemon.exit() === undefined ? [daemon.pid] : [];
    if (holdsIoUring(pids)) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return 'the daemon mounted, but none of its processes holds an io_uring: it serves over /dev/fuse (is -o io_uring in its command, and does the kernel accept the ring?)';
}

/** One external daemon as a backend of its own, with its own name (and so its own cells and colour). */
export function makeExternalBackend(external: ExternalDaemon): Backend {
  const { name } = external;
  const daemons = mountedDaemons();
  const uring = external.uring === true;
  return {
    name,
    label: external.command ? `${name}: ${external.command}${uring ? ' (over FUSE io_uring)' : ''}` : "a daemon of your own, given on the command line: --external '/path/daemon {lower} {mnt}'",
    colour: EXTERNAL_COLOUR,
    kernelRequirement: uring ? 'FUSE over io_uring (enable_uring turned on per run), and whatever the daemon needs' : 'whatever your daemon needs (FUSE at least)',
    optionsSchema: z.strictObject({
      command: z.never({ message: 'the external command comes only from --external on the command line, never from a profile' }).optional(),
    }),
    async probe() {
      if (!uring) return { supported: true, facts: {} };
      const refused = uringTransport.precheck?.();
      return refused ? { supported: false, reason: refused.reason, facts: {}, ...(refused.howToEnable ? { howToEnable: refused.howToEnable } : {}) } : { supported: true, facts: uringTransport.facts?.() ?? {} };
    },
    async mount({ lower, mountpoint, options, onProcess, detached, workDir, daemonCpus }): Promise<Mount> {
      const template = typeof options.command === 'string' ? options.command : external.command;
      if (typeof template !== 'string' || template.trim() === '') {
        throw new UserError(`the ${name} backend needs a command`, name === 'external' ? "Pass --external '/path/daemon {lower} {mnt}'." : `Pass --external ${name}='/path/daemon {lower} {mnt}'.`);
      }
      const [command, ...args] = expandCommand(template, { lower, mnt: mountpoint });
      if (uring) uringTransport.acquire?.();
      try {
        const daemon = startDaemon({ command: command!, args, onProcess, mayDaemonize: true, cpus: daemonCpus, detachedLogFile: detached ? path.join(workDir, 'daemon.log') : undefined });
        try {
          await waitForFuseMount(daemon, mountpoint, 20_000);
          const problem = uring ? await ringProblem(daemon) : undefined;
          if (problem) throw new UserError(`${name}: ${problem}`);
        } catch (error) {
          await unmountDaemon({ backend: name, mountpoint, lower, info: {} }, daemon).catch(() => {});
          throw error;
        }
        daemons.add(mountpoint, daemon);
        return {
          backend: name,
          mountpoint,
          lower,
          ...daemonMountFields(daemon),
          fuseConnection: fuseConnectionOf(mountpoint),
          info: { daemon: command, daemonArgs: args.join(' '), commandTemplate: template, ...(uring ? { transport: 'uring' } : {}) },
        };
      } catch (error) {
        if (uring) await uringTransport.release?.();
        throw error;
      }
    },
    async unmount(mount) {
      try {
        return await daemons.unmount(mount);
      } finally {
        if (uring) await uringTransport.release?.();
      }
    },
    check: daemons.check,
  };
}

/** The plain `external` backend of the registry: its command arrives as an option from --external. */
export const externalBackend: Backend = makeExternalBackend({ name: 'external' });
