/**
 * overlayfs over the lower tree: the stacked-file-system baseline FUSE-BPF's authors compare against.
 * Read workloads get a read-only overlay (lowerdir only); write workloads get an upper and work
 * directory on a tmpfs of their own, so writes land in the upper layer after copy-up, as overlay does.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readKernelConfig } from '../kernel-facts.js';
import { mountTmpfs, run, unmount } from '../system.js';
import type { Backend, ProbeResult } from './types.js';

const upperMounts = new Map<string, string>();

/** Pure: the probe's verdict from what /proc/filesystems and the config say. */
export function overlayVerdict(filesystems: string, configValue: string | undefined): ProbeResult {
  if (/\boverlay\b/.test(filesystems)) return { supported: true, facts: { filesystem: 'overlay registered' } };
  if (configValue === 'm') return { supported: true, facts: { filesystem: 'overlay is a module (loaded at mount)' } };
  return {
    supported: false,
    reason: `kernel has no overlayfs (not in /proc/filesystems; CONFIG_OVERLAY_FS=${configValue ?? 'unknown'})`,
    facts: {},
    howToEnable: ['modprobe overlay', 'or build the kernel with CONFIG_OVERLAY_FS=y'],
  };
}

export const overlayBackend: Backend = {
  name: 'overlay',
  label: 'overlayfs with the lower tree as lowerdir (plus a tmpfs upper for write workloads)',
  colour: '#e2b80f',
  kernelRequirement: 'overlayfs (CONFIG_OVERLAY_FS)',
  optionsSchema: z.strictObject({}),
  async probe() {
    const { readFileSync } = await import('node:fs');
    return overlayVerdict(readFileSync('/proc/filesystems', 'utf8'), readKernelConfig()?.config.get('CONFIG_OVERLAY_FS'));
  },
  async mount({ lower, mountpoint, workDir, writable }) {
    // A read-only overlay needs two lower layers; an empty one below the real lower changes nothing.
    const empty = path.join(workDir, 'overlay-empty-layer');
    mkdirSync(empty, { recursive: true });
    let options = writable ? `lowerdir=${lower}` : `lowerdir=${lower}:${empty}`;
    if (writable) {
      const layers = path.join(workDir, 'overlay-layers');
      mkdirSync(layers, { recursive: true });
      await mountTmpfs(layers, 4 * 1024 ** 3, 'fusebench-overlay-upper');
      upperMounts.set(mountpoint, layers);
      mkdirSync(path.join(layers, 'upper'));
      mkdirSync(path.join(layers, 'work'));
      options += `,upperdir=${layers}/upper,workdir=${layers}/work`;
    }
    try {
      await run('mount', ['-t', 'overlay', 'fusebench-overlay', '-o', options, mountpoint], `overlay mount on ${mountpoint}`);
    } catch (error) {
      const layers = upperMounts.get(mountpoint);
      if (layers) await unmount(layers);
      upperMounts.delete(mountpoint);
      throw error;
    }
    return { backend: 'overlay', mountpoint, lower, info: { mountOptions: options, layers: writable ? 'lower + tmpfs upper' : 'lower only (read-only)' } };
  },
  async unmount(mount) {
    await unmount(mount.mountpoint);
    const layers = upperMounts.get(mount.mountpoint);
    upperMounts.delete(mount.mountpoint);
    if (layers) await unmount(layers);
    return {};
  },
};
