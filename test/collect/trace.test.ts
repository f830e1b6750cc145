/**
 * The trace, proc and daemon-stats collectors on real mounts, with real bpftrace and fio: exact
 * request counts for known sequences, the cross-check, and nothing left behind.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCollectors } from '../../bench/collect/index.js';
import { traceCollector, traceOutput, TRACEFS } from '../../bench/collect/trace.js';
import { parseTraceOutput } from '../../bench/collect/trace-parse.js';
import { processAlive, readMounts } from '../../bench/system.js';
import { runFio } from '../../bench/workloads/fio.js';
import { tsNode } from '../helpers/cli.js';
import { missingRootOrFio, skipUnless } from '../helpers/kernel.js';
import { collectAround, daemonBuilt, merged, mountForTest, writeFileOfSize, type TestMount } from './helpers.js';

function missingTracing(): string | undefined {
  const missing = missingRootOrFio();
  if (missing) return missing;
  if (!['/usr/bin/bpftrace', '/usr/sbin/bpftrace', '/usr/local/bin/bpftrace'].some(existsSync)) return 'bpftrace is not installed (npm run setup)';
  if (!daemonBuilt()) return 'the daemon is not built (infra/daemon/build/fusebench-daemon; npm run setup)';
  if (existsSync(path.join(TRACEFS, 'events')) && !existsSync(path.join(TRACEFS, 'events', 'fuse', 'fuse_request_send'))) return 'this kernel has no fuse tracepoints (Linux 6.12+)';
  return undefined;
}

const instances = () => (existsSync(path.join(TRACEFS, 'instances')) ? readdirSync(path.join(TRACEFS, 'instances')).sort() : []);
/** bpftrace processes running our script from below dir: other tests (and other checkouts) trace too. */
const tracerProcesses = (dir: string) =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmdline.includes('fusebench-trace.bt') && cmdline.includes(dir);
      } catch {
        return false;
      }
    });

const MiB = 1024 * 1024;

async function fioRead(testMount: TestMount, started: (pid: number) => void, bs: string, bytes: number) {
  const job = `[global]\nioengine=psync\nbs=${bs}\nrw=read\nsize=${bytes}\n[read]\nfilename=${path.join(testMount.mount.mountpoint, 'data')}\n`;
  const fio = await runFio(job, testMount.workDir, { onStart: started });
  return { ioCount: fio.result.metrics.ioCount ?? 0, bytes };
}

async function withMount<T>(name: 'bind' | 'fuse' | 'fuse-passthrough', options: Record<string, unknown>, bytes: number, body: (testMount: TestMount) => Promise<T>): Promise<T> {
  const testMount = await mountForTest(name, options, (lower) => writeFileOfSize(path.join(lower, 'data'), bytes));
  try {
    return await body(testMount);
  } finally {
    await testMount.remove();
  }
}

