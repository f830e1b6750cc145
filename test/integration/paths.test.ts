/** The other paths on the host kernel, for real: what runs, and what is reported unsupported and why. */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SummarySchema } from '../../bench/results/schema.js';
import { readMounts } from '../../bench/system.js';
import { cli, FIXTURE_PROFILES } from '../helpers/cli.js';
import { missingRootOrFio, skipUnless } from '../helpers/kernel.js';

const env = { FUSEBENCH_SCRATCH: '/tmp/fb-test-paths' };

describe.skipIf(skipUnless(missingRootOrFio()))('other paths on the host kernel', () => {
  it('fuse-bpf is reported unsupported with the kernel\'s real answer, and the run goes on with overlay and bind', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-paths-'));
    const result = await cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'tiny-seqread.yaml'), '--backends', 'bind,fuse-bpf,overlay', '--runtime', '1', '--repeat', '1', '--out', out], { env });
    expect(result.exitCode, result.all).toBe(0);
    const summary = SummarySchema.parse(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')));
    const bpf = summary.unsupported.find((entry) => entry.backend === 'fuse-bpf');
    expect(bpf?.reason).toMatch(/^kernel has no FUSE-BPF \(\/sys\/fs\/fuse\/features\/fuse_bpf absent; a root_dir=<fd>,no_daemon mount was refused: .*Unknown parameter 'root_dir'/);
    const overlay = summary.cells.find((cell) => cell.backend === 'overlay');
    expect(overlay?.metrics.readBandwidthMiBps?.median).toBeGreaterThan(0);
    expect(summary.cells.find((cell) => cell.backend === 'bind')?.metrics.readBandwidthMiBps?.median).toBeGreaterThan(0);
    expect(readMounts().filter((entry) => entry.mountpoint.startsWith(`${env.FUSEBENCH_SCRATCH}/`))).toEqual([]);
  });

  it('passthrough records name the ABI, read without READ requests, and fuse-uring leaves enable_uring as it found it', async () => {
    const { readFileSync: read } = await import('node:fs');
    const uringBefore = read('/sys/module/fuse/parameters/enable_uring', 'utf8').trim();
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-abi-'));
    const result = await cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'tiny-seqread.yaml'), '--backends', 'fuse-passthrough,fuse-uring', '--runtime', '1', '--repeat', '1', '--out', out], { env });
    expect(result.exitCode, result.all).toBe(0);
    const records = read(path.join(out, 'runs.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { backend: string; state: string; mount: Record<string, unknown>; requestsByOpcode?: Record<string, number> });
    const passthrough = records.find((record) => record.backend === 'fuse-passthrough')!;
    expect(passthrough.state).toBe('completed');
    expect(passthrough.mount.passthroughAbi).toBe('upstream-backing');
    expect(passthrough.requestsByOpcode?.READ ?? 0).toBe(0);
    expect(passthrough.requestsByOpcode?.OPEN).toBeGreaterThan(0);
    const uring = records.find((record) => record.backend === 'fuse-uring')!;
    expect(uring.state).toBe('completed');
    expect(uring.mount.transport).toBe('uring');
    expect(uring.requestsByOpcode?.READ).toBeGreaterThan(0);
    expect(read('/sys/module/fuse/parameters/enable_uring', 'utf8').trim()).toBe(uringBefore);
  });

  it('doctor reports upstream passthrough, io_uring and the tracepoints as available', async () => {
    const result = await cli(['doctor', '--json'], { env });
    expect(result.exitCode, result.all).toBe(0);
    const report = JSON.parse(String(result.stdout)) as { features: Array<{ feature: string; available: boolean }>; backends: Array<{ backend: string; supported: boolean; reason?: string }> };
    const feature = (prefix: string) => report.features.find((row) => row.feature.startsWith(prefix))?.available;
    expect(feature('FUSE passthrough')).toBe(true);
    expect(feature('FUSE over io_uring')).toBe(true);
    expect(feature('tracepoint fuse:fuse_request_send')).toBe(true);
    expect(feature('tracepoint fuse:fuse_request_end')).toBe(true);
    const backend = (name: string) => report.backends.find((row) => row.backend === name);
    expect(backend('bind')?.supported).toBe(true);
    expect(backend('fuse-passthrough')?.supported).toBe(true);
    expect(backend('fuse-bpf')?.supported).toBe(false);
  });
});
