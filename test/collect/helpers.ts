/**
 * Real mounts and real collectors for the collector tests: a backend from the registry when it is
 * registered there, else the lead's backend module directly (until the registry lists fuse and
 * fuse-passthrough), each mounted on a fresh lower directory in the scratch root.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getBackend } from '../../bench/backends/registry.js';
import type { Backend, Mount } from '../../bench/backends/types.js';
import type { Collector, CollectorOutput, CollectorSession } from '../../bench/collect/types.js';
import { scratchRoot } from '../../bench/scratch.js';

export type TestBackendName = 'bind' | 'fuse' | 'fuse-passthrough';

export async function testBackend(name: TestBackendName): Promise<Backend> {
  const registered = getBackend(name);
  if (registered) return registered;
  if (name === 'fuse') return (await import('../../bench/backends/fuse.js')).fuseBackend;
  if (name === 'fuse-passthrough') return (await import('../../bench/backends/fuse-passthrough.js')).fusePassthroughBackend;
  throw new Error(`no backend ${name}`);
}

export interface TestMount {
  mount: Mount;
  backend: Backend;
  lower: string;
  workDir: string;
  pids: number[];
  remove(): Promise<void>;
}

/** Mounts `name` over a lower directory filled by `fill`; remove() unmounts and deletes it all. */
export async function mountForTest(name: TestBackendName, options: Record<string, unknown>, fill: (lower: string) => void): Promise<TestMount> {
  const root = scratchRoot();
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(path.join(root, `collect-test-${name}-`));
  const lower = path.join(dir, 'lower');
  const mountpoint = path.join(dir, 'mnt');
  const workDir = path.join(dir, 'work');
  for (const sub of [lower, mountpoint, workDir]) mkdirSync(sub);
  fill(lower);
  const backend = await testBackend(name);
  const pids: number[] = [];
  const mount = await backend.mount({ lower, mountpoint, workDir, options, onProcess: (pid) => pids.push(pid) });
  return {
    mount,
    backend,
    lower,
    workDir,
    pids,
    async remove() {
      await backend.unmount(mount);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function writeFileOfSize(file: string, bytes: number): void {
  const chunk = Buffer.alloc(1024 * 1024, 0x5a);
  writeFileSync(file, '');
  for (let done = 0; done < bytes; done += chunk.length) appendFileSync(file, chunk.subarray(0, Math.min(chunk.length, bytes - done)));
}

/** Runs collectors around `workload` the way the lifecycle does; returns every session's output. */
export async function collectAround(
  collectors: readonly Collector[],
  testMount: TestMount,
  workload: (started: (pid: number) => void) => Promise<{ ioCount: number; bytes: number }>,
): Promise<CollectorOutput[]> {
  const sessions: CollectorSession[] = [];
  const recorded: number[] = [];
  try {
    for (const collector of collectors) sessions.push(await collector.start({ mount: testMount.mount, workDir: testMount.workDir, recordPid: (pid) => recorded.push(pid) }));
    const outcome = await workload((pid) => sessions.forEach((session) => session.workloadStarted?.(pid)));
    return await Promise.all(sessions.map((session) => session.stop(outcome)));
  } catch (error) {
    await Promise.allSettled(sessions.map((session) => session.stop({ ioCount: 0, bytes: 0 })));
    throw error;
  }
}

export const merged = (outputs: CollectorOutput[]) => ({
  metrics: Object.assign({}, ...outputs.map((output) => output.metrics ?? {})) as Record<string, number>,
  requestsByOpcode: Object.assign({}, ...outputs.map((output) => output.requestsByOpcode ?? {})) as Record<string, number>,
  details: Object.assign({}, ...outputs.map((output) => output.details ?? {})) as Record<string, unknown>,
});

export const daemonBuilt = () => existsSync(path.resolve('infra/daemon/build/fusebench-daemon'));
