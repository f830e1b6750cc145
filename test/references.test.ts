import { describe, expect, it } from 'vitest';
import { UserError } from '../bench/errors.js';
import { loadReferences, parseReference } from '../bench/references.js';

describe('every shipped reference', () => {
  const loaded = loadReferences();

  it('includes the five sources issue 17 asks for', () => {
    expect(loaded.map((entry) => entry.reference.id)).toEqual(
      expect.arrayContaining(['fuse-io-uring', 'fuse-passthrough', 'fuse-bpf', 'vangoor-fast17', 'qemu-fuse-export-io-uring']),
    );
  });

  it.each(loaded.map((entry) => [entry.reference.id, entry] as const))('%s has a source link, figures or the reason for none, and a matching profile', (_id, entry) => {
    const { reference } = entry;
    expect(reference.source.link).toMatch(/^https:\/\//);
    if (reference.figures.length === 0) expect(reference.figures_note).toBeTruthy();
    else expect(reference.figures.every((figure) => figure.rows.length > 0)).toBe(true);
    expect(entry.profiles.length).toBeGreaterThan(0);
    for (const profile of entry.profiles) {
      expect(profile.exists || profile.path.startsWith('profiles/papers/')).toBe(true);
    }
  });

  it('every source this kernel can measure says how, and fuse-bpf says why it cannot', () => {
    for (const { reference } of loaded) {
      const measured = reference.figures.some((figure) => figure.measure);
      if (reference.id === 'fuse-bpf') {
        expect(reference.unsupported_here).toMatch(/FUSE-BPF/);
        expect(measured).toBe(false);
      } else {
        expect(reference.unsupported_here).toBeUndefined();
        expect(measured).toBe(true);
      }
    }
  });

  it('per-operation request counts are only given where the source states one per operation', () => {
    const counts = loaded.flatMap((entry) => entry.reference.request_counts.flatMap((table) => table.rows));
    const perOp = counts.filter((row) => row.per_op !== undefined);
    expect(perOp.length).toBeGreaterThan(0);
    for (const row of perOp) expect(row.source).toMatch(/one per file/);
  });
});

describe('reference files are checked, not trusted', () => {
  const valid = {
    id: 'example',
    source: { title: 't', authors: ['a'], venue: 'v', date: '2024-05-29', link: 'https://lore.kernel.org/x', figures_from: 'f', found_via: 'w' },
    setup: { kernel: 'k', hardware: 'h', server: 's', workload: 'w', file_size: 'f', baseline: 'b' },
    figures: [
      {
        id: 'bandwidth',
        caption: 'c',
        metric: 'bandwidth',
        unit: 'MiB/s',
        rows: [{ workload: 'read', jobs: 1, baseline: 'dev-fuse', baseline_value: 100, subject: 'io-uring', value: 150, ratio: 1.5, ratio_source: 'published' }],
      },
    ],
    profiles: [{ name: 'seqread', path: 'profiles/seqread.yaml', covers: 'c' }],
    differences: ['d'],
  };
  type Mutable = Record<string, unknown> & typeof valid;
  const parse = (mutate: (reference: Mutable) => void) => {
    const reference = structuredClone(valid) as Mutable;
    mutate(reference);
    // JSON is valid YAML, so the fixture needs no YAML writer.
    return () => parseReference(JSON.stringify(reference), 'references/example.yaml');
  };
  const expectError = (mutate: (reference: Mutable) => void, pattern: RegExp) => {
    let error: unknown;
    try {
      parse(mutate)();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(pattern);
    expect((error as Error).message).not.toContain('\n');
  };

  it('accepts a well-formed reference', () => {
    expect(parse(() => {})().reference.figures[0]!.rows[0]!.ratio).toBe(1.5);
  });
  it('refuses an empty figures list without a note saying why', () => {
    expectError((reference) => { reference.figures = []; }, /field figures_note: no figures/);
  });
  it('refuses a derived ratio that does not follow from the row', () => {
    expectError((reference) => {
      Object.assign(reference.figures[0]!.rows[0]!, { ratio: 1.4, ratio_source: 'derived' });
    }, /figures\[0\]\.rows\[0\]\.ratio: derived ratio 1\.4 does not match/);
  });
  it('refuses a published ratio that contradicts its own values unless computed_ratio records both', () => {
    expectError((reference) => { reference.figures[0]!.rows[0]!.ratio = 2.42; }, /published ratio 2\.42 is not value \/ baseline_value/);
    expect(() => parse((reference) => Object.assign(reference.figures[0]!.rows[0]!, { ratio: 2.42, computed_ratio: 1.5 }))()).not.toThrow();
  });
  it('refuses a source without a link', () => {
    expectError((reference) => { reference.source.link = 'lore.kernel.org/x'; }, /field source\.link:/);
  });
  it('refuses a matched profile that neither exists nor is a papers/ proposal with a setup', () => {
    expectError((reference) => { reference.profiles = [{ name: 'x', path: 'profiles/x.yaml', covers: 'c' }]; }, /profiles\[0\]\.path: profiles\/x\.yaml does not exist/);
    expect(() => parse((reference) => { reference.profiles = [{ name: 'papers/x', path: 'profiles/papers/x.yaml', covers: 'c', proposed_setup: 'p' } as (typeof valid.profiles)[0]]; })()).not.toThrow();
  });
  const measure = {
    profile: 'papers',
    baseline: 'fuse',
    subjects: { 'io-uring': 'fuse-uring' },
    workloads: { read: { match: { rw: 'read', direct: 0 }, metric: 'readBandwidthMiBps' } },
    storage: 'ssd',
    kernel: '6.2',
  };
  const withMeasure = (change: (block: Record<string, unknown>) => void) => (reference: Mutable) => {
    const block = structuredClone(measure) as Record<string, unknown>;
    change(block);
    Object.assign(reference.figures[0]!, { measure: block });
    reference.figures[0]!.rows[0]!.workload = 'read';
  };
  it('accepts a measure block that names registered backends, the rows\' workloads and an existing profile', () => {
    expect(() => parse(withMeasure(() => {}))()).not.toThrow();
  });
  it('refuses a measure block whose workload or subject no row has (a typo would measure nothing)', () => {
    expectError(withMeasure((block) => { block.workloads = { raed: measure.workloads.read }; }), /measure\.workloads\.raed: no row of this table has workload "raed"/);
    expectError(withMeasure((block) => { block.subjects = { uring: 'fuse-uring' }; }), /measure\.subjects\.uring: no row of this table has subject "uring"/);
  });
  it('refuses a measure block with an unknown backend, a fio option that is not a name, or a profile that does not exist', () => {
    expectError(withMeasure((block) => { block.baseline = 'fuse-turbo'; }), /measure\.baseline: not a registered backend/);
    expectError(withMeasure((block) => { block.workloads = { read: { match: { 'rw=read': 1 }, metric: 'readBandwidthMiBps' } }; }), /measure\.workloads\.read\.match/);
    expectError(withMeasure((block) => { block.profile = 'papers/nothing'; }), /figures\[0\]\.measure\.profile: profiles\/papers\/nothing\.yaml does not exist/);
  });
  it('refuses an id that does not match the file name', () => {
    expectError((reference) => { reference.id = 'other'; }, /field id: "other" should match the file name/);
  });
});
