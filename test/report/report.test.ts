/**
 * The report renders from stored results only. Fixtures: seqread-bind/ is a real run (bind measured,
 * other backends unsupported or failed on that machine); augmented/ is built from it by
 * test/fixtures/report/augment.ts with hand-added FUSE data so every chart has something to draw.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SummarySchema, type Summary } from '../../bench/results/schema.js';
import { chartSpecs, writeReport } from '../../bench/report/index.js';
import { formatNumber, formatShare } from '../../bench/report/format.js';
import { loadResultSet as loadRun } from '../../bench/results/load.js';
import { buildModel } from '../../bench/report/model.js';
import { ROOT } from '../helpers/cli.js';
import { chartFigures, metricRows } from './html.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'report');
const ALL_CHARTS = ['headline', 'repetitions', 'latency', 'requests-per-io', 'cpu', 'request-latency', 'meta-latency'];

const scratch = mkdtempSync(path.join(os.tmpdir(), 'fusebench-report-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of a fixture directory, so rendering never writes into test/fixtures. */
function copyOf(fixture: string, name = fixture): string {
  const dir = path.join(scratch, name);
  cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

const readSummary = (dir: string): Summary => SummarySchema.parse(JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')));

describe('a report of the augmented fixture', () => {
  let dir: string;
  let html: string;
  beforeAll(async () => {
    dir = copyOf('augmented');
    const file = await writeReport([dir]);
    expect(file).toBe(path.join(dir, 'report.html'));
    html = readFileSync(file, 'utf8');
  });

  it('draws every chart as inline SVG and saves each as charts/NAME.svg and charts/NAME.vl.json with its data', () => {
    const figures = chartFigures(html);
    expect(Object.keys(figures)).toEqual(ALL_CHARTS);
    for (const name of ALL_CHARTS) {
      expect(figures[name], name).toBe(true);
      expect(readFileSync(path.join(dir, 'charts', `${name}.svg`), 'utf8')).toMatch(/^<svg /);
      const spec = JSON.parse(readFileSync(path.join(dir, 'charts', `${name}.vl.json`), 'utf8')) as { data: { values: unknown[] } };
      expect(spec.data.values.length, name).toBeGreaterThan(0);
    }
  });

  it('shows every metric of every cell with the numbers of summary.json', () => {
    const summary = readSummary(dir);
    const rows = metricRows(html, 'all-metrics');
    const expected = summary.cells.flatMap((cell) => Object.keys(cell.metrics).map((metric) => `${cell.backend}/${cell.workload}/${metric}`));
    expect(rows.map((row) => `${row.backend}/${row.workload}/${row.metric}`).sort()).toEqual(expected.sort());
    for (const row of rows) {
      const metric = summary.cells.find((cell) => cell.backend === row.backend && cell.workload === row.workload)!.metrics[row.metric]!;
      const where = `${row.backend}/${row.workload}/${row.metric}`;
      expect(Number(row.fields.median!.value), where).toBe(metric.median);
      expect(row.fields.median!.text, where).toBe(formatNumber(metric.median));
      expect(Number(row.fields['ci-low']!.value), where).toBe(metric.ci95[0]);
      expect(Number(row.fields['ci-high']!.value), where).toBe(metric.ci95[1]);
      expect(row.fields['ci-high']!.text, where).toBe(formatNumber(metric.ci95[1]));
      expect(row.fields.ratio!.value === '' ? null : Number(row.fields.ratio!.value), where).toBe(metric.ratioToBaseline);
      expect(Number(row.fields.cv!.value), where).toBe(metric.cv);
      expect(row.fields.cv!.text, where).toBe(formatShare(metric.cv));
      expect(Number(row.fields.n!.value), where).toBe(metric.n);
    }
  });

  it('puts the headline metric of each workload first, one row per backend, with its ratio to bind', () => {
    const summary = readSummary(dir);
    const rows = metricRows(html, 'headline-table');
    expect(rows.map((row) => `${row.workload}/${row.backend}/${row.metric}`)).toEqual([
      'seqread-128k/bind/readBandwidthMiBps',
      'seqread-128k/fuse/readBandwidthMiBps',
      'seqread-128k/fuse-passthrough/readBandwidthMiBps',
      'seqread-128k/fuse-bpf/readBandwidthMiBps',
      'stat-1k/bind/opsPerSecond',
      'stat-1k/fuse/opsPerSecond',
      'stat-1k/fuse-passthrough/opsPerSecond',
    ]);
    const fuse = summary.cells.find((cell) => cell.backend === 'fuse' && cell.workload === 'seqread-128k')!.metrics.readBandwidthMiBps!;
    // Three repetitions a side can never be significant under the one verdict rule (the smallest
    // Mann-Whitney p is 0.1): even fuse at a third of bind is drawn neutral and marked ~.
    expect(rows[1]!.fields.ratio!.text).toBe(`${fuse.ratioToBaseline!.toFixed(3)}× ~`);
    expect(html).toMatch(/<tr class="unchanged" data-run="run 1" data-backend="fuse" data-workload="seqread-128k"/);
    expect(html).toMatch(/<tr class="unchanged" data-run="run 1" data-backend="fuse-passthrough" data-workload="seqread-128k" data-metric="readBandwidthMiBps">[^\n]*~ not significant/);
  });

  it('shows a hostile profile name, reason and log as text, and the page has no script at all', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('daemon exited: &lt;b&gt;SIGSEGV&lt;/b&gt; in lo_read');
    expect(html).toContain('lo_read: &lt;script&gt;alert(&quot;log&quot;)&lt;/script&gt;');
    expect(html).toContain('and &lt;b&gt;fuse.enable_uring=1&lt;/b&gt;');
  });

  it('fetches nothing: no external script, stylesheet, image or font', () => {
    expect(html).not.toMatch(/<link\b|<img\b|<iframe\b|\bsrc=|@import|url\(\s*['"]?(https?:)?\/\//i);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]!);
    expect(hrefs.filter((href) => /^[a-z]+:/i.test(href))).toEqual([]);
  });

  it('labels the cell run under TCG as emulated in the charts and the tables', () => {
    expect(readFileSync(path.join(dir, 'charts', 'headline.svg'), 'utf8')).toContain('fuse-bpf (emulated)');
    expect(html).toMatch(/data-backend="fuse-bpf"[^\n]*<span class="badge emulated">emulated<\/span>/);
  });

  it('lists unsupported backends and failed runs with their reasons, and marks noise', () => {
    expect(html).toMatch(/<table class="unsupported">[\s\S]*fuse-uring[\s\S]*needs CONFIG_FUSE_IO_URING=y/);
    expect(html).toMatch(/<table class="failed">[\s\S]*passthrough_ll[\s\S]*seqread-128k/);
    expect(html).toMatch(/data-backend="fuse" data-workload="stat-1k" data-metric="opsPerSecond">[^\n]*not converged/);
    expect(html).toContain('<span class="badge warn" title="coefficient of variation above 3.5%">noisy</span>');
  });

  it('shows the environment, the profile text and hash, the commit and the reproducing command', () => {
    const summary = readSummary(dir);
    const env = summary.environment;
    for (const text of [env.kernelRelease, env.cpuModel, env.fioVersion, env.nodeVersion, env.profileHash, env.suiteCommit, 'dirty: uncommitted changes', 'FUSE_DEV_IOC_BACKING_OPEN', 'rw,nosuid,nodev,default_permissions']) {
      expect(html, text).toContain(text);
    }
    expect(html).toContain('<pre class="command">npm run bench -- --profile &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39; --repeat 3 --out /tmp/augmented</pre>');
    expect(html).toContain('# FIXTURE: hand-augmented from seqread-bind by augment.ts');
    for (const file of ['results.csv', 'summary.json', 'runs.jsonl']) expect(html).toContain(`<a href="${file}">${file}</a>`);
  });

  it('has a "How to read this" paragraph before the tables and prints without clipping charts', () => {
    expect(html.indexOf('How to read this')).toBeGreaterThan(0);
    expect(html.indexOf('How to read this')).toBeLessThan(html.indexOf('<table'));
    expect(html).toMatch(/@media print \{[\s\S]*figure\.chart[^{]*\{ break-inside: avoid/);
  });
});

describe('a report of a real bind-only run', () => {
  it('leaves out the charts whose metrics no cell has, and still lists what failed', async () => {
    const dir = copyOf('seqread-bind');
    const html = readFileSync(await writeReport([dir]), 'utf8');
    expect(Object.keys(chartFigures(html))).toEqual(['headline', 'repetitions', 'latency']);
    expect(html).toContain('It&#39;s not possible to provide `stdio`');
    const summary = readSummary(dir);
    const [row] = metricRows(html, 'headline-table');
    expect(Number(row!.fields.median!.value)).toBe(summary.cells[0]!.metrics.readBandwidthMiBps!.median);
  });

  it('renders the same numbers from runs.jsonl and environment.json alone, without summary.json', async () => {
    const dir = copyOf('seqread-bind', 'no-summary');
    rmSync(path.join(dir, 'summary.json'));
    const html = readFileSync(await writeReport([dir]), 'utf8');
    const summary = readSummary(path.join(FIXTURES, 'seqread-bind'));
    const rows = metricRows(html, 'all-metrics');
    expect(rows.length).toBe(Object.keys(summary.cells[0]!.metrics).length);
    for (const row of rows) expect(Number(row.fields.median!.value)).toBe(summary.cells[0]!.metrics[row.metric]!.median);
    expect(html).not.toContain('href="summary.json"');
    expect(html).toContain('<a href="runs.jsonl">runs.jsonl</a>');
  });

  it('escapes names that reach the charts too (a hand-edited runs.jsonl with a hostile workload name)', async () => {
    const dir = copyOf('seqread-bind', 'hostile-workload');
    for (const file of ['runs.jsonl', 'summary.json']) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      writeFileSync(path.join(dir, file), text.replaceAll('seqread-128k', '<script>alert(2)</script>'));
    }
    const html = readFileSync(await writeReport([dir]), 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(readFileSync(path.join(dir, 'charts', 'headline.svg'), 'utf8')).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
  });

  it('calls every cell of a run under TCG emulated, and says why it was TCG', async () => {
    const dir = copyOf('seqread-bind', 'tcg');
    const environmentFile = path.join(dir, 'environment.json');
    writeFileSync(environmentFile, JSON.stringify({ ...JSON.parse(readFileSync(environmentFile, 'utf8')), accel: 'tcg', accelReason: 'kvm guest silent for 20 s; retried under tcg' }));
    rmSync(path.join(dir, 'summary.json'));
    const html = readFileSync(await writeReport([dir]), 'utf8');
    expect(readFileSync(path.join(dir, 'charts', 'headline.svg'), 'utf8')).toContain('bind (emulated)');
    expect(html).toContain('vm · 6.18.44-fc-v782 · tcg · seqread <span class="badge emulated">emulated</span>');
    expect(html).toMatch(/data-backend="bind"[^\n]*<span class="badge emulated">emulated<\/span>/);
    expect(html).toContain('<span class="dim">why: kvm guest silent for 20 s; retried under tcg</span>');
  });

  it('never writes to the stored results', async () => {
    const dir = copyOf('seqread-bind', 'untouched');
    const before = ['runs.jsonl', 'environment.json', 'summary.json', 'results.csv'].map((file) => readFileSync(path.join(dir, file), 'utf8'));
    await writeReport([dir]);
    const after = ['runs.jsonl', 'environment.json', 'summary.json', 'results.csv'].map((file) => readFileSync(path.join(dir, file), 'utf8'));
    expect(after).toEqual(before);
  });
});

describe('several result directories side by side', () => {
  it('labels each run by host, kernel, accel and profile, and writes into the target directory', async () => {
    const a = copyOf('seqread-bind', 'side-a');
    const b = copyOf('augmented', 'side-b');
    const target = path.join(scratch, 'side-report');
    const file = await writeReport([a, b], { target });
    expect(file).toBe(path.join(target, 'report.html'));
    expect(existsSync(path.join(a, 'report.html'))).toBe(false);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<strong>run 1</strong>: vm · 6.18.44-fc-v782 · native · seqread');
    expect(html).toContain('<strong>run 2</strong>: vm · 6.18.44-fc-v782 · native · &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(readFileSync(path.join(target, 'charts', 'headline.svg'), 'utf8')).toContain('bind · run 2');
    expect(html).toContain('<a href="../side-a/runs.jsonl">runs.jsonl</a>');
    expect(metricRows(html, 'headline-table').map((row) => row.run)).toContain('run 2');
  });
});

describe('chart specs', () => {
  const model = buildModel([loadRun(path.join(FIXTURES, 'augmented'))]);
  const specs = chartSpecs(model);

  it.each(ALL_CHARTS)('%s matches its golden spec', async (name) => {
    const entry = specs.find((candidate) => candidate.chart.name === name);
    expect(entry).toBeDefined();
    await expect(`${JSON.stringify(entry!.spec, null, 2)}\n`).toMatchFileSnapshot(path.join(FIXTURES, 'golden', `${name}.vl.json`));
  });

  it('give each backend the same colour in every chart', () => {
    const colours = new Map<string, string>();
    for (const { spec } of specs) {
      const text = JSON.stringify(spec);
      for (const match of text.matchAll(/"domain":(\[[^\]]*\]),"range":(\[[^\]]*\])/g)) {
        const domain = JSON.parse(match[1]!) as string[];
        const range = JSON.parse(match[2]!) as string[];
        if (!domain.includes('bind') && !domain.includes('fuse')) continue;
        domain.forEach((backend, index) => {
          const colour = range[index]!;
          expect(colours.get(backend) ?? colour, backend).toBe(colour);
          colours.set(backend, colour);
        });
      }
    }
    expect(colours.size).toBeGreaterThanOrEqual(4);
  });
});
