/**
 * The command line. `npm run bench -- [options]` is `run`; the other commands read stored results or
 * tidy up. One top-level catch prints `Error: …` for user errors and exits non-zero. Each command
 * imports what only it needs when it runs (the report's chart libraries take seconds to load), so
 * `mount`, which a mount helper may call hundreds of times, starts fast.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { backendNames } from './backends/registry.js';
import { cleanups, installSignalCleanup, interruption } from './cleanup.js';
import { SUITE_ROOT } from './suite-root.js';
import { UserError } from './errors.js';
import { loadResults } from './compare/load.js';
import { noiseModel, writeNoiseModel } from './compare/noise.js';
import { runOutcome } from './outcome.js';
import { loadProfile, type LoadedProfile } from './profiles.js';
import { datasetFor } from './dataset.js';
import { resolveExternals } from './externals.js';
import { cleanupLeftovers, scratchRoot } from './scratch.js';
import { mountForUser, removeAllUserMounts, unmountForUser } from './user-mounts.js';

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('must be a positive number');
  return number;
}

function positiveInteger(value: string): number {
  const number = positiveNumber(value);
  if (!Number.isInteger(number)) throw new InvalidArgumentError('must be a whole number');
  return number;
}

/** For repeatable options: every value, in order. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function timestamp(date = new Date()): string {
  return date.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** The arguments after `run`, as the user typed them, for the reproduce line. */
function userArgs(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  return args[0] === 'run' ? args.slice(1) : args;
}

/** `run --kernel`: the same run, inside a guest booted from the given kernel; results land in outDir. */
async function runOnKernel(options: { kernel: string; initrd?: string; modules?: string; vmMemory?: number; vmCpus: number; vmTimeout?: number; loaded: LoadedProfile; outDir: string }): Promise<number> {
  const { runSuiteInGuest } = await import('./vm/run.js');
  const { suiteArgsForGuest } = await import('./vm/guest-job.js');
  const profile = options.loaded.profile;
  // The guest's tmpfs holds the data set and the suite's scratch: give it the data set plus room.
  const datasetMiB = Math.ceil(datasetFor(profile).totalBytes / 1024 / 1024);
  // Capped at 3 GiB: above the 32-bit PCI hole, Node segfaulted in TCG guests of the 6.1 kernel here.
  const memoryMiB = options.vmMemory ?? Math.min(3072, Math.max(2048, datasetMiB + 1536));
  const result = await runSuiteInGuest({
    kernel: path.resolve(options.kernel),
    initrd: options.initrd ? path.resolve(options.initrd) : undefined,
    modules: options.modules ? path.resolve(options.modules) : undefined,
    memoryMiB,
    cpus: options.vmCpus,
    outDir: options.outDir,
    suiteArgs: ['run', ...suiteArgsForGuest(userArgs(process.argv), options.outDir)],
    timeoutSeconds: options.vmTimeout,
    // The kernel's boot messages go to vm-console.log; the terminal gets the runner's and the suite's lines.
    log: (line) => {
      if (!/^guest: \[\s*\d+\.\d+\]/.test(line)) process.stderr.write(`${line}\n`);
    },
  });
  process.stderr.write(`guest ${result.kernelRelease} (${result.accel}: ${result.accelReason}) exited with ${result.exitCode} after ${result.elapsedSeconds.toFixed(0)} s; console log in ${path.join(options.outDir, 'vm-console.log')}\n`);
  return result.exitCode;
}

