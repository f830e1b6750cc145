/**
 * The nightly trend page: each workload's headline metric over time, one line per backend, with the
 * 95% CI of every night's median and the nights that compare called a regression marked.
 *
 * A history directory holds one result directory per night (`<date>_<kernel>_<commit>/`, as written by
 * infra/ci/nightly.sh), each optionally with `compare/compare.json` against its baseline, and an
 * `accepted` symlink (or file) naming the last run without a regression.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vegaLite from 'vega-lite';
import { z } from 'zod';
import { errorMessage } from '../errors.js';
import { describeSamples } from '../stats.js';
import { metricDefinition } from '../results/metrics.js';
import { escapeHtml } from '../render/html.js';
import { renderSvg } from '../render/svg.js';
import { loadResults } from './load.js';
import { isResultDir } from '../results/load.js';
import { compareWorkloadNames } from '../results/cell.js';

export interface TrendPoint {
  run: string;
  startedAt: string;
  kernelRelease: string;
  suiteCommit: string;
  backend: string;
  workload: string;
  metric: string;
  unit: string;
  /** Facet title: workload, metric and unit. */
  panel: string;
  median: number;
  ciLow: number;
  ciHigh: number;
  n: number;
  /** Metrics of this cell that this night's compare called regressed (empty when none or not compared). */
  regressedMetrics: string[];
  regressed: boolean;
}

export interface TrendRun {
  run: string;
  startedAt: string;
  kernelRelease: string;
  suiteCommit: string;
  /** 'regressed' or 'passed' when compare ran, 'not compared' for the first night. */
  status: 'passed' | 'regressed' | 'not compared';
  accepted: boolean;
  hasCompareHtml: boolean;
}

export interface TrendData {
  points: TrendPoint[];
  runs: TrendRun[];
  /** Directories that looked like runs but could not be read, with the reason. */
  skipped: { run: string; reason: string }[];
}

const CompareJsonSchema = z.object({
  metrics: z.array(z.object({ backend: z.string(), workload: z.string(), metric: z.string(), verdict: z.string() })),
});

/** The run the `accepted` link or file names, if any. */
export function acceptedRun(historyDir: string): string | undefined {
  const link = path.join(historyDir, 'accepted');
  if (!existsSync(link)) return undefined;
  const target = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : readFileSync(link, 'utf8').trim();
  return path.basename(target);
}

/** Reads every run in a history directory (the only side effects of the trend are here and in trend()). */
export function collectTrend(historyDir: string): TrendData {
  const accepted = acceptedRun(historyDir);
  const entries = readdirSync(historyDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && isResultDir(path.join(historyDir, entry.name)))
    .map((entry) => entry.name);
  const data: TrendData = { points: [], runs: [], skipped: [] };
  for (const run of entries) {
    const dir = path.join(historyDir, run);
    let results;
    try {
      results = loadResults(dir);
    } catch (error) {
      data.skipped.push({ run, reason: errorMessage(error) });
      continue;
    }
    const compareFile = path.join(dir, 'compare', 'compare.json');
    let regressions: z.infer<typeof CompareJsonSchema>['metrics'] | undefined;
    if (existsSync(compareFile)) {
      const parsed = CompareJsonSchema.safeParse(JSON.parse(readFileSync(compareFile, 'utf8')));
      regressions = parsed.success ? parsed.data.metrics.filter((metric) => metric.verdict === 'regressed') : undefined;
    }
    const env = results.environment;
    data.runs.push({
      run,
      startedAt: env.startedAt,
      kernelRelease: env.kernelRelease,
      suiteCommit: env.suiteCommit,
      status: regressions === undefined ? 'not compared' : regressions.length > 0 ? 'regressed' : 'passed',
      accepted: run === accepted,
      hasCompareHtml: existsSync(path.join(dir, 'compare', 'compare.html')),
    });
    for (const cell of results.cells) {
      const metric = cell.headline;
      const samples = metric ? cell.samples[metric] : undefined;
      if (!metric || !samples?.length) continue;
      const described = describeSamples(samples, env.seed);
      const regressedMetrics = (regressions ?? []).filter((r) => r.backend === cell.backend && r.workload === cell.workload).map((r) => r.metric);
      const unit = metricDefinition(metric).unit;
      data.points.push({
        run,
        startedAt: env.startedAt,
        kernelRelease: env.kernelRelease,
        suiteCommit: env.suiteCommit,
        backend: cell.backend,
        workload: cell.workload,
        metric,
        unit,
        panel: `${cell.workload} · ${metric}${unit ? ` (${unit})` : ''}`,
        median: described.median,
        ciLow: described.ci95[0],
        ciHigh: described.ci95[1],
        n: described.n,
        regressedMetrics,
        regressed: regressedMetrics.length > 0,
      });
    }
  }
  data.runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.run.localeCompare(b.run));
  data.points.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.backend.localeCompare(b.backend) || compareWorkloadNames(a.workload, b.workload));
  return data;
}

