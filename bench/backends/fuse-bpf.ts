/**
 * FUSE-BPF backing passthrough (Daniel Rosenberg and Paul Lawrence; shipped in Android kernels), with no
 * daemon at all: mount with root_dir=<fd of the lower dir>,no_daemon and an explicit fd= of a fresh
 * /dev/fuse fd (without fd= the Android kernel silently takes fd 0). The daemon form, where LOOKUP replies
 * carry the backing, is its own backend: fuse-bpf-daemon.ts.
 * Only kernels built with FUSE-BPF offer it; elsewhere the probe quotes what the kernel answered.
 */
import { closeSync, constants, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { errorMessage, UserError } from '../errors.js';
import { kernelLogLines, readOptional } from '../kernel-facts.js';
import { findMount, unmount as unmountPath } from '../system.js';
import { trackChild } from '../processes.js';
import { probeDirectory, removeRunDirectory } from '../scratch.js';
import { z } from 'zod';
import type { Backend, ProbeResult } from './types.js';

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

/** The kernel refuses a backing root that is itself on FUSE (stacking depth); say so plainly. */
export function refuseLowerOnFuse(backend: string, lower: string): void {
  if (isOnFuse(lower)) throw new UserError(`${backend}: the lower directory ${lower} is on FUSE, which FUSE-BPF refuses as a backing root`);
}

/** What the kernel must offer, in words, for both FUSE-BPF backends. */
export const FUSE_BPF_REQUIREMENT = 'FUSE-BPF (CONFIG_FUSE_BPF: Android common kernels or the FUSE-BPF patches; not upstream)';

/** Asks the kernel itself: a daemon-less mount of an empty directory, removed at once. */
export async function probeFuseBpf(): Promise<ProbeResult> {
  const feature = readOptional(FUSE_BPF_FEATURE_FILE);
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
}

export const fuseBpfBackend: Backend = {
  name: 'fuse-bpf',
  label: 'FUSE-BPF backing passthrough with no daemon (root_dir=<fd>,no_daemon): the kernel serves the lower tree',
  colour: '#b279a2',
  kernelRequirement: FUSE_BPF_REQUIREMENT,
  optionsSchema: z.strictObject({}),
  probe: probeFuseBpf,
  async mount({ lower, mountpoint }) {
    refuseLowerOnFuse('fuse-bpf', lower);
    await mountNoDaemon(lower, mountpoint);
    return {
      backend: 'fuse-bpf',
      mountpoint,
      lower,
      fuseConnection: Number(findMount(mountpoint)?.device.split(':')[1]),
      info: { mountOptions: noDaemonMountOptions(3, 4) },
    };
  },
  async unmount(mount) {
    if (existsSync(mount.mountpoint)) await unmountPath(mount.mountpoint);
    return {};
  },
};
