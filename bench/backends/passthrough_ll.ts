/**
 * libfuse's own passthrough_ll example, the plain-FUSE daemon most FUSE work is measured against.
 * `npm run setup` compiles it from the source Debian's libfuse3-dev ships into build/; it runs with
 * its defaults (`-f -o source=LOWER`), and its version and options go into every record.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { trackChild } from '../processes.js';
import { SUITE_ROOT } from '../suite-root.js';
import { daemonMountFields, fuseConnectionOf, mountedDaemons, startDaemon, unmountDaemon, waitForFuseMount } from './daemon.js';
import type { Backend, ProbeResult } from './types.js';

export const PASSTHROUGH_LL_BINARY = path.join(SUITE_ROOT, 'build', 'passthrough_ll');
const EXAMPLE_SOURCE = '/usr/share/doc/libfuse3-dev/examples/passthrough_ll.c';

async function libfuseVersion(): Promise<string> {
  const result = await trackChild(execa('pkg-config', ['--modversion', 'fuse3'], { reject: false, stdin: 'ignore' }), 'pkg-config');
  return result.failed ? 'unknown' : String(result.stdout).trim();
}

const daemons = mountedDaemons();

/**
 * The -o options of passthrough_ll a profile may add, each on its own: source= (what gets exported) is
 * the suite's to choose, and anything else could reach the kernel's mount options unchecked.
 */
const PASSTHROUGH_LL_OPTION = /^(no_)?(writeback|flock|xattr)$|^cache=(never|auto|always)$|^timeout=\d+(\.\d+)?$|^(allow_other|default_permissions)$/;

export const PassthroughLlOptionsSchema = z.strictObject({
  options: z
    .string()
    .refine((value) => value.split(',').every((option) => PASSTHROUGH_LL_OPTION.test(option.trim())), {
      message: 'a comma-separated list of writeback, no_writeback, flock, no_flock, xattr, no_xattr, cache=never|auto|always, timeout=SECONDS, allow_other, default_permissions',
    })
    .optional(),
});

export const passthroughLlBackend: Backend = {
  name: 'passthrough_ll',
  label: "libfuse's passthrough_ll example (Debian's libfuse3), plain FUSE with its default options",
  colour: '#9d755d',
  kernelRequirement: 'FUSE (any Linux)',
  optionsSchema: PassthroughLlOptionsSchema,
  acceptsMountOptions: true,
  async probe(): Promise<ProbeResult> {
    if (!existsSync(PASSTHROUGH_LL_BINARY)) {
      const why = existsSync(EXAMPLE_SOURCE) ? 'run npm run setup to compile it' : `install libfuse3-dev (it ships ${EXAMPLE_SOURCE}) with npm run setup`;
      return { supported: false, reason: `${PASSTHROUGH_LL_BINARY} is not built: ${why}`, facts: {} };
    }
    if (!existsSync('/dev/fuse')) return { supported: false, reason: '/dev/fuse does not exist (modprobe fuse)', facts: {} };
    return { supported: true, facts: { libfuseVersion: await libfuseVersion(), source: EXAMPLE_SOURCE, binary: PASSTHROUGH_LL_BINARY } };
  },
  async mount({ lower, mountpoint, onProcess, detached, workDir, options, daemonCpus }) {
    // Its defaults, unless the profile adds -o options (e.g. "xattr,allow_other" or "cache=always"), and
    // `npm run mount`'s mount options and subtype, which libfuse takes as -o options too.
    const given = [options.options, options.mountOptions, typeof options.subtype === 'string' ? `subtype=${options.subtype}` : undefined];
    const extra = given.filter((value): value is string => typeof value === 'string' && value.trim() !== '').map((value) => `,${value.trim()}`).join('');
    const args = ['-f', '-o', `source=${lower}${extra}`, mountpoint];
    const daemon = startDaemon({ command: PASSTHROUGH_LL_BINARY, args, onProcess, cpus: daemonCpus, detachedLogFile: detached ? path.join(workDir, 'daemon.log') : undefined });
    try {
      await waitForFuseMount(daemon, mountpoint, 15_000);
    } catch (error) {
      await unmountDaemon({ backend: 'passthrough_ll', mountpoint, lower, info: {} }, daemon).catch(() => {});
      throw error;
    }
    daemons.add(mountpoint, daemon);
    return {
      backend: 'passthrough_ll',
      mountpoint,
      lower,
      ...daemonMountFields(daemon),
      fuseConnection: fuseConnectionOf(mountpoint),
      info: { daemon: 'passthrough_ll', daemonArgs: args.join(' '), libfuseVersion: await libfuseVersion() },
    };
  },
  unmount: daemons.unmount,
  check: daemons.check,
};
