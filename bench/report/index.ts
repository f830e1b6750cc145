/**
 * The report: report.html plus charts/NAME.svg and charts/NAME.vl.json, rendered from stored results
 * only (runs.jsonl, environment.json, summary.json). Nothing here measures anything.
 *
 *   writeReport([dir])            → dir/report.html
 *   writeReport([a, b], {target}) → target/report.html, a and b side by side
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../results/store.js';
import { charts } from './charts/index.js';
import { loadResultSet } from '../results/load.js';
import { buildModel, type ReportModel } from './model.js';
import { renderPage, type RenderedChart } from './page.js';
import { renderSvg } from '../render/svg.js';
import { loadReferences } from '../references.js';

export const REPORT_FILE = 'report.html';
export const CHARTS_DIR = 'charts';

export interface ReportOptions {
  /** Where report.html goes; default: the first directory. */
  target?: string;
}

/** The chart specs (data inline) for a model, leaving out every chart that would be empty. */
export function chartSpecs(model: ReportModel) {
  return charts.flatMap((chart) => {
    const spec = chart.build(model);
    return spec ? [{ chart, spec }] : [];
  });
}

/** Renders the whole page as a string: no file is written. */
export async function renderReport(model: ReportModel, targetDir: string): Promise<{ html: string; charts: Array<RenderedChart & { spec: unknown }> }> {
  const rendered: Array<RenderedChart & { spec: unknown }> = [];
  for (const { chart, spec } of chartSpecs(model)) {
    rendered.push({ name: chart.name, title: chart.title, caption: chart.caption, svg: await renderSvg(spec, chart.name), spec });
  }
  return { html: renderPage(model, rendered, targetDir), charts: rendered };
}

export async function writeReport(outDirs: string[], options: ReportOptions = {}): Promise<string> {
  if (outDirs.length === 0) throw new Error('writeReport needs at least one result directory');
  const targetDir = path.resolve(options.target ?? outDirs[0]!);
  const model = buildModel(outDirs.map(loadResultSet), loadReferences());
  const { html, charts: rendered } = await renderReport(model, targetDir);
  const chartsDir = path.join(targetDir, CHARTS_DIR);
  mkdirSync(chartsDir, { recursive: true });
  // Charts left from an earlier render with more data would be stale: only ours stay.
  const keep = new Set(rendered.flatMap((chart) => [`${chart.name}.svg`, `${chart.name}.vl.json`]));
  for (const file of readdirSync(chartsDir)) {
    if (/\.(svg|vl\.json)$/.test(file) && !keep.has(file)) rmSync(path.join(chartsDir, file));
  }
  for (const chart of rendered) {
    writeFileAtomic(path.join(chartsDir, `${chart.name}.vl.json`), `${JSON.stringify(chart.spec, null, 2)}\n`);
    writeFileAtomic(path.join(chartsDir, `${chart.name}.svg`), chart.svg);
  }
  const file = path.join(targetDir, REPORT_FILE);
  writeFileAtomic(file, html);
  return file;
}
