/**
 * FUSE-BPF backing passthrough (Daniel Rosenberg and Paul Lawrence; shipped in Android kernels).
 * Two flavours, picked by backendOptions.flavour:
 *   - no-daemon (default): mount with root_dir=<fd of the lower dir>,no_daemon and an explicit fd= of a
 *     fresh /dev/fuse fd (without fd= the Android kernel silently takes fd 0). No daemon at all.
 *   - daemon: our daemon's --mode bpf answers LOOKUP with a backing block (Android's
 *     fuse_entry_bpf_out, or the RFC forms), so the kernel serves everything below from the lower tree.
 * Only kernels built with FUSE-BPF offer it; elsewhere the probe quotes what the kernel answered.
 */
import { closeSync, constants, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { trackChild } from '../processes.js';
import { errorMessage, UserError } from '../errors.js';
import { kernelLogLines, readOptional } from '../kernel-facts.js';
import { findMount, unmount as unmountPath } from '../system.js';
import { probeDirectory, removeRunDirectory } from '../scratch.js';
import { makeDaemonBackend } from './fusebench-daemon.js';
import type { Backend, MountRequest, ProbeResult } from './types.js';

export const FUSE_BPF_FEATURE_FILE = '/sys/fs/fuse/features/fuse_bpf';

/** The kernel's mount options for a daemon-less FUSE-BPF mount, with the fd numbers the child sees. */
export function noDaemonMountOptions(fuseFd: number, rootDirFd: number): string {
  return `fd=${fuseFd},rootmode=40000,user_id=0,group_id=0,root_dir=${rootDirFd},no_daemon`;
}

/**
 * mount(8) with the /dev/fuse fd and the lower directory's fd inherited as fds 3 and 4; -i keeps it
 * from running a mount.fuse helper, so the options go to the kernel untouched.
 */
async function mountNoDaemon(lower: string, mountpoint: string): Promise<void> {
  const fuseFd = openSync('/dev/fuse', constants.O_RDWR);
  const dirFd = openSync(lower, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    const result = await trackChild(execa('mount', ['-i', '-t', 'fuse', '-o', noDaemonMountOptions(3, 4), 'fusebench-bpf', mountpoint], {
      reject: false,
      // Numeric entries pass these open fds to the child as its fds 3 and 4.
      stdio: ['ignore', 'pipe', 'pipe', fuseFd, dirFd] as unknown as ['ignore', 'pipe', 'pipe'],
    }), 'mount');
    if (result.failed) {
      // mount(8) wraps EINVAL in a paragraph; keep its gist and let the kernel's own log line speak.
      const firstLine = String(result.stderr).trim().split('\n')[0] ?? result.shortMessage;
      const gist = (firstLine ?? '').replace(/^mount: [^:]+: /, '').replace(/, missing codepage.*$/, '');
      const kernelSays = [...new Set(await kernelLogLines(/fuse: /i, 3))].filter((line) => !/init \(API/.test(line)).slice(-1);
      const said = kernelSays.length > 0 ? `; kernel log: "${kernelSays[0]!.trim()}"` : '';
      throw new UserError(`a root_dir=<fd>,no_daemon mount was refused: ${gist}${said}`);
    }
  } finally {
    // The kernel holds its own references once mounted; both fds may be closed right away.
    closeSync(fuseFd);
    closeSync(dirFd);
  }
}

/** Pure: the verdict from the feature file's content and, when absent, a trial mount's outcome. */
export function fuseBpfVerdict(featureFile: string | undefined, trialMountError: string | undefined): ProbeResult {
  if (featureFile === 'supported' && trialMountError === undefined) return { supported: true, facts: { fuse_bpf: featureFile } };
  const feature = featureFile === undefined ? `${FUSE_BPF_FEATURE_FILE} absent` : `${FUSE_BPF_FEATURE_FILE} reads "${featureFile}"`;
  const trial = trialMountError === undefined ? '' : `; ${trialMountError}`;
  return {
    supported: false,
    reason: `kernel has no FUSE-BPF (${feature}${trial})`,
    facts: featureFile === undefined ? {} : { fuse_bpf: featureFile },
    howToEnable: [
      'FUSE-BPF is not upstream: boot an Android common kernel or a kernel built with the FUSE-BPF patches (CONFIG_FUSE_BPF=y)',
      'then run the suite on it in a guest: npm run bench -- --kernel PATH/bzImage …',
    ],
  };
}

const isOnFuse = (dir: string) => findMount(dir)?.fsType.startsWith('fuse') ?? false;

export type FuseBpfFlavour = 'no-daemon' | 'daemon';

/** Pure: the flavour a profile's backendOptions ask for (default no-daemon). */
export function fuseBpfFlavour(options: Record<string, unknown>): FuseBpfFlavour {
  const flavour = options.flavour ?? 'no-daemon';
  if (flavour === 'no-daemon' || flavour === 'daemon') return flavour;
  throw new UserError(`fuse-bpf: backendOptions.flavour must be "no-daemon" or "daemon", got ${JSON.stringify(flavour)}`);
}

/**
 * The daemon flavour: our daemon's --mode bpf. It answers INIT, one LOOKUP per root entry (with the
 * backing block) and GETATTR of the root; everything below is served by the kernel from the lower
 * tree. On a kernel without FUSE-BPF the daemon exits after its first LOOKUP reply is refused.
 */
const fuseBpfDaemon = makeDaemonBackend('fuse-bpf', 'bpf', 'our daemon, bpf mode: LOOKUP replies attach the lower file or directory', {
  needsKernelFeature: 'FUSE-BPF (CONFIG_FUSE_BPF, Android kernels)',
});

function daemonOptions(request: MountRequest): Record<string, unknown> {
  const { flavour: _flavour, ...knobs } = request.options;
  return knobs;
}

export const fuseBpfBackend: Backend = {
  name: 'fuse-bpf',
  summary: 'FUSE-BPF backing passthrough (root_dir=<fd>,no_daemon): Android and patched kernels only',
  capabilities: { needsDaemon: false, fuse: true, writable: true, needsKernelFeature: 'FUSE-BPF (CONFIG_FUSE_BPF, Android kernels)' },
  async probe() {
    const feature = readOptional(FUSE_BPF_FEATURE_FILE);
    // Ask the kernel itself: a daemon-less mount of an empty directory, removed at once.
    const dir = probeDirectory('fuse-bpf');
    const lower = path.join(dir, 'lower');
    const mnt = path.join(dir, 'mnt');
    mkdirSync(lower);
    mkdirSync(mnt);
    let trialError: string | undefined;
    try {
      await mountNoDaemon(lower, mnt);
      await unmountPath(mnt);
    } catch (error) {
      trialError = errorMessage(error);
    } finally {
      if (findMount(mnt)) await unmountPath(mnt).catch(() => {});
      await removeRunDirectory(dir);
    }
    return fuseBpfVerdict(feature, trialError);
  },
  async mount(request) {
    const { lower, mountpoint } = request;
    // The kernel refuses a backing root that is itself on FUSE (stacking depth); say so plainly.
    if (isOnFuse(lower)) throw new UserError(`fuse-bpf: the lower directory ${lower} is on FUSE, which FUSE-BPF refuses as a backing root`);
    if (fuseBpfFlavour(request.options) === 'daemon') {
      const mounted = await fuseBpfDaemon.mount({ ...request, options: daemonOptions(request) });
      return { ...mounted, info: { ...mounted.info, flavour: 'daemon' } };
    }
    await mountNoDaemon(lower, mountpoint);
    return {
      backend: 'fuse-bpf',
      mountpoint,
      lower,
      fuseConnection: Number(findMount(mountpoint)?.device.split(':')[1]),
      info: { flavour: 'no-daemon', mountOptions: noDaemonMountOptions(3, 4) },
    };
  },
  async unmount(mount) {
    if (mount.info.flavour === 'daemon') return fuseBpfDaemon.unmount(mount);
    if (existsSync(mount.mountpoint)) await unmountPath(mount.mountpoint);
    return {};
  },
  async check(mount) {
    return mount.info.flavour === 'daemon' ? fuseBpfDaemon.check?.(mount) : undefined;
  },
};
