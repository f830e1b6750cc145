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
  it('refuses an id that does not match the file name', () => {
    expectError((reference) => { reference.id = 'other'; }, /field id: "other" should match the file name/);
  });
});