/** Vega-Lite spec (pure): rows per workload with independent y scales, colour per backend. */
export function trendSpec(points: readonly TrendPoint[]): vegaLite.TopLevelSpec {
  const tooltip = [
    { field: 'backend', type: 'nominal' },
    { field: 'run', type: 'nominal' },
    { field: 'kernelRelease', type: 'nominal', title: 'kernel' },
    { field: 'suiteCommit', type: 'nominal', title: 'commit' },
    { field: 'median', type: 'quantitative', format: '.4~s' },
    { field: 'ciLow', type: 'quantitative', format: '.4~s', title: 'CI low' },
    { field: 'ciHigh', type: 'quantitative', format: '.4~s', title: 'CI high' },
    { field: 'n', type: 'quantitative' },
    { field: 'regressedMetrics', type: 'nominal', title: 'regressed' },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'Headline metric of each workload per nightly run, by backend; red crosses mark regressions',
    data: { values: points.map((point) => ({ ...point, regressedMetrics: point.regressedMetrics.join(', ') })) },
    facet: { row: { field: 'panel', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top' } } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 640,
      height: 180,
      encoding: {
        x: { field: 'startedAt', type: 'temporal', title: 'run started' },
        color: { field: 'backend', type: 'nominal', title: 'backend' },
      },
      layer: [
        { mark: { type: 'rule', opacity: 0.5 }, encoding: { y: { field: 'ciLow', type: 'quantitative', title: 'median, 95% CI', scale: { zero: false } }, y2: { field: 'ciHigh' } } },
        { mark: { type: 'line', point: true }, encoding: { y: { field: 'median', type: 'quantitative' }, tooltip } },
        {
          transform: [{ filter: 'datum.regressed' }],
          // The colour is an encoding, not a mark property: the layer's inherited backend colour would win.
          mark: { type: 'point', shape: 'cross', size: 160, filled: true },
          encoding: { y: { field: 'median', type: 'quantitative' }, color: { value: '#b00020' }, tooltip },
        },
      ],
    },
  } as vegaLite.TopLevelSpec;
}

/** The page (pure given the SVG): the chart, then one row per night linking its compare report. */
export function trendHtml(data: TrendData, svg: string): string {
  const rows = [...data.runs].reverse().map((run) => {
    const link = run.hasCompareHtml ? `<a href="${escapeHtml(encodeURI(`${run.run}/compare/compare.html`))}">compare</a>` : '';
    return `<tr class="${run.status === 'regressed' ? 'regressed' : ''}"><td>${escapeHtml(run.run)}</td><td>${escapeHtml(run.startedAt)}</td><td>${escapeHtml(run.kernelRelease)}</td><td>${escapeHtml(run.suiteCommit)}</td><td>${escapeHtml(run.status)}${run.accepted ? ' (accepted baseline)' : ''}</td><td>${link}</td></tr>`;
  });
  const skipped = data.skipped.map((entry) => `<li>${escapeHtml(entry.run)}: ${escapeHtml(entry.reason)}</li>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Nightly trend</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; }
th, td { padding: 0.25em 0.6em; border-bottom: 1px solid #ddd; text-align: left; }
tr.regressed td { color: #b00020; }
</style>
</head>
<body>
<h1>Nightly trend</h1>
<p>Headline metric of each workload per night: median with its 95% bootstrap CI, one colour per backend. Red crosses mark a significant regression against that night's baseline.</p>
${data.points.length > 0 ? svg : '<p>No runs yet.</p>'}
<h2>Runs</h2>
<table>
<thead><tr><th>run</th><th>started</th><th>kernel</th><th>commit</th><th>status</th><th></th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${skipped.length > 0 ? `<h2>Skipped</h2>\n<ul>${skipped.join('')}</ul>\n` : ''}</body>
</html>
`;
}

export async function renderTrend(data: TrendData): Promise<{ spec: vegaLite.TopLevelSpec; svg: string; html: string }> {
  const spec = trendSpec(data.points);
  const svg = data.points.length > 0 ? await renderSvg(spec) : '';
  return { spec, svg, html: trendHtml(data, svg) };
}

/** Writes <history>/trend.html and <history>/trend.vl.json; returns what it wrote. */
export async function trend(historyDir: string): Promise<{ htmlFile: string; specFile: string; data: TrendData }> {
  const data = collectTrend(historyDir);
  const { spec, html } = await renderTrend(data);
  const htmlFile = path.join(historyDir, 'trend.html');
  const specFile = path.join(historyDir, 'trend.vl.json');
  writeFileSync(specFile, `${JSON.stringify(spec, null, 2)}\n`);
  writeFileSync(htmlFile, html);
  return { htmlFile, specFile, data };
}
