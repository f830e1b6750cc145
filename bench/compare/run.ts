/**
 * `npm run compare -- BASE HEAD`: load both result directories, compare, print the table, write the
 * exports, and return the exit code for CI (1 when any metric regressed significantly).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { compareResults, DEFAULT_THRESHOLD, hasRegression, type Comparison } from './compare.js';
import { compareOutputs, formatBencher, formatGithubBenchmark, formatTerminal, githubBenchmarkFile } from './export/index.js';
import { loadResults } from './load.js';
import { loadNoiseModel } from './noise.js';

export const DEFAULT_COMPARE_SEED = 1;

export interface RunCompareOptions {
  /** Fraction (0.05 = 5%); default: the head profile's threshold, else 0.05. */
  threshold?: number;
  /** Directory for compare.md, compare.json and compare.html. */
  out?: string;
  /** Directory for the two github-action-benchmark files; `true` means the --out directory. */
  exportGithub?: string | boolean;
  /** File for Bencher Metric Format JSON; `true` means bencher.json in the --out directory. */
  exportBencher?: string | boolean;
  seed?: number;
  /** A noise model file (bench:calibrate or `noise`): per-metric thresholds from this machine's drift. */
  noise?: string;
  /** Print every metric, not only headlines and significant changes. */
  all?: boolean;
  color?: boolean;
  /** Where the table goes; default stdout. */
  print?: (text: string) => void;
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function resolveTarget(target: string | boolean | undefined, out: string | undefined, flag: string, defaultName?: string): string | undefined {
  if (target === undefined || target === false) return undefined;
  if (typeof target === 'string') return target;
  if (!out) throw new UserError(`${flag} without a path needs --out DIR to write into`);
  return defaultName ? path.join(out, defaultName) : out;
}

export async function runCompare(baseDir: string, headDir: string, options: RunCompareOptions = {}): Promise<number> {
  if (options.threshold !== undefined && !(options.threshold >= 0 && options.threshold < 1)) {
    throw new UserError(`--threshold ${options.threshold}: must be a fraction between 0 and 1 (0.05 = 5%)`);
  }
  const base = loadResults(baseDir);
  const head = loadResults(headDir);
  const threshold = options.threshold ?? head.profileThreshold ?? DEFAULT_THRESHOLD;
  const noise = options.noise ? loadNoiseModel(options.noise) : undefined;
  const comparison: Comparison = compareResults(base, head, { threshold, seed: options.seed ?? DEFAULT_COMPARE_SEED, ...(noise ? { noise } : {}) });
  const print = options.print ?? ((text: string) => process.stdout.write(text));
  print(formatTerminal(comparison, { all: options.all ?? false, color: options.color ?? false }));
  if (options.out) {
    for (const [name, exporter] of Object.entries(compareOutputs)) write(path.join(options.out, name), exporter(comparison));
  }
  const githubDir = resolveTarget(options.exportGithub, options.out, '--export-github');
  if (githubDir) {
    write(path.join(githubDir, githubBenchmarkFile.higher), formatGithubBenchmark(comparison, 'higher'));
    write(path.join(githubDir, githubBenchmarkFile.lower), formatGithubBenchmark(comparison, 'lower'));
  }
  const bencherFile = resolveTarget(options.exportBencher, options.out, '--export-bencher', 'bencher.json');
  if (bencherFile) write(bencherFile, formatBencher(comparison));
  return hasRegression(comparison) ? 1 : 0;
}
