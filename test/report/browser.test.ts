/**
 * The page in a real browser (Debian's chromium, headless, driven over the DevTools pipe): a report of
 * a real bench run opens with no console error and no network request, every chart has a size, with
 * JavaScript off too, and printing keeps every chart inside the page. The screenshot lands next to the
 * report as report.png, for a person to look at.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../bench/report/index.js';
import { cli, FIXTURE_PROFILES, ROOT } from '../helpers/cli.js';
import { missingRootOrFio, skipUnless } from '../helpers/kernel.js';
import { Chromium, missingChromium } from './chromium.js';

/** Kept after the test (and replaced by the next run) so the report and its screenshot can be opened. */
const OUT = path.join(os.tmpdir(), 'fusebench-report-browser');

interface ChartBox {
  name: string;
  width: number;
  height: number;
  right: number;
}
const measureCharts = `[...document.querySelectorAll('figure.chart')].map((figure) => {
  const box = figure.querySelector('svg')?.getBoundingClientRect();
  return { name: figure.dataset.chart, width: box?.width ?? 0, height: box?.height ?? 0, right: box?.right ?? 0 };
})`;

describe.skipIf(skipUnless(missingChromium() ?? missingRootOrFio()))('report.html in a real browser', () => {
  let browser: Chromium;
  const runDir = path.join(OUT, 'tiny-seqread');
  const fixtureDir = path.join(OUT, 'augmented');

  beforeAll(async () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const result = await cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'tiny-seqread.yaml'), '--backends', 'bind', '--runtime', '1', '--repeat', '2', '--out', runDir]);
    expect(result.exitCode, result.all).toBe(0);
    // The CLI may or may not render the report itself (the runner calls writeReport when wired); render
    // it here either way, from what the run stored.
    await writeReport([runDir]);
    cpSync(path.join(ROOT, 'test', 'fixtures', 'report', 'augmented'), fixtureDir, { recursive: true });
    await writeReport([fixtureDir]);
    browser = Chromium.launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('would notice a console error and a network request (the checks below can fail)', async () => {
    const bad = path.join(OUT, 'bad.html');
    writeFileSync(bad, '<!DOCTYPE html><title>bad</title><img src="http://127.0.0.1:9/x.png"><script>console.error("boom")</script>');
    const visit = await browser.open(pathToFileURL(bad).href);
    expect(visit.consoleErrors.some((text) => text.includes('boom'))).toBe(true);
    expect(visit.requests).toContain('http://127.0.0.1:9/x.png');
  });

  it('opens the report of a real run with no console error, no network request, and every chart drawn', async () => {
    const url = pathToFileURL(path.join(runDir, 'report.html')).href;
    const visit = await browser.open(url);
    expect(visit.consoleErrors).toEqual([]);
    expect(visit.requests).toEqual([url]);
    const charts = await browser.evaluate<ChartBox[]>(visit.session, measureCharts);
    // A bind-only run with the default collectors: throughput, noise, latency and the CPU split
    // (bind makes no FUSE requests, so no transition chart is drawn for it).
    expect(charts.map((chart) => chart.name)).toEqual(['headline', 'repetitions', 'latency', 'cpu']);
    for (const chart of charts) {
      expect(chart.width, chart.name).toBeGreaterThan(100);
      expect(chart.height, chart.name).toBeGreaterThan(50);
    }
    expect(await browser.evaluate<number>(visit.session, 'document.scripts.length')).toBe(0);
    const png = await browser.screenshot(visit.session);
    writeFileSync(path.join(runDir, 'report.png'), png);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('draws all seven charts of the augmented fixture, with JavaScript off as well', async () => {
    const url = pathToFileURL(path.join(fixtureDir, 'report.html')).href;
    const visit = await browser.open(url);
    expect(visit.consoleErrors).toEqual([]);
    expect(visit.requests).toEqual([url]);
    await browser.send('Emulation.setScriptExecutionDisabled', { value: true }, visit.session);
    await browser.reload(visit.session);
    const charts = await browser.evaluate<ChartBox[]>(visit.session, measureCharts);
    expect(charts).toHaveLength(7);
    for (const chart of charts) expect(chart.width * chart.height, chart.name).toBeGreaterThan(100 * 50);
    // The profile is named <script>alert(1)</script>: it must be text on the page, not an element.
    expect(await browser.evaluate<string>(visit.session, 'document.querySelector("h1").textContent')).toContain('<script>alert(1)</script>');
    writeFileSync(path.join(fixtureDir, 'report.png'), await browser.screenshot(visit.session));
  });

  it('prints to PDF with every chart inside the page width', async () => {
    // A4 landscape (the page's @page size) minus 12 mm margins is about 1030 CSS pixels wide.
    const visit = await browser.open(pathToFileURL(path.join(fixtureDir, 'report.html')).href, 1030);
    await browser.send('Emulation.setEmulatedMedia', { media: 'print' }, visit.session);
    const pageWidth = await browser.evaluate<number>(visit.session, 'document.body.getBoundingClientRect().right');
    const charts = await browser.evaluate<ChartBox[]>(visit.session, measureCharts);
    for (const chart of charts) expect(chart.right, chart.name).toBeLessThanOrEqual(pageWidth + 0.5);
    const overflowing = await browser.evaluate<string[]>(
      visit.session,
      `[...document.querySelectorAll('table, pre, figure')].filter((e) => e.getBoundingClientRect().right > ${pageWidth} + 0.5).map((e) => e.tagName + '.' + e.className)`,
    );
    expect(overflowing).toEqual([]);
    const pdf = await browser.pdf(visit.session);
    writeFileSync(path.join(fixtureDir, 'report.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(existsSync(path.join(fixtureDir, 'report.pdf'))).toBe(true);
    expect(readFileSync(path.join(fixtureDir, 'report.html'), 'utf8')).toContain('@media print');
  });
});
