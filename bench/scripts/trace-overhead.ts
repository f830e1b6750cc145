/**
 * What tracing costs the workload: plain `fuse`, fio 4 KiB random reads (psync, page cache bypassed
 * by the daemon's --cache never), alternately traced (all default collectors) and untraced (proc
 * only), on one mount, in one process. Prints the median IOPS of each and their ratio.
 *
 *   npm run bench:trace-overhead -- [--seconds 10] [--rounds 3] [--cache never|auto]
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fuseBackend } from '../backends/fuse.js';
import { scratchRoot } from '../scratch.js';
import { median } from '../stats.js';
import { runFio } from '../workloads/fio.js';
import { defaultCollectors } from '../collect/index.js';
import type { CollectorOutput, CollectorSession } from '../collect/types.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' }, cache: { type: 'string', default: 'never' } } });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const fileBytes = 256 * 1024 * 1024;

const dir = mkdtempSync(path.join((mkdirSync(scratchRoot(), { recursive: true }), scratchRoot()), 'overhead-'));
const lower = path.join(dir, 'lower');
const mountpoint = path.join(dir, 'mnt');
mkdirSync(lower);
mkdirSync(mountpoint);
const file = path.join(lower, 'data');
writeFileSync(file, '');
for (let done = 0; done < fileBytes; done += 1 << 20) appendFileSync(file, Buffer.alloc(1 << 20, 0x5a));

// Per-program run time of BPF programs, read by the trace collector (bpfRunTimeNs): restored after.
const BPF_STATS = '/proc/sys/kernel/bpf_stats_enabled';
const bpfStatsBefore = readFileSync(BPF_STATS, 'utf8').trim();
writeFileSync(BPF_STATS, '1');
const mount = await fuseBackend.mount({ lower, mountpoint, workDir: dir, options: { cache: values.cache } });
const job = `[global]\nioengine=psync\nbs=4k\nrw=randread\nsize=${fileBytes}\ntime_based=1\nruntime=${seconds}\nrandrepeat=1\n[randread]\nfilename=${path.join(mountpoint, 'data')}\n`;
const iops: Record<'traced' | 'untraced', number[]> = { traced: [], untraced: [] };
const bpfNsPerIo: number[] = [];
const costs: Record<'traced' | 'untraced', Record<string, number>[]> = { traced: [], untraced: [] };
try {
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 === 0 ? (['untraced', 'traced'] as const) : (['traced', 'untraced'] as const)) {
      const workDir = path.join(dir, `${round}-${mode}`);
      mkdirSync(workDir);
      const sessions: CollectorSession[] = [];
      for (const collector of defaultCollectors({ trace: mode === 'traced' })) sessions.push(await collector.start({ mount, workDir }));
      const fio = await runFio(job, workDir, { onStart: (pid) => sessions.forEach((session) => session.workloadStarted?.(pid)) });
      const ioCount = fio.result.metrics.ioCount ?? 0;
      const outputs: CollectorOutput[] = await Promise.all(sessions.map((session) => session.stop({ ioCount, bytes: ioCount * 4096 })));
      const metrics = Object.assign({}, ...outputs.map((output) => output.metrics ?? {})) as Record<string, number>;
      const trace = Object.assign({}, ...outputs.map((output) => output.details ?? {})).trace as { bpfRunTimeNs?: number } | undefined;
      if (trace?.bpfRunTimeNs !== undefined) bpfNsPerIo.push(trace.bpfRunTimeNs / ioCount);
      iops[mode].push(fio.result.metrics.readIops ?? 0);
      costs[mode].push(metrics);
      console.log(`${mode.padEnd(8)} round ${round + 1}: ${Math.round(fio.result.metrics.readIops ?? 0)} IOPS,${mode === 'traced' ? ` BPF ${bpfNsPerIo.at(-1)?.toFixed(0)} ns/IO,` : ''} daemon CPU ${metrics.daemonCpuUsPerIo?.toFixed(2)} µs/IO, system CPU ${metrics.systemCpuUsPerIo?.toFixed(2)} µs/IO${mode === 'traced' ? `, requests/IO ${metrics.requestsPerIo?.toFixed(3)}, lost ${metrics.lostEvents}` : ''}`);
    }
  }
} finally {
  writeFileSync(BPF_STATS, bpfStatsBefore);
  await fuseBackend.unmount(mount);
  rmSync(dir, { recursive: true, force: true });
}
const traced = median(iops.traced);
const untraced = median(iops.untraced);
const systemCost = (mode: 'traced' | 'untraced') => median(costs[mode].map((metrics) => metrics.systemCpuUsPerIo ?? NaN));
console.log(`median IOPS untraced ${Math.round(untraced)}, traced ${Math.round(traced)}: traced/untraced = ${(traced / untraced).toFixed(4)} (cost ${((1 - traced / untraced) * 100).toFixed(2)} %)`);
const untracedUsPerIo = 1e6 / untraced;
console.log(`BPF programs: median ${median(bpfNsPerIo).toFixed(0)} ns per I/O = ${((median(bpfNsPerIo) / 1000 / untracedUsPerIo) * 100).toFixed(2)} % of the untraced ${untracedUsPerIo.toFixed(1)} µs per I/O (in-kernel program time only, load-independent)`);
console.log(`median whole-machine CPU per I/O: untraced ${systemCost('untraced').toFixed(2)} µs, traced ${systemCost('traced').toFixed(2)} µs`);
