/**
 * The fio options a profile may set, by allow-list. A profile is untrusted data run as root, and a fio
 * job file can run commands (exec_prerun), load code (ioengine=external:), read other files (include)
 * and write anywhere (filename, directory, *_log). So every option that reaches a job file is named
 * here with a typed schema, values are single-line scalars, and paths come only from the suite, which
 * places every file under the scratch root.
 *
 * To allow another option: add it to `profileFioOptions` with the narrowest schema that fits, and a
 * case to test/workloads/fio-options.test.ts.
 */
import { z } from 'zod';
import { parseSize } from '../sizes.js';

const SIZE_PATTERN = /^\d+(\.\d+)?[kKmMgG]?$/;

/** A fio-style size (4k, 128k, 1m, 1g) between min and max bytes; the text is what the job file gets. */
export function sizeSchema(limits: { min: number; max: number; maxText: string }) {
  return z
    .union([z.string(), z.number().int()])
    .transform((value) => String(value))
    .refine((text) => SIZE_PATTERN.test(text), 'a size like 4k, 128k, 1m or 1g')
    .refine((text) => !SIZE_PATTERN.test(text) || (parseSize(text) >= limits.min && parseSize(text) <= limits.max), `a size from ${limits.min} bytes to ${limits.maxText}`);
}

/** Block sizes: fio allocates bs × iodepth per job, and nothing the suite measures needs more. */
export const BlockSize = sizeSchema({ min: 1, max: 256 * 1024 ** 2, maxText: '256m' });
/** Sizes of files and I/O totals: 1 TiB is beyond any data set this suite lays out. */
export const FileSize = sizeSchema({ min: 1, max: 1024 ** 4, maxText: '1024g' });
/** A CPU list as fio's cpus_allowed and taskset -c take it: 0, 0-1, 0,2. */
export const CpuList = z.string().max(200).regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, 'a CPU list like 0-1 or 0,2');

/** The CPUs a list names, in order; for checking them against the machine's. */
export function cpusOf(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [first, last = first] = part.split('-').map(Number) as [number, number?];
    return Array.from({ length: Math.max(0, last! - first + 1) }, (_, offset) => first + offset);
  });
}

/** fio reads 1/0 for booleans; YAML gives true/false, and people write 0/1. */
const FioBoolean = z.union([z.boolean(), z.literal(0), z.literal(1)]);
const count = (max: number) => z.number().int().min(0).max(max);
const percent = z.number().int().min(0).max(100);

export const READ_WRITE_MODES = ['read', 'write', 'randread', 'randwrite', 'rw', 'randrw'] as const;
/** Engines that do I/O with ordinary system calls on the files the suite names; nothing external. */
export const DATA_IOENGINES = ['psync', 'sync', 'pvsync', 'pvsync2', 'vsync', 'libaio', 'io_uring', 'posixaio', 'mmap'] as const;

/** Options a profile's workload sets through its own typed fields (rw, bs, …), by fio name. */
export const workloadFieldOptions = {
  rw: z.enum(READ_WRITE_MODES),
  bs: BlockSize,
  ioengine: z.enum(DATA_IOENGINES),
  numjobs: z.number().int().min(1).max(64),
  iodepth: z.number().int().min(1).max(1024),
  direct: FioBoolean,
  /** fsync after this many writes, 0 for never. */
  fsync: count(1_000_000),
} as const;

/** Options a profile may set in a workload's fioOptions, each with its typed schema. */
export const profileFioOptions: Record<string, z.ZodType<string | number | boolean>> = {
  size: FileSize,
  io_size: FileSize,
  rwmixread: percent,
  rwmixwrite: percent,
  fdatasync: count(1_000_000),
  sync: z.union([FioBoolean, z.enum(['none', 'sync', 'dsync'])]),
  end_fsync: FioBoolean,
  fsync_on_close: FioBoolean,
  buffered: FioBoolean,
  time_based: FioBoolean,
  invalidate: FioBoolean,
  random_distribution: z.string().regex(/^(random|zipf:\d+(\.\d+)?|pareto:0?\.\d+|normal:\d+(\.\d+)?)$/, 'random, zipf:<theta>, pareto:<h> or normal:<percent>'),
  random_generator: z.enum(['tausworthe', 'lfsr', 'tausworthe64']),
  percentage_random: percent,
  norandommap: FioBoolean,
  randrepeat: FioBoolean,
  allrandrepeat: FioBoolean,
  randseed: z.number().int().min(0).max(2 ** 53 - 1),
  file_service_type: z.enum(['random', 'roundrobin', 'sequential']),
  fadvise_hint: z.union([FioBoolean, z.enum(['sequential', 'random'])]),
  fallocate: z.enum(['none', 'native', 'posix', 'keep', 'truncate']),
  overwrite: FioBoolean,
  pre_read: FioBoolean,
  ba: BlockSize,
  iodepth_batch_submit: count(1024),
  iodepth_batch_complete_min: count(1024),
  iodepth_batch_complete_max: count(1024),
  iodepth_low: count(1024),
  fixedbufs: FioBoolean,
  registerfiles: FioBoolean,
  sqthread_poll: FioBoolean,
  thread: FioBoolean,
  rate: sizeSchema({ min: 1, max: 1024 ** 4, maxText: '1024g' }),
  rate_iops: z.number().int().min(1).max(100_000_000),
  thinktime: count(10_000_000),
  thinktime_blocks: z.number().int().min(1).max(1_000_000),
  zero_buffers: FioBoolean,
  refill_buffers: FioBoolean,
  scramble_buffers: FioBoolean,
  buffer_compress_percentage: percent,
  dedupe_percentage: percent,
  loops: z.number().int().min(1).max(1_000_000),
  startdelay: count(3600),
  cpus_allowed: CpuList,
  cpus_allowed_policy: z.enum(['shared', 'split']),
  nice: z.number().int().min(-20).max(19),
  clocksource: z.enum(['gettimeofday', 'clock_gettime', 'cpu']),
};

