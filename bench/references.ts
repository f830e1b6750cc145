/**
 * Published references: one YAML file per source in references/ (cover letters, papers), each with the
 * source, the setup as published, its figures copied as rows, the profile that matches it most closely
 * and what differs here. The report sets its "published | measured" rows from these.
 *
 * Figures are facts and must be checkable: a ratio marked derived has to equal value / baseline_value
 * (or 1 + diff_percent / 100), and a published ratio that disagrees with its own values has to say so
 * with computed_ratio. A source without figures says why in figures_note instead of inventing any.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from './errors.js';
import { CountMeasureSchema, FigureMeasureSchema } from './reference-measure.js';
import { SUITE_ROOT } from './suite-root.js';
import { parseYamlAs } from './yaml-file.js';

export const REFERENCES_DIR = path.join(SUITE_ROOT, 'references');

const Id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and -');
const Text = z.string().trim().min(1);
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2024-05-29');
const Link = z.url({ protocol: /^https?$/ });

/** Within a ratio's own rounding: published ratios carry two decimals, derived ones three or four. */
const PUBLISHED_TOLERANCE = 0.011;
const DERIVED_TOLERANCE = 0.001;

const RowSchema = z
  .strictObject({
    /** The row number in the source's table, where it has one. */
    row: z.number().int().min(1).optional(),
    workload: Text,
    jobs: z.number().int().min(1).optional(),
    bs: z.string().regex(/^\d+[kKmM]?$/, 'a size like 4k or 1m').optional(),
    iodepth: z.number().int().min(1).optional(),
    device: Text.optional(),
    /** The column the ratio is taken against (native, /dev/fuse, legacy, ext4 …). */
    baseline: Text,
    baseline_value: z.number().positive().nullable(),
    subject: Text,
    /** Null where the source prints only a relative figure. */
    value: z.number().positive().nullable(),
    /** subject / baseline, as published or computed here (ratio_source says which). */
    ratio: z.number().positive(),
    ratio_source: z.enum(['published', 'derived']),
    /** value / baseline_value, kept when a published ratio disagrees with the published values. */
    computed_ratio: z.number().positive().optional(),
    /** The source's own relative figure, in percent (e.g. -2.45 for 2.45% slower). */
    diff_percent: z.number().optional(),
    /** The source's class marker for diff_percent, copied as printed. */
    diff_class: z.string().optional(),
    stddev_pct: z.number().min(0).optional(),
    baseline_stddev_pct: z.number().min(0).optional(),
    stddev: z.number().min(0).optional(),
    baseline_stddev: z.number().min(0).optional(),
    note: Text.optional(),
  })
  .superRefine((row, ctx) => {
    const fromValues = row.value !== null && row.baseline_value !== null ? row.value / row.baseline_value : undefined;
    const fromDiff = row.diff_percent !== undefined ? 1 + row.diff_percent / 100 : undefined;
    if (fromValues === undefined && fromDiff === undefined && row.ratio_source === 'derived') {
      ctx.addIssue({ code: 'custom', path: ['ratio'], message: 'a derived ratio needs value and baseline_value, or diff_percent, to derive it from' });
      return;
    }
    const expected = fromDiff ?? fromValues!;
    if (row.ratio_source === 'derived' && Math.abs(row.ratio - expected) > DERIVED_TOLERANCE) {
      ctx.addIssue({ code: 'custom', path: ['ratio'], message: `derived ratio ${row.ratio} does not match the row's figures (${expected.toFixed(4)})` });
    }
    if (row.ratio_source === 'published' && fromValues !== undefined) {
      const disagrees = Math.abs(row.ratio - fromValues) > PUBLISHED_TOLERANCE;
      if (disagrees && row.computed_ratio === undefined) {
        ctx.addIssue({ code: 'custom', path: ['ratio'], message: `published ratio ${row.ratio} is not value / baseline_value (${fromValues.toFixed(3)}): check the copy, or keep both with computed_ratio` });
      }
      if (row.computed_ratio !== undefined && Math.abs(row.computed_ratio - fromValues) > DERIVED_TOLERANCE) {
        ctx.addIssue({ code: 'custom', path: ['computed_ratio'], message: `computed_ratio ${row.computed_ratio} is not value / baseline_value (${fromValues.toFixed(3)})` });
      }
    }
  });

const FigureSchema = z.strictObject({
  id: Id,
  caption: Text,
  metric: Text,
  unit: Text,
  unit_note: Text.optional(),
  note: Text.optional(),
  /** False for times (a build in seconds): then a ratio above 1 is the slower side. */
  higher_is_better: z.boolean().default(true),
  rows: z.array(RowSchema).min(1),
  /** How the rows are reproduced here (reference-measure.ts); a table without one is shown as published only. */
  measure: FigureMeasureSchema.optional(),
});

const CountRowSchema = z.strictObject({
  workload: Text,
  configuration: Text,
  device: Text,
  opcode: z.string().regex(/^[A-Z_]+$/, 'a FUSE opcode name like READ or GETATTR'),
  /** As printed (451K, 15.7M, 4 million): the source rounds, so the text is the fact. */
  count: Text,
  source: Text,
  /** Requests of this type per operation of the workload, where the source says so ("one per file created"). */
  per_op: z.number().positive().optional(),
});

const CountTableSchema = z.strictObject({
  id: Id,
  caption: Text,
  note: Text.optional(),
  rows: z.array(CountRowSchema).min(1),
  measure: CountMeasureSchema.optional(),
});

