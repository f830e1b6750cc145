/**
 * The sweep charts and the scaling table, on two real runs of a numjobs sweep (test/fixtures/sweep/):
 * numjobs 1 and 2 of 128 KiB sequential reads on bind and fuse.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBackend } from '../../bench/backends/registry.js';
import { sweepRows } from '../../bench/report/charts/sweep.js';
import { chartSpecs, renderReport } from '../../bench/report/index.js';
import { buildModel } from '../../bench/report/model.js';
import { scalingEfficiency } from '../../bench/report/scaling.js';
import { loadResultSet } from '../../bench/results/load.js';
import { ROOT } from '../helpers/cli.js';
import { chartFigures } from './html.js';

const SWEEP = path.join(ROOT, 'test', 'fixtures', 'sweep');
const base = loadResultSet(path.join(SWEEP, 'base'));
const model = buildModel([base]);
const cell = (backend: string, numjobs: number) => base.summary.cells.find((candidate) => candidate.backend === backend && candidate.params?.numjobs === numjobs)!;
const bandwidth = (backend: string, numjobs: number) => cell(backend, numjobs).metrics.readBandwidthMiBps!;

interface LayerSpec {
  mark: { type: string };
  encoding: Record<string, { field?: string; sort?: string[]; scale?: { domain: string[]; range: string[] } }>;
}
interface SweepSpec {
  data: { values: Array<Record<string, unknown>> };
  facet: { row: { field: string } };
  spec: { layer: LayerSpec[] };
}
const specOf = (name: string, of = model) => chartSpecs(of).find(({ chart }) => chart.name === name)?.spec as unknown as SweepSpec | undefined;

describe('the sweep charts', () => {
  it('are drawn for the swept parameter only', () => {
    const names = chartSpecs(model).map(({ chart }) => chart.name);
    expect(names).toContain('sweep-numjobs');
    expect(names).toContain('sweep-numjobs-ratio');
    expect(names.filter((name) => name.startsWith('sweep-') && !name.startsWith('sweep-numjobs'))).toEqual([]);
  });

  it('put the parameter along x in sweep order and the headline median up y, with its CI as a band', () => {
    const spec = specOf('sweep-numjobs')!;
    const [band, line] = spec.spec.layer;
    expect(line!.mark.type).toBe('line');
    expect(line!.encoding.x!.field).toBe('value');
    expect(line!.encoding.x!.sort).toEqual(['1', '2']);
    expect(line!.encoding.y!.field).toBe('median');
    expect(band!.mark.type).toBe('area');
    expect([band!.encoding.y!.field, band!.encoding.y2!.field]).toEqual(['ciLow', 'ciHigh']);
    const fuse2 = spec.data.values.find((row) => row.backend === 'fuse' && row.value === '2')!;
    expect(fuse2).toMatchObject({ median: bandwidth('fuse', 2).median, ciLow: bandwidth('fuse', 2).ci95[0], ciHigh: bandwidth('fuse', 2).ci95[1], panel: 'seqread-128k — read bandwidth (MiB/s)' });
  });

  it('draw one line per backend in the registry\'s colours', () => {
    const line = specOf('sweep-numjobs')!.spec.layer[1]!;
    expect(line.encoding.color!.field).toBe('backend');
    expect(line.encoding.color!.scale).toEqual({ domain: ['bind', 'fuse'], range: [findBackend('bind')!.colour, findBackend('fuse')!.colour] });
    expect(line.encoding.detail!.field).toBe('label');
  });

  it('the ratio variant divides by the baseline at the same point, with the ratio\'s CI as the band', () => {
    const spec = specOf('sweep-numjobs-ratio')!;
    const rows = spec.data.values;
    const fuse1 = rows.find((row) => row.backend === 'fuse' && row.value === '1')!;
    expect(fuse1.ratio).toBeCloseTo(bandwidth('fuse', 1).median / bandwidth('bind', 1).median, 12);
    expect(fuse1.ratioLow as number).toBeLessThan(fuse1.ratio as number);
    expect(fuse1.ratioHigh as number).toBeGreaterThan(fuse1.ratio as number);
    expect(rows.filter((row) => row.backend === 'bind').map((row) => row.ratio)).toEqual([1, 1]);
    expect(fuse1.panel).toBe('seqread-128k — read bandwidth, ratio to bind');
    const line = spec.spec.layer.find((layer) => layer.mark.type === 'line')!;
    expect(line.encoding.y!.field).toBe('ratio');
  });

  it('give a panel per value of any other swept parameter', () => {
    // The same cells as if bs had been swept too: numjobs charts get a panel per bs.
    const twoParams = buildModel([{ ...base, summary: { ...base.summary, cells: base.summary.cells.flatMap((c) => ['4k', '1m'].map((bs) => ({ ...c, workload: `${c.workload} bs=${bs}`, params: { ...c.params, bs } }))) } }]);
    const panels = new Set(sweepRows(twoParams, 'numjobs').map((row) => row.panel));
    expect(panels).toEqual(new Set(['seqread-128k bs=4k — read bandwidth (MiB/s)', 'seqread-128k bs=1m — read bandwidth (MiB/s)']));
    expect(specOf('sweep-bs', twoParams)!.spec.layer[1]!.encoding.x!.sort).toEqual(['4k', '1m']);
  });

  it('are absent from a report of a run that swept nothing', () => {
    const plain = buildModel([loadResultSet(path.join(ROOT, 'test', 'fixtures', 'report', 'augmented'))]);
    expect(chartSpecs(plain).map(({ chart }) => chart.name).filter((name) => name.startsWith('sweep-'))).toEqual([]);
    expect(scalingEfficiency(plain)).toEqual([]);
  });
});

describe('the scaling table', () => {
  it('is throughput at N jobs / (N × throughput at 1 job), per backend', () => {
    const rows = scalingEfficiency(model);
    expect(rows.map((row) => row.backend)).toEqual(['bind', 'fuse']);
    for (const row of rows) {
      expect(row.workload).toBe('seqread-128k');
      expect(row.points.map((point) => point.jobs)).toEqual([1, 2]);
      expect(row.points[0]!.efficiency).toBe(1);
      expect(row.points[1]!.efficiency).toBeCloseTo(bandwidth(row.backend, 2).median / (2 * bandwidth(row.backend, 1).median), 12);
    }
  });

  it('is on the page with the charts, every number as data', async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'fusebench-sweep-report-'));
    try {
      cpSync(path.join(SWEEP, 'base'), scratch, { recursive: true });
      const { html } = await renderReport(model, scratch);
      const figures = chartFigures(html);
      expect(figures['sweep-numjobs']).toBe(true);
      expect(figures['sweep-numjobs-ratio']).toBe(true);
      expect(html).toContain('<a href="#scaling">Scaling with jobs</a>');
      const fuse2 = /<tr data-backend="fuse" data-workload="seqread-128k">[\s\S]*?data-jobs="2" data-value="([^"]+)"/.exec(html);
      expect(Number(fuse2![1])).toBeCloseTo(bandwidth('fuse', 2).median / (2 * bandwidth('fuse', 1).median), 12);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
