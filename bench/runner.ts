/**
 * A whole benchmark: checks, lock, scratch, lower directory and data set, backend probes, the
 * interleaved plan, one record per run as it finishes, and the summary, CSV and report at the end.
 */
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { getBackend } from './backends/registry.js';
import type { Backend, Mount } from './backends/types.js';
import { cleanups, interruption, throwIfInterrupted } from './cleanup.js';
import type { Collector } from './collect/types.js';
import { checkMemoryFor, datasetFor, prepareDataset, verifyDataset, warmDataset, type Dataset } from './dataset.js';
import { collectEnvironment } from './environment.js';
import { UserError } from './errors.js';
import { cpusOf } from './workloads/fio-options.js';
import { executeRun } from './lifecycle.js';
import { LOWER_SUBDIR, lowerProblem } from './lower.js';
import { cellsOf, planRound, type Cell } from './plan.js';
import { cellKey } from './results/cell.js';
import type { LoadedProfile, Profile } from './profiles.js';
import { Progress } from './progress.js';
import { summaryToCsv } from './results/csv.js';
import { metricDefinition } from './results/metrics.js';
import type { CompletedRun, Environment, RunRecord } from './results/schema.js';
import { appendRecord, CSV_FILE, ENVIRONMENT_FILE, SUMMARY_FILE, writeFileAtomic } from './results/store.js';
import { summarize } from './results/summary.js';
import { expandWorkloads } from './sweep.js';
import { acquireLock, createRunDirectory, removeOwnDirectories, type RunDirectory } from './scratch.js';
import { convergedCells } from './stats.js';
import { mountTmpfs, run as runCommand, unmount } from './system.js';
import { fioVersion } from './workloads/fio.js';
import { workloadRunner, type WorkloadRunner } from './workloads/index.js';

export interface BenchOptions {
  loaded: LoadedProfile;
  backends?: string[];
  runtimeSeconds?: number;
  repeat?: number;
  outDir: string;
  lower?: string;
  cache?: 'warm' | 'cold';
  seed: number;
  argv: readonly string[];
  collectors?: readonly Collector[];
  /** Extra options merged over the profile's backendOptions, keyed by backend. */
  backendOptions?: Record<string, Record<string, unknown>>;
  /** External daemons of this run by name (bench/externals.ts), beside the registry's backends. */
  externals?: ReadonlyMap<string, Backend>;
  /** Renders report.html and friends from the stored results; failures there never lose results. */
  writeReport?: (outDir: string) => Promise<void>;
  log?: (line: string) => void;
}

export interface BenchResult {
  outDir: string;
  records: RunRecord[];
  environment: Environment;
}

/** The profile as this run will use it: command-line overrides applied. */
export function resolveProfile(profile: Profile, options: Pick<BenchOptions, 'backends' | 'runtimeSeconds' | 'repeat' | 'lower' | 'cache'>): Profile {
  return {
    ...profile,
    backends: options.backends ?? profile.backends,
    runtimeSeconds: options.runtimeSeconds ?? profile.runtimeSeconds,
    repeat: options.repeat !== undefined ? { min: options.repeat, max: options.repeat, targetCI: 0 } : profile.repeat,
    lower: options.lower ?? profile.lower,
    cache: options.cache ?? profile.cache,
  };
}

/** Every check that needs no mount, before anything is mounted; input errors name where they came from. */
async function preflight(dataset: Dataset, profile: Profile, options: BenchOptions): Promise<string> {
  const lowerFrom = options.lower !== undefined ? '--lower' : `${options.loaded.file}: lower`;
  const problem = lowerProblem(profile.lower);
  if (problem) throw new UserError(`${lowerFrom}: ${problem}`);
  if (process.getuid?.() !== 0) {
    throw new UserError('the suite must run as root: it mounts file systems and reads tracefs', 'Run it with sudo, or as root.');
  }
  const version = await fioVersion();
  if (!existsSync('/dev/fuse')) throw new UserError('/dev/fuse does not exist', 'Load the fuse module: modprobe fuse.');
  checkMemoryFor(dataset, profile.lower === 'tmpfs', `${options.loaded.file}: dataset`);
  if (profile.daemonCpus !== undefined) {
    // A profile written on a bigger machine is valid data; it just cannot be pinned the same way here.
    const missing = cpusOf(profile.daemonCpus).filter((cpu) => cpu >= availableParallelism());
    if (missing.length > 0) throw new UserError(`${options.loaded.file}: daemonCpus: CPU ${missing.join(', ')} does not exist here (CPUs 0-${availableParallelism() - 1})`);
  }
  return version;
}

