/**
 * The command line. `npm run bench -- [options]` is `run`; the other commands read stored results or
 * tidy up. One top-level catch prints `Error: …` for user errors and exits non-zero.
 */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { backendNames, plannedBackends } from './backends/registry.js';
import { cleanups, installSignalCleanup } from './cleanup.js';
import { SUITE_ROOT } from './environment.js';
import { UserError } from './errors.js';
import { loadProfile } from './profiles.js';
import { runBenchmark } from './runner.js';
import { cleanupLeftovers, scratchRoot } from './scratch.js';

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

function timestamp(date = new Date()): string {
  return date.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** The arguments after `run`, as the user typed them, for the reproduce line. */
function userArgs(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  return args[0] === 'run' ? args.slice(1) : args;
}

export function buildProgram(): Command {
  const program = new Command('fusebench')
    .description('Benchmark the paths a FUSE file system can take (bind, plain FUSE, passthrough, FUSE-BPF, io_uring…) with fio, counting what each costs.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('run', { isDefault: true })
    .description('run a profile on every backend it names and write runs.jsonl, summary.json and results.csv')
    .option('-p, --profile <name|path>', 'profile: a name in profiles/ (seqread, randread, seqwrite, randwrite) or a YAML file', 'seqread')
    .option('-b, --backends <list>', `comma-separated backends (default: the profile's list). Known: ${[...backendNames, ...Object.keys(plannedBackends)].join(', ')}`)
    .option('--runtime <seconds>', "seconds each fio run measures (overrides the profile's runtimeSeconds)", positiveNumber)
    .option('--repeat <n>', 'repetitions of every cell (overrides the profile; fixed count, no adaptive repetition)', positiveInteger)
    .option('-o, --out <dir>', 'output directory (default: reports/<timestamp>-<profile>/)')
    .option('--lower <tmpfs|dir>', 'lower directory: a fresh tmpfs (default) or an existing directory; the data set goes into <dir>/fusebench-lower/')
    .addOption(new Option('--cache <state>', 'page cache before each run: warm (read the data set once) or cold (drop caches)').choices(['warm', 'cold']))
    .option('--seed <n>', 'seed of the interleaved run order and the bootstrap', positiveInteger, 1)
    .action(async (options: { profile: string; backends?: string; runtime?: number; repeat?: number; out?: string; lower?: string; cache?: 'warm' | 'cold'; seed: number }) => {
      const loaded = loadProfile(options.profile);
      const outDir = path.resolve(options.out ?? path.join(SUITE_ROOT, 'reports', `${timestamp()}-${loaded.profile.name}`));
      installSignalCleanup();
      const backends = options.backends?.split(',').map((name) => name.trim()).filter(Boolean);
      const result = await runBenchmark({
        loaded,
        backends,
        runtimeSeconds: options.runtime,
        repeat: options.repeat,
        outDir,
        lower: options.lower,
        cache: options.cache,
        seed: options.seed,
        argv: userArgs(process.argv),
      });
      const completed = result.records.filter((record) => record.state === 'completed').length;
      const failed = result.records.filter((record) => record.state === 'failed').length;
      process.stderr.write(`\n${completed} runs completed, ${failed} failed. Results in ${result.outDir}\n`);
    });

  program
    .command('cleanup')
    .description(`remove mounts, processes and files that a killed run left in the scratch root (${scratchRoot()}); touches nothing else`)
    .action(async () => {
      const removed = await cleanupLeftovers(scratchRoot());
      console.log(removed === 0 ? 'nothing to clean up' : `cleaned up ${removed} leftover(s)`);
    });

  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    await cleanups.runAll();
    if (error instanceof UserError) {
      process.stderr.write(`Error: ${error.message}\n${error.hint ? `${error.hint}\n` : ''}`);
      process.exit(1);
    }
    throw error;
  }
}

await main();
