/**
 * `npm run bench:calibrate`: K real back-to-back runs of one commit (A), interleaved with K runs whose
 * fuse daemon spins a fixed delay in every reply (B), then what the nightly rule makes of them: the
 * within- and between-run spread of every metric, the A/A false-alarm rate, the B/A detection rate and
 * the smallest change it can call here. Writes calibration.json and noise.json (for compare --noise
 * and the nightly job) beside the runs.
 *
 *   npm run bench:calibrate -- [--runs K] [--profile calibrate] [--inject-delay-us auto|N|0]
 *                              [--out DIR] [--trace] [--analyze DIR]
 *
 * The order is A1 B1 A2 B2 … AK BK A(K+1): K back-to-back A/A pairs and K B/A pairs. `auto` sizes the
 * delay from A1 to cost fuse about 10% of its randread IOPS, and checks that B1 really cost at least 8%.
 * --analyze re-reads a finished calibration.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { analyzeCalibration, formatCalibration } from '../compare/calibration.js';
import { loadResults, type LoadedResults } from '../compare/load.js';
import { noiseModel, writeNoiseModel } from '../compare/noise.js';
import { errorMessage, UserError } from '../errors.js';
import { loadProfile } from '../profiles.js';
import { median } from '../stats.js';
import { SUITE_ROOT } from '../suite-root.js';

const usage = 'usage: npm run bench:calibrate -- [--runs K] [--profile NAME|FILE] [--inject-delay-us auto|N|0] [--out DIR] [--trace] [--analyze DIR]';

/** The delay that costs fuse about this share of its per-request time. */
const TARGET_SLOWDOWN = 0.1;

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '8' },
      profile: { type: 'string', default: 'calibrate' },
      'inject-delay-us': { type: 'string', default: 'auto' },
      out: { type: 'string' },
      trace: { type: 'boolean', default: false },
      analyze: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 2 || runs > 50) throw new UserError(`--runs ${values.runs}: must be a whole number from 2 to 50`);
  const inject = values['inject-delay-us'];
  if (inject !== 'auto' && !(Number.isInteger(Number(inject)) && Number(inject) >= 0 && Number(inject) <= 100_000)) {
    throw new UserError(`--inject-delay-us ${inject}: must be auto or microseconds from 0 to 100000`);
  }
  return { ...values, runs, inject };
}

let current: ReturnType<typeof spawn> | undefined;

// The suite cleans up on SIGINT/SIGTERM: pass the signal to the run in progress and leave when it has.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!current || current.exitCode !== null) process.exit(signal === 'SIGINT' ? 130 : 143);
    current.kill(signal);
    current.on('exit', () => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

/** One suite run as a child process, its output kept in a log; resolves when it exits 0. */
function runSuite(profileFile: string, out: string, seed: number, trace: boolean, log: string): Promise<void> {
  const args = ['--import', 'tsx', path.join(SUITE_ROOT, 'bench', 'cli.ts'), 'run', '--profile', profileFile, '--out', out, '--seed', String(seed), ...(trace ? [] : ['--no-trace'])];
  return new Promise((resolve, reject) => {
    const output = createWriteStream(log);
    const child = spawn(process.execPath, args, { cwd: SUITE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    child.stdout.pipe(output);
    child.stderr.pipe(output);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new UserError(`the run into ${out} ${signal ? `was killed by ${signal}` : `exited with ${code}`}; its output is in ${log}`));
    });
  });
}

/** Below this measured cost, B1 is run again with a larger delay (auto only). */
const SMALLEST_ACCEPTED_SLOWDOWN = 0.08;
const AUTO_ATTEMPTS = 4;

/** fuse's median randread IOPS in a run (the cell the delay is sized on). */
function fuseIops(run: LoadedResults): number {
  const fuse = run.cells.find((cell) => cell.backend === 'fuse' && cell.samples.readIops && /rand/.test(cell.workload)) ?? run.cells.find((cell) => cell.backend === 'fuse' && cell.samples.readIops);
  if (!fuse) throw new UserError(`${run.dir}: no fuse cell with readIops to size the injected delay from; give --inject-delay-us N`);
  return median(fuse.samples.readIops!);
}

/** From A1: the daemon delay that adds TARGET_SLOWDOWN to fuse's randread per-request time. */
function autoDelay(run: LoadedResults): number {
  return Math.max(1, Math.round((TARGET_SLOWDOWN * 1e6) / fuseIops(run)));
}

/**
 * A spin in the reply does not cost its full length in throughput (measured here: 3 µs on a 29 µs
 * request cost 6%, not 10%), so auto checks B1 against A1 and, while the cost is under 8%, scales the
 * delay up and runs B1 again. Returns the next delay, or undefined when this one will do.
 */
function nextDelay(a1: LoadedResults, b1: LoadedResults, delay: number): { cost: number; next?: number } {
  const cost = 1 - fuseIops(b1) / fuseIops(a1);
  if (cost >= SMALLEST_ACCEPTED_SLOWDOWN) return { cost };
  return { cost, next: Math.max(delay + 1, Math.round((delay * TARGET_SLOWDOWN) / Math.max(cost, 0.01))) };
}

