/**
 * A numjobs sweep end to end on real mounts: each point runs with its own value, is a cell of its own
 * in the records, summary and CSV, and the report draws the sweep chart and the scaling table.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunRecordSchema, SummarySchema } from '../../bench/results/schema.js';
import { readMounts } from '../../bench/system.js';
import { chartFigures } from '../report/html.js';
import { cli, FIXTURE_PROFILES } from '../helpers/cli.js';
import { missingRootOrFio, skipUnless } from '../helpers/kernel.js';

const scratch = '/tmp/fb-test-sweep';

describe.skipIf(skipUnless(missingRootOrFio()))('a swept profile on real mounts', () => {
  it('runs numjobs 1 and 2 on bind and fuse, one cell per point, and charts them', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-sweep-'));
    try {
      const result = await cli(['run', '--profile', path.join(FIXTURE_PROFILES, 'tiny-sweep.yaml'), '--backends', 'bind,fuse', '--runtime', '1', '--repeat', '1', '--no-trace', '--out', out], {
        env: { FUSEBENCH_SCRATCH: scratch },
      });
      expect(result.exitCode, result.all).toBe(0);
      const records = readFileSync(path.join(out, 'runs.jsonl'), 'utf8').trim().split('\n').map((line) => RunRecordSchema.parse(JSON.parse(line)));
      expect(records.map((record) => `${record.backend}/${record.workload}`).sort()).toEqual(['bind/seqread-128k numjobs=1', 'bind/seqread-128k numjobs=2', 'fuse/seqread-128k numjobs=1', 'fuse/seqread-128k numjobs=2']);
      for (const record of records) {
        expect(record.state, record.state !== 'completed' ? record.reason : '').toBe('completed');
        if (record.state !== 'completed') continue;
        expect(record.sweep).toBe('seqread-128k');
        // The job that ran is the point's own.
        expect(record.workloadSpec).toContain(`\nnumjobs=${record.params!.numjobs}\n`);
        expect(record.metrics.readBandwidthMiBps).toBeGreaterThan(0);
      }
      const summary = SummarySchema.parse(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')));
      expect(summary.cells.map((cell) => [cell.backend, cell.params?.numjobs])).toEqual([['bind', 1], ['fuse', 1], ['bind', 2], ['fuse', 2]]);
      expect(readFileSync(path.join(out, 'results.csv'), 'utf8')).toMatch(/^backend,workload,sweep,numjobs,state,/);
      const html = readFileSync(path.join(out, 'report.html'), 'utf8');
      expect(chartFigures(html)).toMatchObject({ 'sweep-numjobs': true, 'sweep-numjobs-ratio': true });
      expect(html).toMatch(/<table class="summary scaling">[\s\S]*data-backend="fuse"[\s\S]*data-jobs="2" data-value="\d/);
      expect(readMounts().filter((entry) => entry.mountpoint.startsWith(`${scratch}/`))).toEqual([]);
      expect(existsSync(path.join(scratch, 'lock'))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
