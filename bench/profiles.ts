/**
 * Profiles: YAML files that name workloads, backends, data set, cache state and repetitions.
 * Loading validates against a schema; any error names the file and the field in one line.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { backendNames, findBackend } from './backends/registry.js';
import { UserError } from './errors.js';
import { parseYamlAs } from './yaml-file.js';

export const PROFILES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'profiles');

const sizePattern = /^\d+(\.\d+)?[kKmMgG]?$/;
const Size = z.string().regex(sizePattern, 'a size like 4k, 128k, 1m or 1g');

const FioWorkloadSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
  engine: z.literal('fio'),
  /** fio's rw: read, write, randread, randwrite, rw, randrw. */
  rw: z.enum(['read', 'write', 'randread', 'randwrite', 'rw', 'randrw']),
  bs: Size,
  ioengine: z.enum(['psync', 'sync', 'libaio', 'io_uring', 'mmap', 'pvsync2']).default('psync'),
  numjobs: z.number().int().min(1).max(64).default(1),
  iodepth: z.number().int().min(1).max(1024).default(1),
  direct: z.boolean().default(false),
  /** fsync after this many writes (fio's fsync=), 0 for never. */
  fsync: z.number().int().min(0).default(0),
  /** Which metric is the one to look at first; default: bandwidth for bs >= 64k, else IOPS. */
  headline: z.string().optional(),
  /** Extra fio options, passed as key=value lines of the job file, for what the schema does not name. */
  fioOptions: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

const MetaWorkloadSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
  engine: z.literal('meta'),
  /**
   * The metadata operation tinybench times. One op per workload, so the collectors' request counts
   * divide into requests per operation.
   */
  op: z.enum(['stat', 'stat-missing', 'open-close', 'readdir', 'create-unlink', 'rename', 'write-fsync']),
  /** Entries in the directory that readdir lists. */
  dirEntries: z.number().int().min(1).default(1000),
  /** Time per operation in milliseconds. */
  timeMs: z.number().int().min(10).default(1000),
  headline: z.string().optional(),
});

const FioMetaWorkloadSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
  engine: z.literal('fio-meta'),
  /** fio's filecreate, filestat or filedelete engine. */
  ioengine: z.enum(['filecreate', 'filestat', 'filedelete']),
  nrfiles: z.number().int().min(1).default(1000),
  headline: z.string().optional(),
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
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/),
    description: z.string().default(''),
    backends: z.array(z.string()).min(1),
    /** The backend every ratio is taken against. */
    baseline: z.string().default('bind'),
    dataset: z
      .strictObject({
        /** Files in the data set, each fileSize long; fio spreads its job over them. */
        files: z.number().int().min(1).max(100_000).default(1),
        fileSize: Size.default('1g'),
      })
      .default({ files: 1, fileSize: '1g' }),
    lower: z.string().default('tmpfs'),
    cache: z.enum(['warm', 'cold']).default('warm'),
    runtimeSeconds: z.number().positive().max(3600).default(10),
    rampSeconds: z.number().min(0).max(600).default(1),
    repeat: RepeatSchema.default({ min: 3, max: 3, targetCI: 0 }),
    /** Significance threshold for compare, as a fraction (0.05 = 5%). */
    threshold: z.number().min(0).max(1).default(0.05),
    /** Options per backend, passed to its mount (e.g. daemon threads, cache policy). */
    backendOptions: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    workloads: z.array(WorkloadSchema).min(1),
  })
  .superRefine((profile, ctx) => {
    const seen = new Set<string>();
    profile.workloads.forEach((workload, index) => {
      if (seen.has(workload.name)) {
        ctx.addIssue({ code: 'custom', path: ['workloads', index, 'name'], message: `duplicate workload name "${workload.name}"` });
      }
      seen.add(workload.name);
    });
    if (profile.repeat.max < profile.repeat.min) {
      ctx.addIssue({ code: 'custom', path: ['repeat', 'max'], message: 'must be at least repeat.min' });
    }
    checkBackendOptions(profile.backendOptions, ctx);
  });

/** Each backend judges its own options (its optionsSchema), so a misspelt knob names the field. */
function checkBackendOptions(backendOptions: Record<string, Record<string, unknown>>, ctx: z.RefinementCtx): void {
  for (const [name, options] of Object.entries(backendOptions)) {
    const backend = findBackend(name);
    if (!backend) {
      ctx.addIssue({ code: 'custom', path: ['backendOptions', name], message: `unknown backend "${name}" (known: ${backendNames.join(', ')})` });
      continue;
    }
    const result = backend.optionsSchema.safeParse(options);
    if (result.success) continue;
    for (const issue of result.error.issues) {
      const message = issue.code === 'unrecognized_keys' ? `unknown option ${issue.keys.map((key) => `"${key}"`).join(', ')} for backend ${name} (check the spelling)` : issue.message;
      ctx.addIssue({ code: 'custom', path: ['backendOptions', name, ...issue.path], message });
    }
  }
}

export type Profile = z.infer<typeof ProfileSchema>;
export type Workload = z.infer<typeof WorkloadSchema>;
export type FioWorkload = z.infer<typeof FioWorkloadSchema>;

export interface LoadedProfile {
  profile: Profile;
  file: string;
  text: string;
  /** sha256 of the file's text: two runs with the same hash ran the same profile. */
  hash: string;
}

/** A profile is a name in profiles/ or a path to a YAML file. */
export function resolveProfilePath(nameOrPath: string): string {
  if (nameOrPath.includes('/') || nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml')) {
    return path.resolve(nameOrPath);
  }
  return path.join(PROFILES_DIR, `${nameOrPath}.yaml`);
}

export function parseProfile(text: string, file: string): LoadedProfile {
  const profile = parseYamlAs(ProfileSchema, text, file);
  return { profile, file, text, hash: createHash('sha256').update(text).digest('hex') };
}

export function loadProfile(nameOrPath: string): LoadedProfile {
  const file = resolveProfilePath(nameOrPath);
  if (!existsSync(file)) {
    throw new UserError(`profile "${nameOrPath}" not found (looked for ${file})`, 'Name one of profiles/*.yaml or give a path to a YAML file.');
  }
  return parseProfile(readFileSync(file, 'utf8'), path.relative(process.cwd(), file) || file);
}

export { parseSize } from './sizes.js';
