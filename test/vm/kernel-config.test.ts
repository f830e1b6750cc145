import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseKernelConfig } from '../../bench/kernel-facts.js';
import { findKernelConfig, missingKernelOptions } from '../../bench/vm/kernel-config.js';

const complete = `
CONFIG_VIRTIO_PCI=y
CONFIG_NET_9P_VIRTIO=m
CONFIG_9P_FS=m
CONFIG_FUSE_FS=y
CONFIG_TMPFS=y
CONFIG_DEVTMPFS=y
CONFIG_BLK_DEV_INITRD=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_LOCALVERSION="-x"
`;

describe('kernel config check', () => {
  it('reads y, m and strings, "is not set" as n, which the guest counts as missing', () => {
    const config = parseKernelConfig(`${complete}# CONFIG_OVERLAY_FS is not set\n`);
    expect(config.get('CONFIG_9P_FS')).toBe('m');
    expect(config.get('CONFIG_LOCALVERSION')).toBe('"-x"');
    expect(config.get('CONFIG_OVERLAY_FS')).toBe('n');
    const unset = parseKernelConfig(complete.replace('CONFIG_TMPFS=y', '# CONFIG_TMPFS is not set'));
    expect(missingKernelOptions(unset, true)).toEqual(['CONFIG_TMPFS']);
  });

  it('accepts modules only when a modules dir is given', () => {
    const config = parseKernelConfig(complete);
    expect(missingKernelOptions(config, true)).toEqual([]);
    expect(missingKernelOptions(config, false)).toEqual(['CONFIG_NET_9P_VIRTIO', 'CONFIG_9P_FS']);
  });

  it('never accepts =m for options that cannot be modules', () => {
    const config = parseKernelConfig(complete.replace('CONFIG_TMPFS=y', 'CONFIG_TMPFS=m'));
    expect(missingKernelOptions(config, true)).toEqual(['CONFIG_TMPFS']);
  });

  describe('finding the config of an image', () => {
    let dir = '';
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('takes config beside the image, then config-<release> of an extracted package', () => {
      dir = mkdtempSync(join(tmpdir(), 'fusebench-kconfig-'));
      writeFileSync(join(dir, 'bzImage'), '');
      expect(findKernelConfig(join(dir, 'bzImage'))).toBeUndefined();
      writeFileSync(join(dir, 'config'), complete);
      expect(findKernelConfig(join(dir, 'bzImage'))).toBe(join(dir, 'config'));

      const pkg = join(dir, 'pkg');
      mkdirSync(join(pkg, 'boot'), { recursive: true });
      mkdirSync(join(pkg, 'lib', 'modules', '6.1.0-9-amd64'), { recursive: true });
      writeFileSync(join(pkg, 'boot', 'vmlinuz-6.1.0-9-amd64'), '');
      writeFileSync(join(pkg, 'boot', 'config-6.1.0-9-amd64'), complete);
      expect(findKernelConfig(join(pkg, 'boot', 'vmlinuz-6.1.0-9-amd64'))).toBe(join(pkg, 'boot', 'config-6.1.0-9-amd64'));
      expect(findKernelConfig('/nowhere/bzImage', join(pkg, 'lib', 'modules', '6.1.0-9-amd64'))).toBe(
        join(pkg, 'lib', 'modules', '6.1.0-9-amd64', '..', '..', '..', 'boot', 'config-6.1.0-9-amd64'),
      );
    });
  });
});
