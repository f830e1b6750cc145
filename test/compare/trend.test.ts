import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../bench/compare/run.js';
import { trend, trendSpec } from '../../bench/compare/trend.js';

const fixtures = path.resolve('test/fixtures/compare');
const history = mkdtempSync(path.join(tmpdir(), 'trend-test-'));
const first = '20261120T020000Z_6.18.44-fc-v782_a1b2c3d';
const second = '20261121T020000Z_6.18.44-fc-v782_e4f5a6b';

beforeAll(async () => {
  cpSync(path.join(fixtures, 'base'), path.join(history, first), { recursive: true });
  cpSync(path.join(fixtures, 'head'), path.join(history, second), { recursive: true });
  await runCompare(path.join(history, first), path.join(history, second), { out: path.join(history, second, 'compare'), print: () => undefined });
  symlinkSync(first, path.join(history, 'accepted'));
  // A night whose run died before writing its summary: listed as skipped, not fatal.
  mkdirSync(path.join(history, '20261122T020000Z_unknown_<b>'));
  writeFileSync(path.join(history, '20261122T020000Z_unknown_<b>', 'runs.jsonl'), '');
});
afterAll(() => rmSync(history, { recursive: true, force: true }));

describe('the nightly trend page', () => {
  it('plots each headline metric per backend and night and marks the regressed night', async () => {
    const { data, htmlFile, specFile } = await trend(history);
    expect(data.runs.map((run) => [run.run, run.status, run.accepted])).toEqual([
      [first, 'not compared', true],
      [second, 'regressed', false],
    ]);
    expect(data.points).toHaveLength(2 * 2 * 2);
    const regressed = data.points.filter((point) => point.regressed);
    expect(regressed.map((point) => `${point.run} ${point.backend} ${point.workload} ${point.metric}`)).toEqual([`${second} fuse seqread-128k readBandwidthMiBps`]);
    expect(regressed[0]!.regressedMetrics).toEqual(['readBandwidthMiBps']);
    expect(data.points.filter((point) => point.workload === 'randread-4k').every((point) => point.metric === 'readIops')).toBe(true);

    const html = readFileSync(htmlFile, 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script/);
    expect(html).toContain(`href="${second}/compare/compare.html"`);
    expect(html).toContain('20261122T020000Z_unknown_&lt;b&gt;');
    expect(JSON.parse(readFileSync(specFile, 'utf8'))).toEqual(JSON.parse(JSON.stringify(trendSpec(data.points))));
  });
});
