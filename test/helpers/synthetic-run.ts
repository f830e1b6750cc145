/**
 * A result set built in code from a shipped profile: every backend × point completed with the metrics
 * the test chooses, and each record's job file written by the suite's own job-file writers, so the
 * "Published | measured" matching sees exactly what a real run of that profile would store. The medians
 * are known exactly (three repetitions at 0.99, 1 and 1.01 of the chosen value).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadProfile, type LoadedProfile, type WorkloadPoint } from '../../bench/profiles.js';
import type { ResultSet } from '../../bench/results/load.js';
import type { CompletedRun, Environment } from '../../bench/results/schema.js';
import { summarize } from '../../bench/results/summary.js';
import { expandWorkloads } from '../../bench/sweep.js';
import { fioJobFile } from '../../bench/workloads/fio.js';
import { fioMetaJobFile } from '../../bench/workloads/fio-meta.js';
import { ROOT } from './cli.js';

export interface SyntheticCell {
  backend: string;
  point: WorkloadPoint;
}

export interface SyntheticOptions {
  /** The metrics of a cell (their medians), or undefined to leave the cell out. */
  metrics: (cell: SyntheticCell) => Record<string, number> | undefined;
  requests?: (cell: SyntheticCell) => Record<string, number> | undefined;
  environment?: Partial<Environment>;
}

/** A real run's environment (2 CPUs, 6.18), with this profile's name and resolved profile. */
function environmentFor(loaded: LoadedProfile, overrides: Partial<Environment>): Environment {
  const recorded = JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'sweep', 'base', 'environment.json'), 'utf8')) as Environment;
  return { ...recorded, profileName: loaded.profile.name, profileText: loaded.text, resolvedProfile: loaded.profile, ...overrides };
}

function jobText(point: WorkloadPoint, mountpoint: string): string | undefined {
  if (point.engine === 'fio') return fioJobFile({ workload: point, files: [path.join(mountpoint, 'data', 'file0')], fileSizeBytes: 1024 ** 3, runtimeSeconds: 1 });
  if (point.engine === 'fio-meta') return fioMetaJobFile(point, mountpoint);
  return undefined;
}

export function syntheticRun(profileName: string, options: SyntheticOptions): ResultSet {
  const loaded = loadProfile(profileName);
  const environment = environmentFor(loaded, options.environment ?? {});
  const records: CompletedRun[] = [];
  let sequence = 0;
  for (let repetition = 0; repetition < 3; repetition++) {
    for (const backend of loaded.profile.backends) {
      for (const point of expandWorkloads(loaded.profile.workloads)) {
        const metrics = options.metrics({ backend, point });
        if (!metrics) continue;
        const scale = [0.99, 1, 1.01][repetition]!;
        const requests = options.requests?.({ backend, point });
        const spec = jobText(point, `/tmp/fusebench/mnt/${backend}`);
        records.push({
          schemaVersion: 1,
          backend,
          workload: point.name,
          ...(point.engine === 'fio' && point.point ? point.point : {}),
          repetition,
          sequence: sequence++,
          startedAt: '2026-12-05T00:00:00.000Z',
          finishedAt: '2026-12-05T00:00:02.000Z',
          accel: 'native',
          state: 'completed',
          // ioCount stays exact so requests per I/O are too.
          metrics: Object.fromEntries(Object.entries(metrics).map(([name, value]) => [name, name === 'ioCount' ? value : value * scale])),
          ...(requests ? { requestsByOpcode: requests } : {}),
          details: {},
          mount: {},
          ...(spec ? { workloadSpec: spec } : {}),
        });
      }
    }
  }
  const summary = summarize(records, { profile: loaded.profile.name, baseline: loaded.profile.baseline, environment, seed: 1 });
  return { dir: path.join('/tmp', `synthetic-${loaded.profile.name}`), label: loaded.profile.name, records, environment, summary, files: [] };
}
