/**
 * report.html: one self-contained page. Inline CSS, inline SVG charts, no script, nothing fetched, so
 * it reads the same with JavaScript off, offline, and printed to PDF. Pure: model + rendered charts in,
 * bytes out.
 */
import { escapeHtml } from '../render/html.js';
import { environmentSection, runLinks } from './environment.js';
import { backendColour, type ReportModel } from './model.js';
import { style } from './style.js';
import { allMetricsTable, failedTable, headlineTable, NOISY_CV, requestsTable, unsupportedTable } from './tables.js';
import { formatShare } from './format.js';
import { scalingTable } from './scaling.js';
import { papersSection } from './papers-section.js';

export interface RenderedChart {
  name: string;
  title: string;
  caption: string;
  svg: string;
}

function howToRead(model: ReportModel): string {
  const baselines = [...new Set(model.runs.map((run) => run.summary.baseline))];
  const baseline = escapeHtml(baselines.join(' / '));
  return `<div class="howto">
<p><strong>How to read this.</strong> Every backend is a different way to reach the same files. <strong>${baseline}</strong> is the baseline${baselines.includes('bind') ? ': a bind mount of the lower directory, with no FUSE in the path, so it is the fastest the kernel can be' : ''}. Each workload ran on every backend several times, in an interleaved order so that drift of the machine spreads over all of them.</p>
<p><strong>Ratio</strong> is a backend's median divided by the baseline's median for the same workload and metric: 0.50× bandwidth means half as fast as ${baseline}; 2.00× latency means twice as slow. It is coloured green (better) or red (worse) only when the 95% bootstrap interval of the ratio excludes 1; otherwise it is grey and marked <strong>~</strong>, meaning the difference is not significant with this many repetitions.</p>
<p><strong>CI</strong> is the 95% bootstrap confidence interval of the median over the repetitions: the range the true median most likely lies in. <strong>CV</strong> (standard deviation / mean) measures noise; cells above ${formatShare(NOISY_CV)} are marked <span class="badge warn">noisy</span>, cells whose adaptive repetition hit its limit <span class="badge warn">not converged</span>, and repetitions outside 1.5 IQR are counted as outliers (kept, never dropped).</p>
<p><strong>Requests per I/O</strong> counts the FUSE round trips (kernel → daemon → kernel) one I/O of the workload caused, by opcode: the transitions a passthrough path is meant to remove. <span class="badge emulated">emulated</span> marks results measured in a QEMU guest without hardware virtualisation (TCG): compare them only with each other, never with native numbers.</p>
</div>`;
}

function chartFigure(chart: RenderedChart): string {
  return `<figure class="chart" id="chart-${escapeHtml(chart.name)}" data-chart="${escapeHtml(chart.name)}">
<h3>${escapeHtml(chart.title)}</h3>
<figcaption>${escapeHtml(chart.caption)} <a href="charts/${escapeHtml(chart.name)}.vl.json">spec and data</a></figcaption>
<div class="frame">${chart.svg}</div>
</figure>`;
}

export function renderPage(model: ReportModel, charts: readonly RenderedChart[], targetDir: string): string {
  const profiles = [...new Set(model.runs.map((run) => run.summary.profile))];
  const title = `FUSE passthrough benchmark: ${profiles.join(', ')}`;
  const runList = model.runs
    .map((run) => `<li>${model.sideBySide ? `<strong>${escapeHtml(run.id)}</strong>: ` : ''}${escapeHtml(run.label)}${run.emulated ? ' <span class="badge emulated">emulated</span>' : ''} <span class="dim">— ${escapeHtml(run.environment.startedAt)}</span><br><span class="files">data: ${runLinks(run, targetDir)}</span></li>`)
    .join('');
  const legend = model.backends
    .map((backend) => `<span class="swatch" style="background:${backendColour(backend, model.backends)}"></span>${escapeHtml(backend)}`)
    .join(' &nbsp; ');
  const requests = requestsTable(model);
  const scaling = scalingTable(model);
  const papers = papersSection(model);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="fusebench report">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="subtitle">${model.sideBySide ? `${model.runs.length} result directories side by side` : 'One result directory'}, labelled host · kernel · acceleration · profile:</p>
<ul class="runs">${runList}</ul>
<nav class="toc"><a href="#summary">Summary</a><a href="#charts">Charts</a>${scaling ? '<a href="#scaling">Scaling with jobs</a>' : ''}${papers ? '<a href="#papers">Published | measured</a>' : ''}<a href="#all-metrics">All metrics</a><a href="#unsupported">Unsupported</a><a href="#failed">Failed runs</a><a href="#environment">Environment</a></nav>
</header>
${howToRead(model)}
<h2 id="summary">Summary: headline metric per workload</h2>
<p class="legend-note">Backend colours, the same in every chart: ${legend}</p>
${headlineTable(model)}
<h2 id="charts">Charts</h2>
${charts.length > 0 ? charts.map(chartFigure).join('\n') : '<p class="empty">No completed run, so there is nothing to chart.</p>'}
${scaling ? `<h2 id="scaling">Scaling with jobs</h2>
<p class="legend-note">Scaling efficiency of each numjobs sweep: the headline throughput at N jobs divided by N × the throughput at 1 job (100% is perfect scaling; 1/N means no gain from the extra jobs), with the median beside it. On a machine with fewer CPUs than jobs the jobs share them, so efficiency falls there whatever the path.</p>
${scaling}` : ''}
${papers}
<h2 id="all-metrics">All metrics</h2>
<details><summary>Every metric of every backend × workload (median, 95% CI, ratio, CV)</summary>
${allMetricsTable(model) || '<p class="empty">No metrics.</p>'}
</details>
${requests ? `<details><summary>FUSE requests by opcode</summary>${requests}</details>` : ''}
<h2 id="unsupported">Unsupported backends</h2>
${unsupportedTable(model)}
<h2 id="failed">Failed runs</h2>
${failedTable(model)}
<h2 id="environment">Environment and how to reproduce</h2>
${environmentSection(model, targetDir)}
</body>
</html>
`;
}