function withDelay(profileText: string, delay: number): string {
  const profile = parseYaml(profileText) as Record<string, unknown>;
  const backendOptions = (profile.backendOptions ?? {}) as Record<string, Record<string, unknown>>;
  backendOptions.fuse = { ...backendOptions.fuse, injectDelayMicros: delay };
  return stringifyYaml({ ...profile, name: `${String(profile.name)}-delayed`, backendOptions });
}

/** The delay a finished calibration injected: B's profile is the record of it (0 when there was no B). */
function recordedDelay(out: string): number {
  const file = path.join(out, 'profile-b.yaml');
  if (!existsSync(file)) return 0;
  const profile = loadProfile(file).profile;
  const delay = (profile.backendOptions.fuse as { injectDelayMicros?: number } | undefined)?.injectDelayMicros;
  if (delay === undefined) throw new UserError(`${file}: backendOptions.fuse.injectDelayMicros is missing; this is not a calibration's B profile`);
  return delay;
}

function finishedRuns(dir: string, prefix: string): LoadedResults[] {
  const runsDir = path.join(dir, 'runs');
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir)
    .filter((name) => name.startsWith(prefix) && existsSync(path.join(runsDir, name, 'summary.json')))
    .sort()
    .map((name) => loadResults(path.join(runsDir, name)));
}

async function main(): Promise<void> {
  const opts = options();
  const out = path.resolve(opts.analyze ?? opts.out ?? path.join(SUITE_ROOT, 'reports', `calibrate-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  let delay = opts.inject === 'auto' ? undefined : Number(opts.inject);
  if (!opts.analyze) {
    if (process.getuid?.() !== 0) throw new UserError('bench:calibrate mounts file systems: run it as root');
    const loaded = loadProfile(opts.profile);
    mkdirSync(path.join(out, 'runs'), { recursive: true });
    mkdirSync(path.join(out, 'logs'), { recursive: true });
    const profileA = path.join(out, 'profile-a.yaml');
    copyFileSync(path.resolve(SUITE_ROOT, loaded.file), profileA);
    const profileB = path.join(out, 'profile-b.yaml');
    // B's profile is written before the first B run, once A1 has sized the delay.
    const plan: { name: string; profile: string }[] = [];
    for (let index = 1; index <= opts.runs + 1; index++) {
      plan.push({ name: `a-${String(index).padStart(2, '0')}`, profile: profileA });
      if (index <= opts.runs && delay !== 0) plan.push({ name: `b-${String(index).padStart(2, '0')}`, profile: profileB });
    }
    const total = plan.length;
    const started = Date.now();
    for (const [position, step] of plan.entries()) {
      const runOut = path.join(out, 'runs', step.name);
      if (existsSync(path.join(runOut, 'summary.json'))) continue;
      if (step.name.startsWith('b-') && delay === undefined) delay = autoDelay(loadResults(path.join(out, 'runs', 'a-01')));
      if (step.name.startsWith('b-') && !existsSync(profileB)) writeFileSync(profileB, withDelay(loaded.text, delay!));
      const runStarted = Date.now();
      await runSuite(step.profile, runOut, position + 1, opts.trace, path.join(out, 'logs', `${step.name}.log`));
      for (let attempt = 1; step.name === 'b-01' && opts.inject === 'auto' && attempt < AUTO_ATTEMPTS; attempt++) {
        const { cost, next } = nextDelay(loadResults(path.join(out, 'runs', 'a-01')), loadResults(runOut), delay!);
        if (next === undefined) break;
        console.log(`b-01 with ${delay} µs cost fuse ${(cost * 100).toFixed(1)}% of its IOPS (want about ${TARGET_SLOWDOWN * 100}%): again with ${next} µs`);
        delay = next;
        writeFileSync(profileB, withDelay(loaded.text, delay));
        rmSync(runOut, { recursive: true, force: true });
        await runSuite(step.profile, runOut, position + 1, opts.trace, path.join(out, 'logs', `${step.name}.log`));
      }
      const seconds = (Date.now() - runStarted) / 1000;
      const left = ((Date.now() - started) / (position + 1)) * (total - position - 1);
      console.log(`[${position + 1}/${total}] ${step.name}${step.name.startsWith('b-') ? ` (fuse +${delay} µs per reply)` : ''}: ${seconds.toFixed(0)} s; about ${Math.round(left / 60_000)} min left`);
    }
  }
  const aRuns = finishedRuns(out, 'a-');
  const bRuns = finishedRuns(out, 'b-');
  if (aRuns.length < 3) throw new UserError(`${out}: ${aRuns.length} finished A runs; the calibration needs at least 3`);
  delay ??= recordedDelay(out);
  const floor = aRuns[0]!.profileThreshold ?? 0.05;
  const calibration = analyzeCalibration(aRuns, bRuns, { floor, injectDelayMicros: delay });
  writeFileSync(path.join(out, 'calibration.json'), `${JSON.stringify(calibration, null, 2)}\n`);
  writeNoiseModel(path.join(out, 'noise.json'), noiseModel(aRuns, 'calibration'));
  process.stdout.write(formatCalibration(calibration));
  console.log(`\n${path.join(out, 'calibration.json')}; noise model for compare --noise: ${path.join(out, 'noise.json')}`);
}

main().catch((error: unknown) => {
  console.error(`bench:calibrate: ${errorMessage(error)}`);
  if (error instanceof UserError && error.hint) console.error(error.hint);
  process.exit(error instanceof UserError ? 2 : 1);
});
