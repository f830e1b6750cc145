import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareResults, loadResults, runCompare } from '../../bench/compare/index.js';
import { metricDefinition as metricDirection } from '../../bench/results/metrics.js';
import { formatBencher, formatGithubBenchmark, formatHtml, formatJson, formatMarkdown, formatTerminal } from '../../bench/compare/export/index.js';
import { UserError } from '../../bench/errors.js';
import type { NoiseModel } from '../../bench/compare/noise.js';

const fixtures = path.resolve('test/fixtures/compare');
const baseDir = path.join(fixtures, 'base');
const headDir = path.join(fixtures, 'head');
const goldenFile = path.join(fixtures, 'compare.golden.json');
const scratch = mkdtempSync(path.join(tmpdir(), 'compare-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const quiet = { print: () => undefined };
const comparison = () => compareResults(loadResults(baseDir), loadResults(headDir), { threshold: 0.05, seed: 1 });

/** A copy of a fixture directory with one file replaced, for the error cases. */
function variant(from: string, file: string, text: string | undefined): string {
  const dir = mkdtempSync(path.join(scratch, 'variant-'));
  cpSync(from, dir, { recursive: true });
  if (text === undefined) rmSync(path.join(dir, file));
  else writeFileSync(path.join(dir, file), text);
  return dir;
}

describe('loading a result directory', () => {
  it('derives samples from runs.jsonl in plan order, skipping failed and unsupported runs', () => {
    const head = loadResults(headDir);
    const fuseRandread = head.cells.find((cell) => cell.backend === 'fuse' && cell.workload === 'randread-4k')!;
    expect(fuseRandread.samples.readIops).toHaveLength(4);
    expect(fuseRandread.failedRuns).toBe(1);
    expect(fuseRandread.headline).toBe('readIops');
    expect(head.cells.find((cell) => cell.workload === 'seqread-128k')!.headline).toBe('readBandwidthMiBps');
    expect(head.unsupported.map((entry) => `${entry.backend} ${entry.workload}`)).toEqual(['fuse-bpf seqread-128k', 'fuse-bpf randread-4k']);
    expect(head.cells.map((cell) => cell.backend)).not.toContain('fuse-bpf');
    expect(head.profileThreshold).toBe(0.05);
  });

  it('names the missing file', () => {
    const dir = variant(baseDir, 'runs.jsonl', undefined);
    expect(() => loadResults(dir)).toThrow(UserError);
    expect(() => loadResults(dir)).toThrow(`${path.join(dir, 'runs.jsonl')}: not found`);
    expect(() => loadResults(path.join(scratch, 'nowhere'))).toThrow('no such result directory');
  });

  it('names the file, line and field of a malformed record', () => {
    const lines = readFileSync(path.join(baseDir, 'runs.jsonl'), 'utf8').split('\n');
    lines[2] = lines[2]!.replace('"repetition":0', '"repetition":-1');
    const dir = variant(baseDir, 'runs.jsonl', lines.join('\n'));
    expect(() => loadResults(dir)).toThrow(new RegExp(`runs\\.jsonl:3: not a run record: field repetition`));
    const torn = variant(baseDir, 'runs.jsonl', '{"schemaVersion":1,');
    expect(() => loadResults(torn)).toThrow(/runs\.jsonl:1: not valid JSON/);
  });

  it('names summary.json when its environment is missing', () => {
    const dir = variant(baseDir, 'summary.json', JSON.stringify({ schemaVersion: 1, profile: 'x' }));
    expect(() => loadResults(dir)).toThrow(/summary\.json: not a result summary: field environment/);
  });
});

describe('compareResults on two recorded result directories', () => {
  it('matches the golden compare.json', () => {
    const json = formatJson(comparison());
    if (process.env.UPDATE_GOLDEN) writeFileSync(goldenFile, json);
    expect(json).toBe(readFileSync(goldenFile, 'utf8'));
  });

  it('judges fuse by its ratio to bind in the same round: the 16% slower seqread regressed, the randread that moved with bind did not', () => {
    const result = comparison();
    const headline = (backend: string, workload: string) => result.metrics.find((m) => m.backend === backend && m.workload === workload && m.headline)!;
    expect(headline('fuse', 'seqread-128k')).toMatchObject({ basis: 'relative', verdict: 'regressed' });
    // The head's randread drifted +12% on bind and +11% on fuse (issue 14's A/A drift): not a change of fuse's path.
    expect(headline('fuse', 'randread-4k').absoluteChangePercent).toBeGreaterThan(10);
    expect(headline('fuse', 'randread-4k')).toMatchObject({ basis: 'relative', verdict: 'unchanged' });
    expect(Math.abs(headline('fuse', 'randread-4k').ratio! - 1)).toBeLessThan(0.03);
    // bind, the baseline, is judged absolute: +12% is within the drift an uncalibrated machine shows.
    expect(headline('bind', 'randread-4k')).toMatchObject({ basis: 'absolute', verdict: 'unchanged', threshold: 0.25 });
    expect(headline('bind', 'seqread-128k').verdict).toBe('unchanged');
    // The slower seqread's higher p50 is significant, but only the headline metric gives a verdict.
    expect(result.metrics.find((m) => m.backend === 'fuse' && m.workload === 'seqread-128k' && m.metric === 'readLatencyP50Us')).toMatchObject({ gated: false, significant: true, verdict: 'unchanged' });
  });

  it('with a noise model saying bind randread moves 1% between runs, its +12% is an improvement; saying 6%, it is not', () => {
    const model = (cv: number): NoiseModel => ({
      schemaVersion: 1,
      source: 'calibration',
      createdAt: '2026-12-04T00:00:00Z',
      hostname: 'fuse-ci-1',
      kernelRelease: '6.18.44',
      runs: ['a', 'b'],
      cells: [{ backend: 'bind', workload: 'randread-4k', metric: 'readIops', basis: 'absolute', runs: 8, judged: { withinRunCv: 0.01, betweenRunCv: cv }, absolute: { withinRunCv: 0.01, betweenRunCv: cv } }],
    });
    const judged = (cv: number) => compareResults(loadResults(baseDir), loadResults(headDir), { threshold: 0.05, seed: 1, noise: model(cv) }).metrics.find((m) => m.backend === 'bind' && m.workload === 'randread-4k' && m.metric === 'readIops')!;
    expect(judged(0.01)).toMatchObject({ verdict: 'improved', threshold: 0.05, thresholdSource: 'calibration' });
    expect(judged(0.06).verdict).toBe('unchanged');
    expect(judged(0.06).threshold).toBeCloseTo(2.5 * Math.SQRT2 * 0.06, 6);
  });

  it('refuses to compare emulated (TCG) timing with native timing', () => {
    const base = loadResults(baseDir);
    const head = loadResults(headDir);
    const tcg = { ...head, environment: { ...head.environment, accel: 'tcg' as const } };
    expect(() => compareResults(base, tcg, { threshold: 0.05, seed: 1 })).toThrow(/TCG\) timing is not comparable with native/);
    expect(() => compareResults(tcg, tcg, { threshold: 0.05, seed: 1 })).not.toThrow();
    const kvm = { ...head, environment: { ...head.environment, accel: 'kvm' as const } };
    expect(() => compareResults(base, kvm, { threshold: 0.05, seed: 1 })).not.toThrow();
  });
});

describe('runCompare', () => {
  it('exits 1 on a regression and writes every export', async () => {
    const out = path.join(scratch, 'out');
    expect(await runCompare(baseDir, headDir, { out, exportGithub: true, exportBencher: true, ...quiet })).toBe(1);
    for (const file of ['compare.md', 'compare.json', 'compare.html', 'bencher.json', 'github-benchmark-bigger-is-better.json', 'github-benchmark-smaller-is-better.json']) {
      expect(existsSync(path.join(out, file)), file).toBe(true);
    }
    expect(readFileSync(path.join(out, 'compare.json'), 'utf8')).toBe(readFileSync(goldenFile, 'utf8'));
  });

  it('exits 0 comparing a run with itself, and 0 when the threshold is above every change', async () => {
    expect(await runCompare(baseDir, baseDir, quiet)).toBe(0);
    expect(await runCompare(baseDir, headDir, { threshold: 0.3, ...quiet })).toBe(0);
  });

  it('rejects a threshold given as a percentage', async () => {
    await expect(runCompare(baseDir, headDir, { threshold: 5, ...quiet })).rejects.toThrow(/fraction between 0 and 1/);
  });
});

describe('exporters', () => {
  it('prints ~ for a change that is not significant, and the verdict for one that is', () => {
    const table = formatTerminal(comparison());
    expect(table).toMatch(/bind\s+seqread-128k\s+readBandwidthMiBps \*.*\s~\s/);
    expect(table).toMatch(/fuse\s+seqread-128k\s+readBandwidthMiBps \*.*−1\d%.*regressed/);
    expect(table).not.toContain('\u001b[');
    expect(formatTerminal(comparison(), { color: true })).toContain('\u001b[31m');
  });

  it('writes a markdown comment with the regression count and every metric folded away', () => {
    const markdown = formatMarkdown(comparison());
    expect(markdown).toMatch(/^### Benchmark comparison: 1 regression\(s\)/);
    expect(markdown).toContain('<details><summary>All 24 metrics</summary>');
  });

  it('escapes everything in the HTML page and needs no script', () => {
    const hostile = comparison();
    hostile.metrics[0]!.backend = '<script>alert(1)</script>';
    hostile.head.label = 'a & "b"';
    const html = formatHtml(hostile);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('a &amp; &quot;b&quot;');
  });

  it('splits github-action-benchmark entries by direction and writes BMF with the head CI', () => {
    const result = comparison();
    const bigger = JSON.parse(formatGithubBenchmark(result, 'higher')) as { name: string; unit: string; value: number }[];
    const smaller = JSON.parse(formatGithubBenchmark(result, 'lower')) as { name: string }[];
    expect(bigger.map((entry) => entry.name)).toContain('seqread-128k/fuse readBandwidthMiBps');
    expect(smaller.map((entry) => entry.name)).toContain('seqread-128k/fuse readLatencyP99Us');
    expect(bigger.length + smaller.length).toBe(result.metrics.length);
    const bmf = JSON.parse(formatBencher(result)) as Record<string, Record<string, { value: number; lower_value: number; upper_value: number }>>;
    const measure = bmf['seqread-128k/fuse']!.readBandwidthMiBps!;
    expect(measure.lower_value).toBeLessThanOrEqual(measure.value);
    expect(measure.upper_value).toBeGreaterThanOrEqual(measure.value);
  });
});

describe('metric direction', () => {
  it('takes known metrics from metrics.ts, qualifiers included, and infers costs and latencies for the rest', () => {
    expect(metricDirection('readIops').better).toBe('higher');
    expect(metricDirection('readLatencyP99Us:READ')).toMatchObject({ better: 'lower', unit: 'µs' });
    expect(metricDirection('statLatencyMeanUs')).toMatchObject({ better: 'lower', unit: 'µs' });
    expect(metricDirection('requestsPerIo').better).toBe('lower');
    expect(metricDirection('daemonCpuSecondsPerGiB').better).toBe('lower');
    expect(metricDirection('opsPerSecond')).toMatchObject({ better: 'higher', unit: 'ops/s' });
  });
});

describe('swept cells (two real runs of a numjobs sweep)', () => {
  const sweepDir = path.resolve('test/fixtures/sweep');
  const swept = () => compareResults(loadResults(path.join(sweepDir, 'base')), loadResults(path.join(sweepDir, 'head')), { threshold: 0.05, seed: 1 });

  it('compares each point with the same point, never across points', () => {
    const headlines = swept().metrics.filter((metric) => metric.headline);
    expect(headlines.map((metric) => `${metric.backend}/${metric.workload}`)).toEqual(['bind/seqread-128k numjobs=1', 'bind/seqread-128k numjobs=2', 'fuse/seqread-128k numjobs=1', 'fuse/seqread-128k numjobs=2']);
    const base = loadResults(path.join(sweepDir, 'base')).cells.find((cell) => cell.backend === 'fuse' && cell.workload === 'seqread-128k numjobs=2')!;
    const fuse2 = headlines.find((metric) => metric.backend === 'fuse' && metric.params?.numjobs === 2)!;
    expect(fuse2.base.median).toBe([...base.samples.readBandwidthMiBps!].sort((a, b) => a - b)[1]);
    // fuse is judged by its ratio to bind at its own point, per round.
    expect(fuse2.basis).toBe('relative');
  });

  it('carries the parameters into the JSON export', () => {
    const json = JSON.parse(formatJson(swept())) as { metrics: Array<{ workload: string; sweep?: string; params?: Record<string, number> }> };
    for (const metric of json.metrics) {
      expect(metric.sweep).toBe('seqread-128k');
      expect(metric.workload).toBe(`seqread-128k numjobs=${metric.params!.numjobs}`);
    }
  });

  it('lists a point measured on one side only', () => {
    const head = loadResults(path.join(sweepDir, 'head'));
    const fewer = { ...head, cells: head.cells.filter((cell) => cell.params?.numjobs !== 2) };
    const result = compareResults(loadResults(path.join(sweepDir, 'base')), fewer, { threshold: 0.05, seed: 1 });
    expect(result.onlyInBase).toEqual([
      { backend: 'bind', workload: 'seqread-128k numjobs=2' },
      { backend: 'fuse', workload: 'seqread-128k numjobs=2' },
    ]);
    expect(formatTerminal(result, { all: false, color: false })).toContain('only in base: fuse seqread-128k numjobs=2');
  });
});