const SourceSchema = z.strictObject({
  title: Text,
  authors: z.array(Text).min(1),
  venue: Text,
  date: IsoDate,
  link: Link,
  /** Which version, section or table the figures come from. */
  figures_from: Text,
  also: z.array(z.strictObject({ title: Text, date: IsoDate.optional(), link: Link, note: Text.optional() })).default([]),
  /** How the text was found, so the next reader can check the copy. */
  found_via: Text,
});

const SetupSchema = z.strictObject({
  kernel: Text,
  hardware: Text,
  server: Text,
  workload: Text,
  file_size: Text,
  baseline: Text,
});

const ProfileMatchSchema = z.strictObject({
  name: Text,
  path: z.string().regex(/^profiles\/[a-z0-9/_-]+\.yaml$/, 'a path like profiles/seqread.yaml'),
  /** Which figures (ids, rows) this profile reproduces, and how closely. */
  covers: Text,
  /** For a profile that does not exist yet: what it would run, in words. */
  proposed_setup: Text.optional(),
});

export const ReferenceSchema = z
  .strictObject({
    id: Id,
    source: SourceSchema,
    setup: SetupSchema,
    figures: z.array(FigureSchema),
    figures_note: Text.optional(),
    request_counts: z.array(CountTableSchema).default([]),
    claims: z.array(Text).default([]),
    profiles: z.array(ProfileMatchSchema).min(1),
    differences: z.array(Text).min(1),
    /** Why nothing of this source can be measured on this project's machines (no such kernel code here). */
    unsupported_here: Text.optional(),
  })
  .superRefine((reference, ctx) => {
    if (reference.figures.length === 0 && reference.figures_note === undefined) {
      ctx.addIssue({ code: 'custom', path: ['figures_note'], message: 'no figures: say why in figures_note rather than leave the list empty' });
    }
    const ids = [...reference.figures.map((figure) => figure.id), ...reference.request_counts.map((table) => table.id)];
    const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
    if (duplicate) ctx.addIssue({ code: 'custom', path: ['figures'], message: `duplicate table id "${duplicate}"` });
    // A name in a measure block that no row uses is a typo that would silently measure nothing.
    const unused = (names: Iterable<string>, used: ReadonlyArray<string>, at: PropertyKey[], what: string) => {
      for (const name of names) if (!used.includes(name)) ctx.addIssue({ code: 'custom', path: [...at, name], message: `no row of this table has ${what} "${name}"` });
    };
    reference.figures.forEach((figure, index) => {
      if (!figure.measure) return;
      unused(Object.keys(figure.measure.workloads), figure.rows.map((row) => row.workload), ['figures', index, 'measure', 'workloads'], 'workload');
      unused(Object.keys(figure.measure.subjects), figure.rows.map((row) => row.subject), ['figures', index, 'measure', 'subjects'], 'subject');
    });
    reference.request_counts.forEach((table, index) => {
      if (!table.measure) return;
      unused(Object.keys(table.measure.workloads), table.rows.map((row) => row.workload), ['request_counts', index, 'measure', 'workloads'], 'workload');
    });
  });

export type Reference = z.infer<typeof ReferenceSchema>;
export type ReferenceFigure = z.infer<typeof FigureSchema>;
export type ReferenceRow = z.infer<typeof RowSchema>;
export type ReferenceCountTable = z.infer<typeof CountTableSchema>;

export interface LoadedReference {
  reference: Reference;
  file: string;
  /** Per matched profile: whether it exists in this checkout yet (proposed ones live under profiles/papers/). */
  profiles: Array<{ name: string; path: string; exists: boolean }>;
}

/**
 * A matched profile must exist, or be a proposal under profiles/papers/ that says what it would run; the
 * profile a measure block names must exist.
 */
function checkProfiles(reference: Reference, file: string, root: string): LoadedReference['profiles'] {
  const measured = [
    ...reference.figures.map((figure, index) => ({ at: `figures[${index}]`, measure: figure.measure })),
    ...reference.request_counts.map((table, index) => ({ at: `request_counts[${index}]`, measure: table.measure })),
  ];
  for (const { at, measure } of measured) {
    if (measure?.profile !== undefined && !existsSync(path.join(root, 'profiles', `${measure.profile}.yaml`))) {
      throw new UserError(`${file}: field ${at}.measure.profile: profiles/${measure.profile}.yaml does not exist`);
    }
  }
  return reference.profiles.map((match, index) => {
    const exists = existsSync(path.join(root, match.path));
    if (!exists && !(match.path.startsWith('profiles/papers/') && match.proposed_setup)) {
      throw new UserError(`${file}: field profiles[${index}].path: ${match.path} does not exist; a profile still to be written belongs under profiles/papers/ with a proposed_setup`);
    }
    return { name: match.name, path: match.path, exists };
  });
}

export function parseReference(text: string, file: string, root = SUITE_ROOT): LoadedReference {
  const reference = parseYamlAs(ReferenceSchema, text, file);
  const expectedId = path.basename(file).replace(/\.ya?ml$/, '');
  if (reference.id !== expectedId) throw new UserError(`${file}: field id: "${reference.id}" should match the file name ("${expectedId}")`);
  return { reference, file, profiles: checkProfiles(reference, file, root) };
}

/** Every references/*.yaml, in file-name order. */
export function loadReferences(dir = REFERENCES_DIR, root = SUITE_ROOT): LoadedReference[] {
  if (!existsSync(dir)) throw new UserError(`no references directory at ${dir}`);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      return parseReference(readFileSync(file, 'utf8'), path.relative(process.cwd(), file) || file, root);
    });
}