describe.skipIf(skipUnless(missingTracing()))('collectors on real mounts', () => {
  it('N stat() calls at --cache never give at least N GETATTR/STATX requests, and the daemon agrees', async () => {
    const before = instances();
    const recorded: number[] = [];
    const n = 50;
    const out = await withMount('fuse', { cache: 'never' }, 4096, async (testMount) => {
      const collectors = defaultCollectors({ trace: true, syscalls: true });
      const sessions = [];
      for (const collector of collectors) sessions.push(await collector.start({ mount: testMount.mount, workDir: testMount.workDir, recordPid: (pid) => recorded.push(pid) }));
      for (let i = 0; i < n; i++) statSync(path.join(testMount.mount.mountpoint, 'data'));
      return merged(await Promise.all(sessions.map((session) => session.stop({ ioCount: n, bytes: 0 }))));
    });
    const attrs = (out.requestsByOpcode.GETATTR ?? 0) + (out.requestsByOpcode.STATX ?? 0);
    expect(attrs).toBeGreaterThanOrEqual(n);
    expect(out.metrics.requestsTotal).toBeGreaterThanOrEqual(n);
    expect(out.metrics.lostEvents).toBe(0);
    expect(out.details.crossCheck).toMatchObject({ agreed: true });
    expect(recorded).toHaveLength(1);
    expect(processAlive(recorded[0]!)).toBe(false);
    expect(instances()).toEqual(before);
  });

  it('a bind mount gives zero FUSE requests, counted by the same program, and tracks fio\'s process tree', async () => {
    const out = await withMount('bind', {}, 8 * MiB, async (testMount) =>
      merged(await collectAround(defaultCollectors({ trace: true, syscalls: true }), testMount, async (started) => {
        for (let i = 0; i < 10; i++) statSync(path.join(testMount.mount.mountpoint, 'data'));
        return fioRead(testMount, started, '4k', 8 * MiB);
      })),
    );
    expect(out.requestsByOpcode).toEqual({});
    expect(out.metrics.requestsTotal).toBe(0);
    expect(out.details.trace).toMatchObject({ workloadTracked: true, lostEvents: 0 });
    // fio psync reads 4 KiB per pread: at least one syscall per I/O, counted in the forked job process.
    expect(out.metrics.workloadSyscallsPerIo).toBeGreaterThanOrEqual(1);
    expect(out.metrics.daemonSyscallsPerIo).toBeUndefined();
    expect(out.details.crossCheckSkipped).toMatch(/no daemon/);
    expect(out.metrics.systemCpuUsPerIo).toBeGreaterThan(0);
  });

  it('reading 64 MiB through fuse-passthrough sends no READ request', async () => {
    const out = await withMount('fuse-passthrough', {}, 64 * MiB, async (testMount) =>
      merged(await collectAround(defaultCollectors({ trace: true, syscalls: true }), testMount, (started) => fioRead(testMount, started, '1m', 64 * MiB))),
    );
    expect(out.requestsByOpcode.OPEN).toBeGreaterThanOrEqual(1);
    expect(out.requestsByOpcode.READ ?? 0).toBe(0);
    expect(out.details.crossCheck).toMatchObject({ agreed: true });
  });

  it('reading 64 MiB through plain fuse sends between 64 MiB / max_read and 64 MiB / 4 KiB READs, and the daemon agrees', async () => {
    const out = await withMount('fuse', {}, 64 * MiB, async (testMount) =>
      merged(await collectAround(defaultCollectors({ trace: true, syscalls: true }), testMount, (started) => fioRead(testMount, started, '1m', 64 * MiB))),
    );
    const reads = out.requestsByOpcode.READ ?? 0;
    // max_read is at most FUSE_MAX_MAX_PAGES (256) pages = 1 MiB.
    expect(reads).toBeGreaterThanOrEqual(64);
    expect(reads).toBeLessThanOrEqual((64 * MiB) / 4096);
    expect(out.metrics['requestLatencyP99Us:READ']).toBeGreaterThan(0);
    expect(out.metrics.daemonCpuUsPerIo).toBeGreaterThanOrEqual(0);
    expect(out.details.crossCheck).toMatchObject({ agreed: true });
    const latency = (out.details.trace as { requestLatencyByOpcode: Record<string, { count: number }> }).requestLatencyByOpcode;
    expect(latency.READ!.count).toBe(reads);
  });

  it('a workload that fails leaves no bpftrace process and no tracefs instance', async () => {
    const before = instances();
    const recorded: number[] = [];
    let workDir = '';
    await withMount('bind', {}, 4096, async (testMount) => {
      workDir = testMount.workDir;
      const session = await traceCollector().start({ mount: testMount.mount, workDir: testMount.workDir, recordPid: (pid) => recorded.push(pid) });
      try {
        throw new Error('workload failed');
      } catch {
        await session.stop({ ioCount: 0, bytes: 0 });
      }
    });
    expect(recorded).toHaveLength(1);
    expect(processAlive(recorded[0]!)).toBe(false);
    expect(tracerProcesses(workDir)).toEqual([]);
    expect(instances()).toEqual(before);
  });

  it('SIGINT while tracing ends bpftrace and unmounts, with exit status 130', async () => {
    const before = instances();
    const child = tsNode(path.join(import.meta.dirname, 'sigint-child.ts'));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.all!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('tracing')) resolve();
      });
      void child.then(() => reject(new Error(`child exited early: ${output}`)));
    });
    const pid = Number(/bpftrace (\d+)/.exec(output)?.[1]);
    expect(processAlive(pid)).toBe(true);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, result.all).toBe(130);
    expect(processAlive(pid)).toBe(false);
    expect(tracerProcesses('collect-test-')).toEqual([]);
    expect(instances()).toEqual(before);
    expect(readMounts().filter((entry) => entry.mountpoint.includes('collect-test-'))).toEqual([]);
  });
});

describe('metrics of a traced run', () => {
  it('are named with units and qualifiers, per I/O only when there was I/O', () => {
    const counts = parseTraceOutput(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'trace', 'bpftrace-fuse-stat20-read8m.jsonl'), 'utf8'));
    const output = traceOutput(counts, { ioCount: 2048 }, { connection: 40, daemon: true, workloadPid: counts.workloadTasks[0] });
    expect(output.metrics).toMatchObject({ requestsTotal: 2099, 'requestsPerIo:READ': 1, lostEvents: 0 });
    expect(output.metrics!['requestLatencyP50Us:READ']).toBeGreaterThan(0);
    expect(output.metrics!.daemonSyscallsPerIo).toBeGreaterThan(3);
    expect(output.metrics!.workloadSyscallsPerIo).toBeGreaterThan(1);
    const idle = traceOutput(counts, { ioCount: 0 }, { connection: 40, daemon: true });
    expect(idle.metrics!.requestsPerIo).toBeUndefined();
    expect(idle.metrics!.workloadSyscallsPerIo).toBeUndefined();
    expect(idle.details!.trace).toMatchObject({ workloadTracked: false });
  });
});