/** Options the profile sets through a field of its own, with the field to use instead. */
const setByProfileField: Record<string, string> = {
  ...Object.fromEntries(Object.keys(workloadFieldOptions).map((name) => [name, `the workload's own field "${name}"`])),
  runtime: 'runtimeSeconds',
  ramp_time: 'rampSeconds (the suite runs the ramp as a job of its own)',
  filesize: 'dataset.fileSize',
  nrfiles: 'dataset.files',
};

/**
 * What the suite writes itself and no profile may change: every path (under the scratch root), and
 * what the result parsing depends on. The job-file generator accepts these from the suite.
 */
export const suiteFioOptions = new Set([
  'filename', 'directory', 'filename_format', 'group_reporting', 'percentile_list', 'unlink', 'create_on_open', 'openfiles', 'stat_type',
]);

/** Why a known-dangerous option is refused, for a message that says more than "not allowed". */
function refusalReason(name: string): string | undefined {
  if (/^exec_|^(pre|post)_?run$|^trigger/.test(name)) return 'it runs a command';
  if (/^include$|^ioengine_lib$|^read_iolog$|^replay_|^iolog/.test(name)) return 'it reads another file';
  if (/(^|_)log($|_)|^write_.*log$|^per_job_logs$|^log_|^output|^verify_(state|dump)|^ioscheduler$|^cgroup/.test(name)) return 'it writes outside the job\'s files';
  if (/^(filename|directory|opendir|filename_format|unique_filename|lockfile|mem|iomem|mmap_file|pre_read_file|chroot)$/.test(name)) return 'paths come from the suite, which keeps every file under its scratch root';
  return undefined;
}

/** The refusal for a fioOptions key, or undefined if a profile may set it. */
export function fioOptionKeyProblem(name: string): string | undefined {
  if (Object.hasOwn(profileFioOptions, name)) return undefined;
  const field = setByProfileField[name];
  if (field) return `set by ${field}, not by fioOptions`;
  if (suiteFioOptions.has(name)) return 'set by the suite (its results depend on it)';
  const reason = refusalReason(name);
  return `not an allowed fio option${reason ? ` (${reason})` : ''}`;
}

/** A workload's fioOptions: each key on the allow-list, each value through that option's schema. */
export const FioOptionsSchema = z.record(z.string(), z.unknown()).superRefine((options, ctx) => {
  for (const [name, value] of Object.entries(options)) {
    const problem = fioOptionKeyProblem(name);
    if (problem) {
      ctx.addIssue({ code: 'custom', path: [name], message: problem });
      continue;
    }
    const result = profileFioOptions[name]!.safeParse(value);
    if (!result.success) ctx.addIssue({ code: 'custom', path: [name], message: result.error.issues[0]!.message });
  }
}).transform((options) => Object.fromEntries(Object.entries(options).map(([name, value]) => [name, profileFioOptions[name]!.parse(value)])));

export type FioOptionValue = string | number | boolean;
export type FioOptionList = ReadonlyArray<readonly [string, FioOptionValue]>;

/** fio's metadata engines, which only the suite's fio-meta workloads name. */
export const META_IOENGINES = ['filecreate', 'filestat', 'filedelete'] as const;

/** The schema every value of a typed option must pass in a job file, whoever wrote the line. */
const jobFileSchemas: Record<string, z.ZodType> = {
  ...profileFioOptions,
  ...workloadFieldOptions,
  ioengine: z.enum([...DATA_IOENGINES, ...META_IOENGINES]),
};

function jobFileLine(name: string, value: FioOptionValue, fromProfile: boolean): string {
  if (fromProfile) {
    const problem = fioOptionKeyProblem(name);
    if (problem) throw new Error(`job file: fio option "${name}" is not on the allow-list (${problem})`);
  } else if (!Object.hasOwn(jobFileSchemas, name) && !Object.hasOwn(setByProfileField, name) && !suiteFioOptions.has(name)) {
    throw new Error(`job file: fio option "${name}" is not on the allow-list`);
  }
  const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  if (/[\r\n\0[\]]/.test(text) || text.trim() !== text) throw new Error(`job file: the value of ${name} is not a plain single line: ${JSON.stringify(text)}`);
  const schema = jobFileSchemas[name];
  if (schema && !schema.safeParse(value).success) throw new Error(`job file: ${name}=${text} does not pass its schema`);
  return `${name}=${text}`;
}

/**
 * The one way a job file is written. The suite's own lines (paths under the scratch root, reporting)
 * and the profile's fioOptions come separately: a profile line must be on the allow-list, and every
 * typed value passes its schema again here, so whatever reaches this point without validation cannot
 * run a command, name a path or start another line or section. A violation is a bug, so a plain Error.
 */
export function renderJobFile(job: { suite: FioOptionList; profile?: FioOptionList }, jobName: string, header = ''): string {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(jobName)) throw new Error(`job file: job name "${jobName}" is not a plain name`);
  const lines = [...job.suite.map(([name, value]) => jobFileLine(name, value, false)), ...(job.profile ?? []).map(([name, value]) => jobFileLine(name, value, true))];
  return `${header}[global]\n${lines.join('\n')}\n\n[${jobName}]\n`;
}
