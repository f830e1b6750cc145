/**
 * `npm run bench:interrupt [-- --seed N --cases N]`: short benches (bind, fuse, fuse-passthrough, with
 * and without --trace-all), each interrupted at a random moment by a random one of SIGINT or SIGTERM
 * to the CLI, SIGKILL to the daemon or to fio, or SIGKILL to the CLI followed by `npm run cleanup`.
 * After each it checks that nothing is left (bench/interrupt/judge.ts) and prints one line; it ends
 * with "N of M clean, K records lost" and exits 0 only when all are clean and nothing was lost.
 *
 * Its scratch root is FUSEBENCH_SCRATCH, else /tmp/fusebench-interrupt (never a real run's).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SUITE_ROOT } from '../suite-root.js';
import { judgeCase, statusAtEnd, type CaseEvidence } from '../interrupt/judge.js';
import { descendantsOf, observeLeftovers, processInfo, readIfExists, stillRunning, tracefsEntries, type ProcessInfo } from '../interrupt/observe.js';
import { ACTIONS, planCases, type Action, type InterruptCase } from '../interrupt/plan.js';
import { RUNS_FILE } from '../results/store.js';
import { sleep } from '../system.js';

const REPEAT = 2;
const PROFILE = `# built by bench/scripts/interrupt-bench.ts: as short as a bench can be and still record runs
name: interrupt-tiny
backends: [bind]
dataset: { files: 1, fileSize: 16m }
runtimeSeconds: 1
rampSeconds: 0
repeat: ${REPEAT}
workloads:
  - { name: seqread-128k, rw: read, bs: 128k }
`;

/** Seconds a bench of each kind takes until it is known (then: the mean of those that ran to the end). */
const FIRST_ESTIMATE_SECONDS = 15;
/** Longest wait for the CLI (or cleanup) to exit after the signal before the case counts as a hang. */
const EXIT_TIMEOUT_MS = 180_000;
const WATCH_INTERVAL_MS = 50;

function fail(message: string): never {
  process.stderr.write(`bench:interrupt: ${message}\n`);
  process.exit(2);
}

function options(): { seed: number; cases: number } {
  let values: { seed?: string; cases?: string };
  try {
    ({ values } = parseArgs({ options: { seed: { type: 'string' }, cases: { type: 'string' } }, strict: true }));
  } catch (error) {
    fail(`${(error as Error).message} (known: --seed N, --cases N)`);
  }
  const integer = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) fail(`--${name} ${text}: must be a whole number ≥ ${min}`);
    return value;
  };
  return { seed: integer('seed', values.seed, Math.floor(Math.random() * 2 ** 31), 0), cases: integer('cases', values.cases, 50, 1) };
}

/** Why this machine cannot run the cases, or undefined. */
function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (mounts)';
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse (modprobe fuse)';
  return undefined;
}

const suiteEnv = (root: string) => ({ ...process.env, FUSEBENCH_SCRATCH: root });

