/** Probes decide from recorded kernel answers; these are the answers seen on real kernels. */
import { describe, expect, it } from 'vitest';
import { fuseBpfVerdict, noDaemonMountOptions } from '../../bench/backends/fuse-bpf.js';
import { overlayVerdict } from '../../bench/backends/overlay.js';
import { expandCommand } from '../../bench/backends/external.js';
import { featureTable } from '../../bench/doctor.js';
import { parseKernelConfig, type KernelFacts } from '../../bench/kernel-facts.js';

describe('fuse-bpf probe', () => {
  it('is supported on the Android 6.1 kernel, whose feature file reads "supported" and whose trial mount works', () => {
    expect(fuseBpfVerdict('supported', undefined)).toEqual({ supported: true, facts: { fuse_bpf: 'supported' } });
  });
  it('quotes what a 6.18 kernel answered: no feature file, and the mount refused root_dir', () => {
    const verdict = fuseBpfVerdict(undefined, `a root_dir=<fd>,no_daemon mount was refused: wrong fs type, bad option, bad superblock on fusebench-bpf; kernel log: "fuse: Unknown parameter 'root_dir'"`);
    expect(verdict.supported).toBe(false);
    expect(!verdict.supported && verdict.reason).toMatch(/^kernel has no FUSE-BPF \(\/sys\/fs\/fuse\/features\/fuse_bpf absent; .*Unknown parameter 'root_dir'/);
    expect(!verdict.supported && verdict.howToEnable?.join(' ')).toContain('--kernel');
  });
  it('does not trust a feature file whose trial mount failed', () => {
    expect(fuseBpfVerdict('supported', 'mount refused: EINVAL').supported).toBe(false);
  });
  it('always passes fd= explicitly, because without it the Android kernel takes fd 0', () => {
    expect(noDaemonMountOptions(3, 4)).toBe('fd=3,rootmode=40000,user_id=0,group_id=0,root_dir=4,no_daemon');
  });
});

describe('overlay probe', () => {
  it('is supported when overlay is registered', () => {
    expect(overlayVerdict('nodev\ttmpfs\nnodev\toverlay\n', 'y').supported).toBe(true);
  });
  it('is supported when it is a module that mount will load', () => {
    expect(overlayVerdict('nodev\ttmpfs\n', 'm').supported).toBe(true);
  });
  it('says why not when neither', () => {
    const verdict = overlayVerdict('nodev\ttmpfs\n', 'n');
    expect(!verdict.supported && verdict.reason).toBe('kernel has no overlayfs (not in /proc/filesystems; CONFIG_OVERLAY_FS=n)');
  });
});

describe('external command templates', () => {
  it('fills {lower} and {mnt} and keeps quoted words whole', () => {
    expect(expandCommand(`/opt/passthrough_hp --foreground "-o allow_other" {lower} {mnt}`, { lower: '/l', mnt: '/m' })).toEqual(['/opt/passthrough_hp', '--foreground', '-o allow_other', '/l', '/m']);
  });
  it('refuses a template without {mnt}', () => {
    expect(() => expandCommand('/opt/daemon {lower}', { lower: '/l', mnt: '/m' })).toThrow(/no \{mnt\} placeholder/);
  });
});

describe('kernel facts', () => {
  const config = parseKernelConfig('CONFIG_FUSE_FS=y\nCONFIG_FUSE_PASSTHROUGH=y\n# CONFIG_FUSE_BPF is not set\nCONFIG_FUSE_IO_URING=y\n');
  it('parses set and unset options', () => {
    expect(config.get('CONFIG_FUSE_PASSTHROUGH')).toBe('y');
    expect(config.get('CONFIG_FUSE_BPF')).toBe('n');
  });
  const host618: KernelFacts = {
    release: '6.18.44',
    config: { CONFIG_FUSE_PASSTHROUGH: 'y', CONFIG_FUSE_IO_URING: 'y', CONFIG_FUSE_BPF: 'n', CONFIG_OVERLAY_FS: 'y' },
    fuseParameters: { enable_uring: 'N' },
    fuseFeatures: {},
    tracepoints: { 'fuse:fuse_request_send': true, 'fuse:fuse_request_end': true, 'raw_syscalls:sys_enter': true, 'sched:sched_switch': true },
    devFuse: true,
  };
  const android61: KernelFacts = {
    release: '6.1.145',
    config: { CONFIG_FUSE_PASSTHROUGH: 'n', CONFIG_FUSE_IO_URING: 'n', CONFIG_FUSE_BPF: 'y', CONFIG_OVERLAY_FS: 'y' },
    fuseParameters: {},
    fuseFeatures: { fuse_bpf: 'supported' },
    tracepoints: { 'fuse:fuse_request_send': false, 'fuse:fuse_request_end': false, 'raw_syscalls:sys_enter': true, 'sched:sched_switch': true },
    devFuse: true,
  };
  const find = (facts: KernelFacts, prefix: string) => featureTable(facts).find((row) => row.feature.startsWith(prefix))!;
  it('on 6.18: passthrough and io_uring available, with the command that turns io_uring on', () => {
    expect(find(host618, 'FUSE passthrough').available).toBe(true);
    expect(find(host618, 'FUSE over io_uring').available).toBe(true);
    expect(find(host618, 'FUSE over io_uring').howToEnable).toEqual(['echo Y > /sys/module/fuse/parameters/enable_uring']);
    expect(find(host618, 'FUSE-BPF').available).toBe(false);
  });
  it('on Android 6.1: FUSE-BPF available, no fuse tracepoints and no upstream passthrough', () => {
    expect(find(android61, 'FUSE-BPF').available).toBe(true);
    expect(find(android61, 'tracepoint fuse:fuse_request_send').available).toBe(false);
    expect(find(android61, 'FUSE passthrough').available).toBe(false);
    expect(find(android61, 'FUSE over io_uring').available).toBe(false);
  });
});
