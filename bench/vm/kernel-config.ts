import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** What the guest needs from the kernel, and why (printed in README and errors). */
export const requiredKernelOptions = [
  { option: 'CONFIG_VIRTIO_PCI', why: 'virtio devices (the 9p shares)', modular: true },
  { option: 'CONFIG_NET_9P_VIRTIO', why: '9p over virtio', modular: true },
  { option: 'CONFIG_9P_FS', why: 'mounting the host root and output dir', modular: true },
  { option: 'CONFIG_FUSE_FS', why: 'the FUSE paths under test', modular: true },
  { option: 'CONFIG_TMPFS', why: 'writable /tmp and scratch', modular: false },
  { option: 'CONFIG_DEVTMPFS', why: '/dev in the guest', modular: false },
  { option: 'CONFIG_BLK_DEV_INITRD', why: 'booting the runner initramfs', modular: false },
  { option: 'CONFIG_SERIAL_8250_CONSOLE', why: 'console=ttyS0, how results and errors come back', modular: false },
] as const;

export type KernelConfig = ReadonlyMap<string, string>;

/** Parses a kernel .config: `CONFIG_X=y|m|"str"|n`; `# CONFIG_X is not set` counts as absent. */
export function parseKernelConfig(text: string): KernelConfig {
  const options = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) options.set(match[1], match[2]);
  }
  return options;
}

/** Options the guest needs that the config lacks. `=m` counts only when modules are supplied. */
export function missingKernelOptions(config: KernelConfig, haveModules: boolean): string[] {
  return requiredKernelOptions
    .filter(({ option, modular }) => {
      const value = config.get(option);
      if (value === 'y') return false;
      return !(value === 'm' && modular && haveModules);
    })
    .map(({ option }) => option);
}

/** Options built as modules: those must come from --modules (or --initrd). */
export function modularKernelOptions(config: KernelConfig): string[] {
  return requiredKernelOptions.filter(({ option }) => config.get(option) === 'm').map(({ option }) => option);
}

/**
 * The config that belongs to a kernel image, if one is next to it: `config` or `.config` beside the
 * image, `config-<release>` beside a `vmlinuz-<release>`, or `boot/config-<release>` for a modules
 * dir `…/lib/modules/<release>` (the layout of an extracted Debian package).
 */
export function findKernelConfig(kernel: string, modulesDir?: string): string | undefined {
  const dir = dirname(kernel);
  const candidates = [join(dir, 'config'), join(dir, '.config')];
  const image = /^(?:vmlinuz|bzImage|vmlinux)-(.+)$/.exec(basename(kernel));
  if (image?.[1] !== undefined) candidates.push(join(dir, `config-${image[1]}`));
  if (modulesDir !== undefined) {
    const release = basename(modulesDir);
    candidates.push(join(modulesDir, '..', '..', '..', 'boot', `config-${release}`));
    candidates.push(join(modulesDir, 'build', '.config'));
  }
  return candidates.find((path) => existsSync(path));
}

export function readKernelConfig(path: string): KernelConfig {
  return parseKernelConfig(readFileSync(path, 'utf8'));
}