export function buildProgram(): Command {
  const program = new Command('fusebench')
    .description('Benchmark the paths a FUSE file system can take (bind, plain FUSE, passthrough, FUSE-BPF, io_uring…) with fio, counting what each costs.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) })
    // Commander's own errors (unknown option, bad value) throw instead of exiting 1, so main exits 2.
    .exitOverride();

  program
    .command('run', { isDefault: true })
    .description('run a profile on every backend it names and write runs.jsonl, summary.json and results.csv')
    .option('-p, --profile <name|path>', 'profile: a name in profiles/ (seqread, randread, seqwrite, randwrite, scaling, papers, papers/NAME …) or a YAML file', 'seqread')
    .option('-b, --backends <list>', `comma-separated backends (default: the profile's list). Known: ${backendNames.join(', ')}`)
    .option('--runtime <seconds>', "seconds each fio run measures (overrides the profile's runtimeSeconds)", positiveNumber)
    .option('--repeat <n>', 'repetitions of every cell (overrides the profile; fixed count, no adaptive repetition)', positiveInteger)
    .option('-o, --out <dir>', 'output directory (default: reports/<timestamp>-<profile>/)')
    .option('--lower <tmpfs|dir>', 'lower directory: a fresh tmpfs (default) or an existing directory; the data set goes into <dir>/fusebench-lower/')
    .addOption(new Option('--cache <state>', 'page cache before each run: warm (read the data set once) or cold (drop caches)').choices(['warm', 'cold']))
    .option('--seed <n>', 'seed of the interleaved run order and the bootstrap', positiveInteger, 1)
    .option('--external <[name=]command>', "an external daemon's command with {lower} and {mnt}, e.g. '/opt/passthrough_hp {lower} {mnt}' (backend external), or NAME='…' for a backend of that name; repeat it to compare several daemons in one run (named ones join the run's backends)", collect, [])
    .option('--external-uring <name>', 'this external daemon serves over FUSE io_uring: enable_uring is set to Y for its runs and restored after (repeatable)', collect, [])
    .option('--no-trace', 'run without the tracing collectors (FUSE requests and their latency); CPU from /proc is still read before and after')
    .option('--trace-all', 'also time each FUSE request (latency per opcode) and count syscalls and context switches of the daemon and the workload; these probes cost plain FUSE 4 KiB reads 10-20% of their throughput, the default tracing under 3%')
    .option('--kernel <bzImage>', 'run the whole suite in a QEMU guest booted from this kernel (KVM when a test guest runs under it, else TCG emulation: functional evidence, not timing; FUSEBENCH_VM_ACCEL=kvm|tcg forces one)')
    .option('--initrd <file>', "with --kernel: an extra initramfs loaded before the runner's own (its modules.dep is used when --modules is not given)")
    .option('--modules <dir>', 'with --kernel: a lib/modules/<release> tree for kernels whose virtio, 9p or fuse are modules')
    .option('--vm-memory <MiB>', 'with --kernel: guest memory (default: enough for the profile\'s data set)', positiveInteger)
    .option('--vm-cpus <n>', 'with --kernel: guest vCPUs', positiveInteger, 2)
    .option('--vm-timeout <seconds>', 'with --kernel: kill a guest that runs longer than this', positiveInteger)
    .option('--keep-going', 'exit 0 when some cells failed but others completed (a run where nothing completed still exits 1)')
    .action(async (options: { keepGoing?: boolean; profile: string; backends?: string; runtime?: number; repeat?: number; out?: string; lower?: string; cache?: 'warm' | 'cold'; seed: number; external: string[]; externalUring: string[]; trace: boolean; traceAll?: boolean; kernel?: string; initrd?: string; modules?: string; vmMemory?: number; vmCpus: number; vmTimeout?: number }) => {
      const loaded = loadProfile(options.profile);
      const outDir = path.resolve(options.out ?? path.join(SUITE_ROOT, 'reports', `${timestamp()}-${loaded.profile.name}`));
      installSignalCleanup();
      if (options.kernel) {
        process.exitCode = await runOnKernel({ ...options, kernel: options.kernel, loaded, outDir });
        return;
      }
      const externals = resolveExternals({
        flags: options.external,
        uringFlags: options.externalUring,
        profileExternals: loaded.profile.externals,
        profileFile: loaded.file,
        backends: options.backends?.split(',').map((name) => name.trim()).filter(Boolean) ?? loaded.profile.backends,
      });
      const [{ runBenchmark }, { defaultCollectors }, { writeReport }] = await Promise.all([import('./runner.js'), import('./collect/index.js'), import('./report/index.js')]);
      const result = await runBenchmark({
        loaded,
        backends: externals.backends,
        externals: externals.externals,
        runtimeSeconds: options.runtime,
        repeat: options.repeat,
        outDir,
        lower: options.lower,
        cache: options.cache,
        seed: options.seed,
        argv: userArgs(process.argv),
        collectors: defaultCollectors({ trace: options.trace, syscalls: options.traceAll === true }),
        writeReport: async (dir) => {
          const page = await writeReport([dir]);
          process.stderr.write(`report: ${page}\n`);
        },
      });
      const outcome = runOutcome(result.records, { keepGoing: options.keepGoing === true, outDir: result.outDir });
      process.stderr.write(`\n${outcome.lines.join('\n')}\n`);
      process.exitCode = outcome.exitCode;
    });

  program
    .command('report')
    .description('re-render report.html (charts, tables, environment) from stored results; several directories go side by side')
    .argument('<dirs...>', 'result directories written by npm run bench')
    .option('--out <dir>', 'where to write report.html and charts/ (default: the first directory)')
    .action(async (dirs: string[], options: { out?: string }) => {
      const { writeReport } = await import('./report/index.js');
      console.log(await writeReport(dirs.map((dir) => path.resolve(dir)), { target: options.out ? path.resolve(options.out) : undefined }));
    });

  program
    .command('doctor')
    .description('what this kernel supports: one row per backend (supported, or the reason not), the kernel facts behind it, and how to enable what is off')
    .option('--json', 'the same data as JSON, for scripts')
    .action(async (options: { json?: boolean }) => {
      const { formatDoctor, runDoctor } = await import('./doctor.js');
      const report = await runDoctor();
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctor(report));
    });

  program
    .command('compare')
    .description('compare two result directories: change, bootstrap CI of the ratio, Mann-Whitney U; exits 1 on a significant regression beyond the threshold')
    .argument('<base>', 'result directory of the baseline run')
    .argument('<head>', 'result directory of the run under test')
    .option('--threshold <fraction>', "smallest change that counts (default: the head profile's threshold, else 0.05)", Number)
    .option('--out <dir>', 'write compare.md, compare.json and compare.html here')
    .option('--export-github [dir]', 'also write github-action-benchmark JSON (customBiggerIsBetter / customSmallerIsBetter)')
    .option('--export-bencher [file]', "also write Bencher's metric format JSON")
    .option('--all', 'list unchanged metrics too')
    .option('--noise <file>', "this machine's between-run spread per metric (from npm run bench:calibrate, or `noise` over recent nights): raises each metric's threshold to what drift demands")
    .action(async (base: string, head: string, options: { threshold?: number; out?: string; exportGithub?: string | boolean; exportBencher?: string | boolean; all?: boolean; noise?: string }) => {
      const { runCompare } = await import('./compare/run.js');
      process.exitCode = await runCompare(base, head, { ...options, color: process.stdout.isTTY });
    });

  program
    .command('noise')
    .description('estimate the between-run spread of every metric from result directories of one setup (e.g. the last nights) and write it as a noise model for compare --noise')
    .argument('<dirs...>', 'two or more result directories')
    .requiredOption('--out <file>', 'where to write the noise model (JSON)')
    .option('--source <source>', 'calibration (back-to-back runs of one commit) or history (recent nights)', 'history')
    .action((dirs: string[], options: { out: string; source: string }) => {
      if (dirs.length < 2) throw new UserError('noise needs at least two result directories');
      if (options.source !== 'history' && options.source !== 'calibration') throw new UserError(`--source ${options.source}: must be history or calibration`);
      const model = noiseModel(dirs.map((dir) => loadResults(dir)), options.source);
      writeNoiseModel(options.out, model);
      process.stdout.write(`${options.out}: ${model.cells.length} metric(s) from ${dirs.length} runs\n`);
    });

  program
    .command('trend')
    .description("render HISTORY/trend.html and trend.vl.json from a nightly history directory: every run's headline metrics, regressions marked")
    .argument('<history>', 'the history directory that infra/ci/nightly.sh --history writes')
    .action(async (history: string) => {
      if (!existsSync(history)) throw new UserError(`${history}: no such history directory`);
      const { trend } = await import('./compare/trend.js');
      const { htmlFile, data } = await trend(history);
      const regressed = data.points.filter((point) => point.regressed).length;
      process.stdout.write(`${htmlFile}: ${data.runs.length} run(s), ${regressed} regressed point(s)${data.skipped.length ? `, ${data.skipped.length} skipped` : ''}\n`);
    });

  program
    .command('mount')
    .description('leave one backend mounted (for poking at by hand or running other test suites) until `npm run umount -- MNT`')
    .argument('<mountpoint>', 'an existing empty directory')
    .requiredOption('--backend <name>', `one of ${backendNames.join(', ')}`)
    .requiredOption('--lower <dir>', 'the directory to expose')
    .option('--profile <name|path>', "take the backend's options from this profile's backendOptions")
    .option('--external <command>', 'for --backend external: the daemon command with {lower} and {mnt}')
    .option('--threads <n>', 'our daemon: worker threads', positiveInteger)
    .addOption(new Option('--daemon-cache <policy>', 'our daemon: entry/attr timeouts and keep_cache').choices(['never', 'auto', 'always']))
    .option('--debug', 'our daemon: log every request and reply to its log file')
    .option('-o, --mount-options <list>', 'our daemon and passthrough_ll: mount options as a mount helper gets them (ro, noatime, allow_other, default_permissions, …)')
    .option('--subtype <name>', 'our daemon and passthrough_ll: mount type fuse.NAME')
    .option('--no-subtype', 'our daemon: mount type fuse (what libfuse daemons show without -o subtype=, and fstests expects)')
    .action(async (mountpoint: string, options: { backend: string; lower: string; profile?: string; external?: string; threads?: number; daemonCache?: string; debug?: boolean; mountOptions?: string; subtype?: string | false }) => {
      const fromProfile = options.profile ? (loadProfile(options.profile).profile.backendOptions[options.backend] ?? {}) : {};
      const backendOptions: Record<string, unknown> = { ...fromProfile };
      if (options.external) backendOptions.command = options.external;
      if (options.threads) backendOptions.threads = options.threads;
      if (options.daemonCache) backendOptions.cache = options.daemonCache;
      if (options.debug) backendOptions.debug = true;
      if (options.mountOptions) backendOptions.mountOptions = options.mountOptions;
      if (options.subtype !== undefined) backendOptions.subtype = options.subtype;
      const record = await mountForUser({ backend: options.backend, lower: options.lower, mountpoint, backendOptions });
      console.log(`${record.backend} mounted at ${record.mountpoint}${record.daemonPid ? ` (daemon pid ${record.daemonPid}, log in ${record.workDir})` : ''}`);
      console.log(`remove it with: npm run umount -- ${record.mountpoint}`);
      // The daemon runs in its own session; nothing here should keep this process alive.
      process.exit(0);
    });

  program
    .command('umount')
    .description('remove a mount made by `npm run mount`, and end its daemon')
    .argument('<mountpoint>')
    .action(async (mountpoint: string) => {
      await unmountForUser(mountpoint);
    });

  program
    .command('cleanup')
    .description(`remove mounts, processes and files that a killed run (or npm run mount) left in the scratch root (${scratchRoot()}); touches nothing else`)
    .action(async () => {
      const removed = (await cleanupLeftovers(scratchRoot())) + (await removeAllUserMounts(scratchRoot()));
      console.log(removed === 0 ? 'nothing to clean up' : `cleaned up ${removed} leftover(s)`);
    });

  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    await cleanups.runAll();
    // After a signal, whatever the interrupted code threw is no error of the user's: the handler exits.
    if (interruption()) return;
    // Commander has printed its message (or the help); invalid input exits 2 like every user error.
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    if (error instanceof UserError) {
      process.stderr.write(`Error: ${error.message}\n${error.hint ? `${error.hint}\n` : ''}`);
      // 2, not 1: `compare` exits 1 for a regression, and scripts must tell that from an error.
      process.exit(2);
    }
    throw error;
  }
}

await main();