async function dropCaches(): Promise<void> {
  await runCommand('sync', [], 'sync');
  writeFileSync('/proc/sys/vm/drop_caches', '3');
}

interface Lower {
  dir: string;
  isTmpfs: boolean;
}

async function makeLower(profile: Profile, scratch: RunDirectory, dataset: Dataset): Promise<Lower> {
  if (profile.lower === 'tmpfs') {
    const dir = scratch.subdir('lower');
    // Room for the data set plus what metadata and write workloads create.
    const size = Math.ceil(dataset.totalBytes * 1.1) + 256 * 1024 * 1024;
    await mountTmpfs(dir, size, 'fusebench-lower');
    cleanups.push(`unmount lower tmpfs ${dir}`, () => unmount(dir));
    return { dir, isTmpfs: true };
  }
  // Checked by lower.ts in preflight; the real path, so every mount sees the same directory.
  const dir = realpathSync(profile.lower);
  // A user directory gets the data set in a subdirectory of its own, never mixed with the user's files.
  const sub = path.join(dir, LOWER_SUBDIR);
  mkdirSync(sub, { recursive: true });
  return { dir: sub, isTmpfs: false };
}

function resultLine(record: RunRecord, headline: string): string {
  if (record.state !== 'completed') return `${record.state}: ${record.reason}`;
  const value = record.metrics[headline];
  const unit = metricDefinition(headline).unit;
  return value === undefined ? 'completed' : `${headline} ${value.toFixed(1)} ${unit}`;
}

/** The results are already stored: a report that fails to render is a warning, never a lost run. */
async function renderReport(options: BenchOptions, log: (line: string) => void): Promise<void> {
  try {
    await options.writeReport?.(options.outDir);
  } catch (error) {
    log(`warning: the report could not be rendered (${(error as Error).message}); the results are in ${options.outDir}`);
  }
}

