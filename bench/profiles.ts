/**
 * Profiles: YAML files that name workloads, backends, data set, cache state and repetitions.
 * Loading validates against a schema; any error names the file and the field in one line.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { externalBackend } from './backends/external.js';
import { findBackend } from './backends/registry.js';
import { UserError } from './errors.js';
import { describeIssuePath, readYaml } from './yaml-file.js';
import { crossFieldIssues, reservedKeyIssues, type ProfileIssue } from './profile-checks.js';
import { sweepable, type PointOf } from './sweep.js';
import { CpuList, FileSize, FioOptionsSchema, workloadFieldOptions } from './workloads/fio-options.js';

export const PROFILES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'profiles');

const WorkloadName = z.string().max(64).regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _');
/** A metric name, optionally qualified by an opcode (requestsPerIo:READ); checked against the workload in profile-checks. */
const Headline = z.string().regex(/^[A-Za-z][A-Za-z0-9]*(:[A-Z][A-Z0-9_]*)?$/, 'a metric name like readIops or opLatencyP50Us');

const FioWorkloadSchema = z.strictObject({
  name: WorkloadName,
  engine: z.literal('fio'),
  /** fio's rw: read, write, randread, randwrite, rw, randrw. */
  rw: workloadFieldOptions.rw,
  // These five may be lists: the workload then runs once per point of their cross product (sweep.ts).
  bs: sweepable(workloadFieldOptions.bs),
  ioengine: sweepable(workloadFieldOptions.ioengine).default('psync'),
  numjobs: sweepable(workloadFieldOptions.numjobs).default(1),
  iodepth: sweepable(workloadFieldOptions.iodepth).default(1),
  direct: sweepable(workloadFieldOptions.direct).default(false),
  /** fsync after this many writes (fio's fsync=), 0 for never. */
  fsync: workloadFieldOptions.fsync.default(0),
  /** Which metric is the one to look at first; default: bandwidth for bs >= 64k, else IOPS. */
  headline: Headline.optional(),
  /** More fio options, from the allow-list in workloads/fio-options.ts, each with its typed schema. */
  fioOptions: FioOptionsSchema.default({}),
});

const MetaWorkloadSchema = z.strictObject({
  name: WorkloadName,
  engine: z.literal('meta'),
  /**
   * The metadata operation tinybench times. One op per workload, so the collectors' request counts
   * divide into requests per operation.
   */
  op: z.enum(['stat', 'stat-missing', 'open-close', 'readdir', 'create-unlink', 'rename', 'write-fsync']),
  /** Entries in the directory that readdir lists. */
  dirEntries: z.number().int().min(1).max(1_000_000).default(1000),
  /** Time per operation in milliseconds. */
  timeMs: z.number().int().min(10).max(600_000).default(1000),
  headline: Headline.optional(),
});

const FioMetaWorkloadSchema = z.strictObject({
  name: WorkloadName,
  engine: z.literal('fio-meta'),
  /** fio's filecreate, filestat or filedelete engine. */
  ioengine: z.enum(['filecreate', 'filestat', 'filedelete']),
  nrfiles: z.number().int().min(1).max(1_000_000).default(1000),
  headline: Headline.optional(),
});

/** `engine` may be left out for fio workloads; errors then point at the field, not at the union. */
export const WorkloadSchema = z.preprocess(
  (value) => (value !== null && typeof value === 'object' && !('engine' in value) ? { ...value, engine: 'fio' } : value),
  z.discriminatedUnion('engine', [FioWorkloadSchema, MetaWorkloadSchema, FioMetaWorkloadSchema]),
);

const RepeatSchema = z.union([
  z.number().int().min(1).max(100).transform((n) => ({ min: n, max: n, targetCI: 0 })),
  z.strictObject({
    min: z.number().int().min(1).max(100),
    max: z.number().int().min(1).max(200),
    /** Stop repeating a cell once the 95% CI half-width is within this fraction of the median. */
    targetCI: z.number().min(0).max(1).default(0.035),
  }),
]);

