/**
 * What the guest needs from the kernel it boots, and the check, before booting, that the config
 * found beside the image has it. The config itself is read by kernel-facts.ts, the suite's one parser.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { readKernelConfigFile, type KernelConfig } from '../kernel-facts.js';
import { resolveGuestModules } from './modules.js';

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

/** Kernel options the config that goes with the kernel lacks; fails before booting. */
export function checkKernelBeforeBoot(kernel: string, modules?: string, initrd?: string): { configPath?: string } {
  if (!existsSync(kernel) || !statSync(kernel).isFile()) {
    throw new UserError(`kernel ${kernel} does not exist`, 'Pass the path of a bzImage or vmlinuz to --kernel.');
  }
  const configPath = findKernelConfig(kernel, modules);
  if (configPath === undefined) return {};
  const config = readKernelConfigFile(configPath);
  const missing = missingKernelOptions(config, modules !== undefined || initrd !== undefined);
  if (missing.length > 0) {
    throw new UserError(
      `kernel ${kernel} lacks: ${missing.join(', ')} (from ${configPath})`,
      'Build them in (=y), or as modules (=m) and pass --modules DIR/lib/modules/<release>; see infra/vm/README.md.',
    );
  }
  if (modules !== undefined) {
    const needed: Record<string, string> = {
      CONFIG_VIRTIO_PCI: 'virtio_pci', CONFIG_NET_9P_VIRTIO: '9pnet_virtio', CONFIG_9P_FS: '9p', CONFIG_FUSE_FS: 'fuse',
    };
    const { absent } = resolveGuestModules(modules);
    const lacking = Object.entries(needed).filter(([option, name]) => config.get(option) === 'm' && absent.includes(name));
    if (lacking.length > 0) {
      throw new UserError(
        `modules dir ${modules} lacks: ${lacking.map(([, name]) => `${name}.ko`).join(', ')} (built as modules per ${configPath})`,
      );
    }
  }
  return { configPath };
}