export async function runBenchmark(options: BenchOptions): Promise<BenchResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const profile = resolveProfile(options.loaded.profile, options);
  const dataset = datasetFor(profile);
  const fio = await preflight(dataset, profile, options);

  // Unknown names are a user error before anything is mounted; known-but-unsupported ones are data.
  const backendObjects = new Map<string, Backend>(profile.backends.map((name) => [name, options.externals?.get(name) ?? getBackend(name)]));
  // A swept workload is one runner per point; each point is a cell in the interleaved rounds.
  const runners: WorkloadRunner[] = expandWorkloads(profile.workloads).map((workload) => workloadRunner(workload, profile, dataset, options));

  // The lock and the run directory go last, once every mount is gone and every process has exited.
  const releaseLock = await acquireLock();
  cleanups.pushLast('release lock', releaseLock);
  const scratch = createRunDirectory();
  // Probe directories a signal interrupted go too: like the run directory, they carry our pid.
  cleanups.pushLast(`remove ${scratch.dir}`, () => removeOwnDirectories(scratch.root, log));

  const environment = await collectEnvironment(options.loaded, { seed: options.seed, argv: options.argv, fioVersion: fio, resolvedProfile: profile });
  mkdirSync(options.outDir, { recursive: true });
  writeFileAtomic(path.join(options.outDir, ENVIRONMENT_FILE), `${JSON.stringify(environment, null, 2)}\n`);
  const records: RunRecord[] = [];
  let sequence = 0;
  const store = (record: RunRecord) => {
    records.push(record);
    appendRecord(options.outDir, record);
  };
  const accelFields = { accel: environment.accel, ...(environment.accelReason === undefined ? {} : { accelReason: environment.accelReason }) };
  const now = () => new Date().toISOString();

  const supported: Backend[] = [];
  for (const [name, backend] of backendObjects) {
    // A probe mounts: none starts after a signal (the same holds for every step that makes something).
    throwIfInterrupted();
    const probe = await backend.probe();
    if (probe.supported) {
      supported.push(backend);
      environment.backends[name] = { ...probe.facts };
      continue;
    }
    const reason = probe.reason;
    log(`${name}: unsupported: ${reason}`);
    store({ schemaVersion: 1, state: 'unsupported', backend: name, workload: '*', repetition: 0, sequence: sequence++, startedAt: now(), finishedAt: now(), ...accelFields, reason });
  }

  const writeOutputs = async (unconverged: Cell[] = []) => {
    const headlines = Object.fromEntries(runners.map((runner) => [runner.name, runner.headline]));
    const summary = summarize(records, { profile: profile.name, baseline: profile.baseline, environment, seed: options.seed, headlines, unconverged });
    writeFileAtomic(path.join(options.outDir, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
    writeFileAtomic(path.join(options.outDir, CSV_FILE), summaryToCsv(summary));
  };

  if (supported.length === 0) {
    log('no backend in this run is supported here; nothing to measure');
    await writeOutputs();
    await cleanups.runAll();
    await renderReport(options, log);
    return { outDir: options.outDir, records, environment };
  }

  log(`preparing data set: ${dataset.relativeFiles.length} × ${profile.dataset.fileSize} in ${profile.lower === 'tmpfs' ? 'a tmpfs lower' : profile.lower}`);
  throwIfInterrupted();
  const lower = await makeLower(profile, scratch, dataset);
  prepareDataset(lower.dir, dataset, options.seed);

  const cells = cellsOf(supported.map((backend) => backend.name), runners.map((runner) => runner.name));
  const expectedRunSeconds = profile.runtimeSeconds + profile.rampSeconds + 2;
  const progress = new Progress(cells.length * profile.repeat.min, expectedRunSeconds, log);
  const samples = new Map<string, number[]>();
  let pending: Cell[] = cells;
  const unconverged: Cell[] = [];

  for (let round = 0; pending.length > 0 && round < profile.repeat.max; round++) {
    if (round >= profile.repeat.min) progress.grow(pending.length);
    for (const planned of planRound(pending, round, options.seed)) {
      if (interruption()) break;
      const backend = supported.find((candidate) => candidate.name === planned.backend)!;
      const runner = runners.find((candidate) => candidate.name === planned.workload)!;
      progress.starting(`${planned.backend} · ${planned.workload} · repetition ${round + 1}`);
      const workDir = scratch.subdir('cells', `${sequence}-${planned.backend}-${planned.workload}`);
      const record = await executeRun({
        backend,
        backendOptions: { ...profile.backendOptions[backend.name], ...options.backendOptions?.[backend.name] },
        workload: runner,
        collectors: options.collectors ?? [],
        lower: lower.dir,
        mountpoint: scratch.subdir('mnt', backend.name),
        workDir,
        daemonCpus: profile.daemonCpus,
        prepareCache: async (mount: Mount) => {
          verifyDataset(mount.mountpoint, dataset);
          // Warm: the lower file system holds the data set in its page cache (read once through the
          // mount, which also warms dentries and inodes). Cold: every cache dropped.
          if (profile.cache === 'cold') await dropCaches();
          else warmDataset(mount.mountpoint, dataset);
        },
        recordPid: scratch.recordPid,
        base: { repetition: round, sequence: sequence++, ...accelFields },
      });
      if (interruption()) break;
      store(record);
      if (record.state === 'completed') {
        const key = cellKey(planned);
        samples.set(key, [...(samples.get(key) ?? []), record.metrics[runner.headline] ?? NaN]);
      }
      progress.finished(resultLine(record, runner.headline));
      await writeOutputs();
    }
    if (interruption()) break;
    if (round + 1 >= profile.repeat.min) {
      const verdict = convergedCells(new Map(pending.map((cell) => [cell, samples.get(cellKey(cell)) ?? []])), profile.repeat, options.seed);
      // Stopped at max with the CI still too wide, or still short of samples (failed runs) at max.
      unconverged.push(...verdict.unconverged);
      if (round + 1 >= profile.repeat.max && profile.repeat.max > profile.repeat.min) unconverged.push(...verdict.pending);
      pending = verdict.pending;
    }
  }
  if (interruption()) {
    // The signal's cleanup removes everything and exits; the records of finished runs are stored.
    await cleanups.runAll();
    return { outDir: options.outDir, records, environment };
  }
  if (unconverged.length > 0) log(`did not converge within ${profile.repeat.max} repetitions: ${unconverged.map((cell) => `${cell.backend}/${cell.workload}`).join(', ')}`);
  await writeOutputs(unconverged);
  await cleanups.runAll();
  await renderReport(options, log);
  return { outDir: options.outDir, records, environment };
}

export type { CompletedRun };