export const ProfileSchema = z
  .strictObject({
    name: z.string().max(100).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, ., - and _'),
    description: z.string().max(2000).default(''),
    /** Checked against the registry in profile-checks, so an unknown name is reported as the profile's. */
    backends: z.array(z.string()).min(1).max(32),
    /** The backend every ratio is taken against; default bind if listed, else the first backend. */
    baseline: z.string().optional(),
    /**
     * External daemons by name, usable in backends: their transport only. The command comes from the
     * command line (--external NAME=CMD), never from a profile, which must not choose what runs as root.
     */
    externals: z
      .record(
        z.string(),
        z.strictObject({
          uring: z.boolean().default(false),
          command: z.never({ message: 'a profile cannot give a command (the suite would run it as root): pass it with --external NAME=CMD' }).optional(),
        }),
      )
      .default({}),
    dataset: z
      .strictObject({
        /** Files in the data set, each fileSize long; fio spreads its job over them. */
        files: z.number().int().min(1).max(100_000).default(1),
        fileSize: FileSize.default('1g'),
      })
      .default({ files: 1, fileSize: '1g' }),
    /**
     * Always a fresh tmpfs in the scratch root: the suite writes its data set into the lower, and a profile
     * must not choose where the suite writes. A directory lower is the user's, on the command line (--lower).
     */
    lower: z
      .string()
      .refine((value): boolean => value === 'tmpfs', 'a profile may only use tmpfs (the default); a directory lower is chosen on the command line with --lower DIR, since the data set is written into it')
      .default('tmpfs'),
    cache: z.enum(['warm', 'cold']).default('warm'),
    runtimeSeconds: z.number().positive().max(3600).default(10),
    rampSeconds: z.number().min(0).max(600).default(1),
    repeat: RepeatSchema.default({ min: 3, max: 3, targetCI: 0 }),
    /** Significance threshold for compare, as a fraction (0.05 = 5%). */
    threshold: z.number().min(0).max(1).default(0.05),
    /**
     * CPUs every daemon the suite starts is confined to (taskset -c), e.g. "1" with a workload's
     * fioOptions.cpus_allowed "0": fio and the daemon then never share or swap CPUs, which otherwise
     * switches a run between two modes (same CPU or not) and spreads daemon CPU per I/O between runs.
     */
    daemonCpus: CpuList.optional(),
    /** Options per backend, each checked by that backend's own schema (its optionsSchema). */
    backendOptions: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    workloads: z.array(WorkloadSchema).min(1).max(100),
  })
  .superRefine(
    (profile, ctx) => {
      for (const issue of crossFieldIssues(profile)) ctx.addIssue({ code: 'custom', ...issue });
      if (profile.repeat.max < profile.repeat.min) {
        ctx.addIssue({ code: 'custom', path: ['repeat', 'max'], message: 'must be at least repeat.min' });
      }
    },
    // Only once every field is valid: a field's own error is the one to report, not a consequence of it.
    { when: (payload) => payload.issues.length === 0 },
  )
  .transform((profile) => ({
    ...profile,
    baseline: profile.baseline ?? (profile.backends.includes('bind') ? 'bind' : profile.backends[0]!),
    // Each backend's own schema, already passed in the checks: its parse gives the typed options.
    backendOptions: Object.fromEntries(Object.entries(profile.backendOptions).map(([name, options]) => [name, (findBackend(name) ?? externalBackend).optionsSchema.parse(options)])),
  }));

export type Profile = z.infer<typeof ProfileSchema>;
/** A workload as the profile gives it: a fio workload's sweepable fields may be lists. */
export type Workload = z.infer<typeof WorkloadSchema>;
export type SweptFioWorkload = z.infer<typeof FioWorkloadSchema>;
/** One fio job: a workload that sweeps nothing, or one point of a sweep (sweep.ts expandWorkload). */
export type FioWorkload = PointOf<SweptFioWorkload>;
/** What one runner runs: a workload that sweeps nothing, or one point of a sweep. */
export type WorkloadPoint = FioWorkload | Exclude<Workload, { engine: 'fio' }>;

export interface LoadedProfile {
  profile: Profile;
  file: string;
  text: string;
  /** sha256 of the file's text: two runs with the same hash ran the same profile. */
  hash: string;
}

/** A profile is a name in profiles/ (papers/NAME for one in profiles/papers/) or a path to a YAML file. */
export function resolveProfilePath(nameOrPath: string): string {
  if (nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml')) return path.resolve(nameOrPath);
  if (!nameOrPath.includes('/')) return path.join(PROFILES_DIR, `${nameOrPath}.yaml`);
  // A relative path without a suffix still means the file, unless a shipped profile has that name.
  const shipped = path.join(PROFILES_DIR, `${nameOrPath}.yaml`);
  return /^[a-z0-9-]+\/[a-z0-9-]+$/.test(nameOrPath) && existsSync(shipped) ? shipped : path.resolve(nameOrPath);
}

/** How many problems one error lists; past that the count says how many more. */
const LISTED_PROBLEMS = 5;

/** One line for one problem, a short list for several: each names the file and the field. */
export function profileError(file: string, issues: readonly ProfileIssue[]): UserError {
  const lines = issues.map((issue) => `${describeIssuePath(issue.path)}: ${issue.message}`);
  if (lines.length === 1) return new UserError(`${file}: ${lines[0]}`);
  const listed = lines.slice(0, LISTED_PROBLEMS).map((line) => `  ${file}: ${line}`);
  const more = lines.length > LISTED_PROBLEMS ? [`  (and ${lines.length - LISTED_PROBLEMS} more)`] : [];
  return new UserError([`${file}: ${lines.length} problems`, ...listed, ...more].join('\n'));
}

/** zod's issues as the profile's: unknown keys each named as the field they are. */
function toProfileIssues(issues: readonly z.core.$ZodIssue[]): ProfileIssue[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key], message: 'unknown field (check the spelling)' }))
      : [{ path: [...issue.path], message: issue.message }],
  );
}

/**
 * Validates a profile's text: YAML, reserved keys, every field's schema, the cross-field checks and the
 * lower directory. Throws one UserError naming the file and each field at fault.
 */
export function parseProfile(text: string, file: string): LoadedProfile {
  const raw = readYaml(text, file);
  const reserved = reservedKeyIssues(raw);
  if (reserved.length > 0) throw profileError(file, reserved);
  const result = ProfileSchema.safeParse(raw);
  if (!result.success) throw profileError(file, toProfileIssues(result.error.issues));
  return { profile: result.data, file, text, hash: createHash('sha256').update(text).digest('hex') };
}

export function loadProfile(nameOrPath: string): LoadedProfile {
  const file = resolveProfilePath(nameOrPath);
  if (!existsSync(file)) {
    throw new UserError(`profile "${nameOrPath}" not found (looked for ${file})`, 'Name one of profiles/*.yaml or give a path to a YAML file.');
  }
  if (statSync(file).isDirectory()) {
    throw new UserError(`${nameOrPath}: is a directory, not a profile`, 'Give one YAML file (e.g. profiles/seqread.yaml) or a profile name.');
  }
  const shown = path.relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`${shown}: cannot be read: ${(error as Error).message}`, undefined, { cause: error });
  }
  return parseProfile(text, shown);
}

export { parseSize } from './sizes.js';