function startCli(args: string[], root: string, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  try {
    // Node itself with tsx as loader: one process, so the signal reaches the CLI and nothing else.
    return spawn(process.execPath, ['--import', 'tsx', 'bench/cli.ts', ...args], { cwd: SUITE_ROOT, env: suiteEnv(root), stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
}

type Exit = number | string;

/** The exit status (or the signal's name), or 'timeout' when the process is still running after timeoutMs. */
async function exitOf(child: ChildProcess, timeoutMs: number): Promise<Exit> {
  const status = () => child.exitCode ?? child.signalCode ?? undefined;
  if (status() !== undefined) return status()!;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const result = await Promise.race([once(child, 'exit').then(() => 'exited' as const), expired]);
  clearTimeout(timer);
  return result === 'timeout' ? 'timeout' : status()!;
}

async function runCleanup(root: string, logFile: string): Promise<Exit> {
  const log = openSync(logFile, 'a');
  const child = spawn('npm', ['run', '--silent', 'cleanup'], { cwd: SUITE_ROOT, env: suiteEnv(root), stdio: ['ignore', log, log] });
  closeSync(log);
  const status = await exitOf(child, EXIT_TIMEOUT_MS);
  if (status === 'timeout') child.kill('SIGKILL');
  return status;
}

/** A process the kill is aimed at, in the CLI's tree: the workload's fio or the FUSE daemon. */
function isTarget(action: Action, cliPid: number, root: string, info: ProcessInfo): boolean {
  if (action === 'sigkill-fio') return info.ppid === cliPid && info.comm === 'fio' && info.cmdline.includes(`${root}/`);
  return path.basename(info.cmdline.split(' ')[0] ?? '') === 'fusebench-daemon';
}

/**
 * How many times the target appears in a bench of the interrupt profile (one fio per run; a daemon
 * per run and one for the probe), and how long each lives, roughly: where a kill can land.
 */
function appearances(action: Action): { count: number; lifeMs: number } {
  return action === 'sigkill-fio' ? { count: REPEAT, lifeMs: 1000 } : { count: REPEAT + 1, lifeMs: 2000 };
}

interface Outcome {
  line: string;
  clean: boolean;
  lost: number;
  /** Seconds the bench ran when it was not cut short (a measure of how long such a bench takes). */
  fullSeconds?: number;
}

async function runCase(testCase: InterruptCase, total: number, root: string, profileFile: string, estimateSeconds: number): Promise<Outcome> {
  const outDir = mkdtempSync(path.join(os.tmpdir(), `fusebench-interrupt-${testCase.number}-`));
  const logFile = path.join(outDir, 'cli.log');
  const runsFile = path.join(outDir, RUNS_FILE);
  const tracefsBefore = tracefsEntries();
  // --keep-going: a run failed by a killed fio or daemon is what the case is about, not an error.
  const args = ['run', '--profile', profileFile, '--backends', testCase.backend, '--out', outDir, '--seed', String(testCase.benchSeed), '--keep-going', ...(testCase.traceAll ? ['--trace-all'] : [])];
  const started = Date.now();
  const cli = startCli(args, root, logFile);
  const cliPid = cli.pid!;
  const seen = new Map<string, ProcessInfo>();
  const cliInfo = processInfo(cliPid);
  if (cliInfo) seen.set(`${cliPid}:${cliInfo.startTime}`, cliInfo);
  const watch = (): ProcessInfo[] => {
    const tree = descendantsOf(cliPid);
    for (const info of tree) seen.set(`${info.pid}:${info.startTime}`, info);
    return tree;
  };
  const running = () => cli.exitCode === null && cli.signalCode === null;

  // A signal to the CLI: at the moment. A kill: in the chosen appearance of the target, `delay` into
  // its life; if that one ends sooner, the next appearance as soon as it is seen.
  const aimsAtCli = testCase.action === 'sigint-cli' || testCase.action === 'sigterm-cli' || testCase.action === 'sigkill-cli';
  const actAt = started + testCase.moment * estimateSeconds * 1000;
  const { count, lifeMs } = appearances(testCase.action);
  const appearance = Math.floor(testCase.moment * count) + 1;
  const targets: ProcessInfo[] = [];
  let chosen: { info: ProcessInfo; killAt: number } | undefined;
  let target: ProcessInfo | undefined;
  let aim = '';
  while (running()) {
    const tree = watch();
    if (aimsAtCli) {
      if (Date.now() >= actAt) {
        target = processInfo(cliPid);
        break;
      }
    } else {
      for (const info of tree.filter((candidate) => isTarget(testCase.action, cliPid, root, candidate))) {
        if (!targets.some((known) => known.pid === info.pid && known.startTime === info.startTime)) targets.push(info);
      }
      if (!chosen && targets.length >= appearance) chosen = { info: targets[appearance - 1]!, killAt: Date.now() + testCase.delay * lifeMs };
      if (chosen && stillRunning(chosen.info)) {
        if (Date.now() >= chosen.killAt) {
          target = chosen.info;
          aim = `appearance ${appearance}, ${Math.round(testCase.delay * lifeMs)} ms in`;
          break;
        }
      } else if (chosen) {
        const later = targets.slice(targets.indexOf(chosen.info) + 1).find(stillRunning);
        if (later) {
          target = later;
          aim = `appearance ${targets.indexOf(later) + 1}, as it started: appearance ${appearance} ended within ${Math.round(testCase.delay * lifeMs)} ms`;
          break;
        }
      }
    }
    await sleep(WATCH_INTERVAL_MS);
  }
  const runsAtSignal = readIfExists(runsFile);
  const at = (Date.now() - started) / 1000;
  let when: string;
  // 'end': the bench ran to its end; what it must exit with depends on its records, read below.
  const exits: { what: string; status: Exit; expected: CaseEvidence['exits'][number]['expected'] | 'end' }[] = [];
  if (!target || !running()) {
    const aimedAt = `appearance ${appearance} of ${testCase.action === 'sigkill-fio' ? 'fio' : 'a daemon'}, ${targets.length} seen`;
    when = aimsAtCli ? `the bench ended (${at.toFixed(1)} s) before the signal` : `the bench ended (${at.toFixed(1)} s) before the kill (${aimedAt})`;
    exits.push({ what: 'the CLI', status: await exitOf(cli, EXIT_TIMEOUT_MS), expected: 'end' });
  } else {
    const signal = testCase.action === 'sigint-cli' ? 'SIGINT' : testCase.action === 'sigterm-cli' ? 'SIGTERM' : 'SIGKILL';
    watch();
    process.kill(target.pid, signal);
    when = aimsAtCli ? `at ${at.toFixed(1)} s` : `at ${at.toFixed(1)} s (${aim})`;
    // Killed by the signal itself: it came before the CLI had loaded its code, when nothing is made yet
    // (the leftover checks say whether that holds); a shell reports 130 or 143 all the same.
    if (testCase.action === 'sigint-cli') exits.push({ what: 'the CLI', status: await exitOf(cli, EXIT_TIMEOUT_MS), expected: [130, 'SIGINT'] });
    else if (testCase.action === 'sigterm-cli') exits.push({ what: 'the CLI', status: await exitOf(cli, EXIT_TIMEOUT_MS), expected: [143, 'SIGTERM'] });
    else if (testCase.action === 'sigkill-cli') {
      exits.push({ what: 'the CLI', status: await exitOf(cli, EXIT_TIMEOUT_MS), expected: ['SIGKILL'] });
      exits.push({ what: 'npm run cleanup', status: await runCleanup(root, logFile), expected: [0] });
    } else {
      // The run in progress fails and the bench goes on to its end.
      exits.push({ what: 'the CLI', status: await exitOf(cli, EXIT_TIMEOUT_MS), expected: 'end' });
    }
  }
  const fullSeconds = exits[0]!.expected === 'end' && typeof exits[0]!.status === 'number' ? (Date.now() - started) / 1000 : undefined;
  if (exits.some((exit) => exit.status === 'timeout')) {
    // A hang is reported; what it holds is removed so the next case starts clean.
    cli.kill('SIGKILL');
    await exitOf(cli, 10_000);
    await runCleanup(root, logFile);
  }
  const runsAfter = readIfExists(runsFile);
  const verdict = judgeCase({
    tracefsBefore,
    runsAtSignal,
    runsAfter,
    leftovers: observeLeftovers(root, seen.values()),
    exits: exits.map((exit) => ({ ...exit, expected: exit.expected === 'end' ? [statusAtEnd(runsAfter)] : exit.expected })),
  });
  const recorded = `${(runsAtSignal ?? '').split('\n').filter(Boolean).length} record(s) before`;
  const title = `case ${String(testCase.number).padStart(String(total).length)}/${total} ${testCase.backend}${testCase.traceAll ? ' --trace-all' : ''}: ${ACTIONS[testCase.action]} ${when} (${recorded})`;
  const clean = verdict.problems.length === 0;
  if (clean) rmSync(outDir, { recursive: true, force: true });
  return {
    line: `${title}: ${clean ? 'clean' : `NOT CLEAN: ${verdict.problems.join('; ')} (log and results in ${outDir})`}`,
    clean,
    lost: verdict.lostRecords,
    ...(fullSeconds !== undefined ? { fullSeconds } : {}),
  };
}

/** After a case that left something: each case is judged on its own, so the next starts clean. */
async function restoredClean(root: string, logFile: string): Promise<boolean> {
  await runCleanup(root, logFile);
  const left = observeLeftovers(root, []);
  return !left.lock && left.mounts.length === 0 && left.processes.length === 0 && left.directories.length === 0;
}

async function main(): Promise<number> {
  const { seed, cases } = options();
  const why = missing();
  if (why) {
    process.stdout.write(`bench:interrupt: skipped: ${why}\n`);
    // Like the root tests: CI (REQUIRE_KERNEL=1) must not pass by skipping.
    return process.env.REQUIRE_KERNEL === '1' ? 1 : 0;
  }
  const root = path.resolve(process.env.FUSEBENCH_SCRATCH ?? '/tmp/fusebench-interrupt');
  mkdirSync(root, { recursive: true });
  const work = mkdtempSync(path.join(os.tmpdir(), 'fusebench-interrupt-'));
  const profileFile = path.join(work, 'interrupt-tiny.yaml');
  writeFileSync(profileFile, PROFILE);
  // A clean start: what an earlier killed run left is not this run's leak.
  await runCleanup(root, path.join(work, 'cleanup.log'));
  const before = observeLeftovers(root, []);
  if (before.lock || before.mounts.length > 0 || before.processes.length > 0) {
    process.stderr.write(`bench:interrupt: ${root} is in use (lock, mounts or processes of a live run); set FUSEBENCH_SCRATCH to a root of its own\n`);
    return 2;
  }
  process.stdout.write(`bench:interrupt: seed ${seed}, ${cases} cases, scratch root ${root} (again: npm run bench:interrupt -- --seed ${seed} --cases ${cases})\n`);

  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const durations = new Map<string, number[]>();
  let clean = 0;
  let lost = 0;
  let done = 0;
  for (const testCase of planCases(seed, cases)) {
    if (stopping) break;
    const kind = `${testCase.backend}${testCase.traceAll ? ' --trace-all' : ''}`;
    const known = durations.get(kind) ?? [];
    const estimate = known.length > 0 ? known.reduce((sum, value) => sum + value, 0) / known.length : FIRST_ESTIMATE_SECONDS;
    const outcome = await runCase(testCase, cases, root, profileFile, estimate);
    process.stdout.write(`${outcome.line}\n`);
    if (!outcome.clean && !(await restoredClean(root, path.join(work, 'cleanup.log')))) {
      process.stdout.write(`bench:interrupt: npm run cleanup could not remove what case ${testCase.number} left in ${root}; stopping\n`);
      stopping = true;
    }
    if (outcome.fullSeconds !== undefined) durations.set(kind, [...known, outcome.fullSeconds]);
    done++;
    if (outcome.clean) clean++;
    lost += outcome.lost;
  }
  rmSync(work, { recursive: true, force: true });
  const interrupted = stopping ? ` (stopped after ${done} cases)` : '';
  process.stdout.write(`${clean} of ${cases} clean, ${lost} records lost${interrupted}\n`);
  return clean === cases && lost === 0 ? 0 : 1;
}

process.exitCode = await main();
