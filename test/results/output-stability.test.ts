/**
 * Output stability: the same stored results must give byte-for-byte the same summary.json, CSV, compare
 * text/JSON and chart specs, whatever the code inside does. The golden files were written by the code
 * before the issue-15 restructuring; a change here is a change users see, so it must be deliberate:
 * regenerate with UPDATE_GOLDEN=1 and say why in the commit.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareResults, loadResults } from '../../bench/compare/index.js';
import { formatJson, formatMarkdown, formatTerminal } from '../../bench/compare/export/index.js';
import { summaryToCsv } from '../../bench/results/csv.js';
import { chartSpecs } from '../../bench/report/index.js';
import { loadResultSet as loadRun } from '../../bench/results/load.js';
import { buildModel } from '../../bench/report/model.js';
import { ROOT } from '../helpers/cli.js';

const GOLDEN = path.join(ROOT, 'test', 'fixtures', 'golden-output');
const REPORT = path.join(ROOT, 'test', 'fixtures', 'report');
const COMPARE = path.join(ROOT, 'test', 'fixtures', 'compare');
const SWEEP = path.join(ROOT, 'test', 'fixtures', 'sweep');

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual, `${name} differs from the golden copy`).toBe(readFileSync(file, 'utf8'));
}

/** The environment names the machine and time of the run; neither is ours to change. */
const stable = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('the same results give the same output', () => {
  for (const fixture of ['augmented', 'seqread-bind']) {
    it(`${fixture}: summary.json, results.csv and chart specs`, () => {
      const run = loadRun(path.join(REPORT, fixture));
      golden(`${fixture}/summary.json`, stable(run.summary));
      golden(`${fixture}/results.csv`, summaryToCsv(run.summary));
      for (const { chart, spec } of chartSpecs(buildModel([run]))) golden(`${fixture}/charts/${chart.name}.vl.json`, stable(spec));
    });
  }

  it('compare: terminal, markdown and JSON', () => {
    const comparison = compareResults(loadResults(path.join(COMPARE, 'base')), loadResults(path.join(COMPARE, 'head')), { threshold: 0.05, seed: 1 });
    golden('compare/terminal.txt', formatTerminal(comparison, { all: true, color: false }));
    golden('compare/compare.md', formatMarkdown(comparison));
    golden('compare/compare.json', formatJson(comparison));
  });

  it('a numjobs sweep (real runs): summary.json, results.csv, chart specs and compare', () => {
    const base = loadRun(path.join(SWEEP, 'base'));
    golden('sweep/summary.json', stable(base.summary));
    golden('sweep/results.csv', summaryToCsv(base.summary));
    for (const { chart, spec } of chartSpecs(buildModel([base]))) golden(`sweep/charts/${chart.name}.vl.json`, stable(spec));
    const comparison = compareResults(loadResults(path.join(SWEEP, 'base')), loadResults(path.join(SWEEP, 'head')), { threshold: 0.05, seed: 1 });
    golden('sweep/compare.json', formatJson(comparison));
    golden('sweep/compare.md', formatMarkdown(comparison));
  });

  it('a two-run report model gives the same chart specs', () => {
    const model = buildModel([loadRun(path.join(REPORT, 'seqread-bind')), loadRun(path.join(REPORT, 'augmented'))]);
    for (const { chart, spec } of chartSpecs(model)) golden(`two-runs/charts/${chart.name}.vl.json`, stable(spec));
  });
});
