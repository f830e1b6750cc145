/**
 * Plain FUSE through our daemon over io_uring (Linux 6.14+, protocol 7.42, Bernd Schubert): the same
 * plain mode as `fuse`, but requests and replies travel through one io_uring per CPU instead of
 * read/write on /dev/fuse, so the comparison isolates the transport.
 *
 * The kernel keeps the path off unless /sys/module/fuse/parameters/enable_uring is Y. A mount turns it on
 * and registers the restore at once (so Ctrl-C puts it back); the last fuse-uring mount to go away
 * restores the value it found.
 */
import { writeFileSync } from 'node:fs';
import { cleanups, type CleanupHandle } from '../cleanup.js';
import { UserError } from '../errors.js';
import { readOptional } from '../kernel-facts.js';
import { makeDaemonBackend, type DaemonBackendVariant } from './fusebench-daemon.js';

export const ENABLE_URING_PARAM = '/sys/module/fuse/parameters/enable_uring';

const howToEnable = [
  `FUSE over io_uring needs Linux 6.14+ built with CONFIG_FUSE_IO_URING=y (then ${ENABLE_URING_PARAM} exists)`,
  `the suite writes Y to ${ENABLE_URING_PARAM} for its runs and restores the old value; that needs root`,
];

/** Pure: why the module parameter rules the path out before any mount, or undefined if a mount may try. */
export function enableUringProblem(value: string | undefined): string | undefined {
  if (value === undefined) return `${ENABLE_URING_PARAM} is absent: this kernel has no FUSE over io_uring (Linux 6.14+, CONFIG_FUSE_IO_URING)`;
  if (value !== 'Y' && value !== 'N') return `${ENABLE_URING_PARAM} reads "${value}", expected Y or N`;
  return undefined;
}

let holders = 0;
let restore: CleanupHandle | undefined;

function acquire(): void {
  const found = readOptional(ENABLE_URING_PARAM);
  const problem = enableUringProblem(found);
  if (problem) throw new UserError(problem, howToEnable[0]);
  if (holders === 0 && found === 'N') {
    // Register the undo first: a signal between the write and the push would otherwise leave Y behind.
    const handle = cleanups.push(`restore ${ENABLE_URING_PARAM}=N`, () => writeFileSync(ENABLE_URING_PARAM, 'N'));
    try {
      writeFileSync(ENABLE_URING_PARAM, 'Y');
    } catch (error) {
      handle.dismiss();
      throw new UserError(`${ENABLE_URING_PARAM} is N and could not be set to Y: ${(error as Error).message}`, howToEnable[1], { cause: error });
    }
    restore = handle;
  }
  holders++;
}

async function release(): Promise<void> {
  holders = Math.max(0, holders - 1);
  if (holders > 0 || !restore) return;
  const handle = restore;
  restore = undefined;
  await handle.run();
}

/** The io_uring transport with its kernel switch, for any mode of our daemon. */
export const uringTransport: DaemonBackendVariant = {
  transport: 'uring',
  acquire,
  release,
  precheck() {
    const problem = enableUringProblem(readOptional(ENABLE_URING_PARAM));
    return problem ? { reason: problem, howToEnable } : undefined;
  },
  facts(): Record<string, string> {
    const value = readOptional(ENABLE_URING_PARAM);
    return value === undefined ? {} : { enable_uring: value === 'N' && holders === 0 ? 'N (set to Y for runs, restored after)' : value };
  },
};

export const fuseUringBackend = makeDaemonBackend(
  {
    name: 'fuse-uring',
    label: 'our daemon, plain mode over FUSE io_uring: every data operation served in user space, one ring per CPU',
    colour: '#72b7b2',
    kernelRequirement: 'FUSE over io_uring (Linux 6.14+, CONFIG_FUSE_IO_URING; enable_uring turned on per run)',
  },
  'plain',
  uringTransport,
);
