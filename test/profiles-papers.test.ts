/**
 * The papers profiles: profiles/papers.yaml runs every reproducible reference in one run within the
 * 20-minute budget, and each profiles/papers/NAME.yaml reproduces the reference that names it. "Reproduces"
 * is checked the way the report decides it: a run of the profile (its job files, test/helpers/synthetic-run.ts)
 * must give the "Published | measured" section at least one row of the reference.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getBackend } from '../bench/backends/registry.js';
import { loadProfile, parseProfile, PROFILES_DIR, resolveProfilePath } from '../bench/profiles.js';
import { loadReferences } from '../bench/references.js';
import { buildModel } from '../bench/report/model.js';
import { comparePapers } from '../bench/report/papers.js';
import { expandWorkloads } from '../bench/sweep.js';
import { syntheticRun } from './helpers/synthetic-run.js';

const PAPERS_DIR = path.join(PROFILES_DIR, 'papers');
const files = readdirSync(PAPERS_DIR).filter((file) => file.endsWith('.yaml'));
const references = loadReferences();

/** Every backend a bit slower than bind, so every ratio exists. */
const anyMetrics = () => ({ readBandwidthMiBps: 100, writeBandwidthMiBps: 50, opsPerSecond: 1000, ioCount: 1000 });

function reproduced(profile: string): Map<string, number> {
  const comparison = comparePapers(buildModel([syntheticRun(profile, { metrics: anyMetrics })], references));
  return new Map(comparison.compared.map((entry) => [entry.reference.id, entry.rows.length]));
}

/** The references a run can measure: those with a measure block, less the ones this kernel cannot run. */
const measurable = references
  .map((loaded) => loaded.reference)
  .filter((reference) => !reference.unsupported_here && reference.figures.some((figure) => figure.measure));

describe('profiles/papers/', () => {
  it.each(files)('%s validates, is documented at its top, names known backends and is found as papers/NAME', (file) => {
    const text = readFileSync(path.join(PAPERS_DIR, file), 'utf8');
    const { profile } = parseProfile(text, `profiles/papers/${file}`);
    const name = file.replace(/\.yaml$/, '');
    expect(profile.name).toBe(`papers-${name}`);
    expect(text.startsWith('#')).toBe(true);
    for (const backend of profile.backends) expect(() => getBackend(backend)).not.toThrow();
    expect(resolveProfilePath(`papers/${name}`)).toBe(path.join(PAPERS_DIR, file));
    expect(loadProfile(`papers/${name}`).profile.name).toBe(profile.name);
  });

  it.each(files)('%s reproduces rows of every reference whose measure names it', (file) => {
    const name = `papers/${file.replace(/\.yaml$/, '')}`;
    const naming = measurable.filter((reference) => reference.figures.some((figure) => figure.measure?.profile === name));
    expect(naming.length).toBeGreaterThan(0);
    const rows = reproduced(name);
    for (const reference of naming) expect(rows.get(reference.id) ?? 0, reference.id).toBeGreaterThan(0);
  });
});

describe('profiles/papers.yaml', () => {
  it('reproduces rows of every reference that can be measured here, and fuse-bpf is not among them', () => {
    const rows = reproduced('papers');
    expect(measurable.map((reference) => reference.id).sort()).toEqual(['fuse-io-uring', 'fuse-passthrough', 'qemu-fuse-export-io-uring', 'vangoor-fast17']);
    for (const reference of measurable) expect(rows.get(reference.id) ?? 0, reference.id).toBeGreaterThan(0);
    expect(rows.has('fuse-bpf')).toBe(false);
  });

  it('fits the 20-minute budget at ~3.5 s of set-up per run (mount, caches, tracing, unmount)', () => {
    const { profile } = loadProfile('papers');
    const points = expandWorkloads(profile.workloads);
    const runsPerPoint = profile.backends.length * profile.repeat.max;
    const SETUP_SECONDS = 3.5;
    // fio-meta jobs run a fixed number of operations, well under a second each on these paths.
    const seconds = points.reduce((total, point) => total + runsPerPoint * (SETUP_SECONDS + (point.engine === 'fio' ? profile.runtimeSeconds + profile.rampSeconds : 0.5)), 0);
    expect(points.length * runsPerPoint).toBe(180);
    expect(seconds / 60).toBeLessThan(16);
    expect(seconds / 60).toBeGreaterThan(10);
  });
});
