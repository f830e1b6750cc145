/**
 * A case that can wait on a FUSE request forever (a lock a daemon never grants, a worker it never
 * frees) must not leave a process in D state, which not even SIGKILL ends. Past its deadline the
 * guard aborts the mount's FUSE connection through fusectl (every pending and future request fails),
 * kills the case's processes, and fails the case saying what it did.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { abortFuseConnection, FUSECTL_DIR } from '../../bench/fusectl.js';
import { findMount, sleep } from '../../bench/system.js';

export interface HangGuard {
  deadlineMs: number;
  /** What is guarded, for the failure message. */
  label: string;
  /** Ends whatever the case waits on; says what it did (undefined: nothing to abort). */
  abort(): Promise<string | undefined>;
  /** The case's processes, killed once the connection is aborted. */
  children: Set<ChildProcess>;
}

/** Aborts the FUSE connection of the mount at mountpoint; undefined when it is not a FUSE mount. */
export async function abortFuseMount(mountpoint: string): Promise<string | undefined> {
  const entry = findMount(mountpoint);
  if (!entry?.fsType.startsWith('fuse')) return undefined;
  await abortFuseConnection(entry.device);
  return `aborted FUSE connection ${entry.device.split(':')[1]} (${FUSECTL_DIR}/${entry.device.split(':')[1]}/abort)`;
}

function processState(pid: number | undefined): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[0] ?? '?';
  } catch {
    return 'gone';
  }
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** The case's result, or, past the deadline, the abort and a failure that says so. */
export async function abortIfHung<T>(work: Promise<T>, guard: HangGuard): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), guard.deadlineMs);
  });
  try {
    const first = await Promise.race([work.then((value) => ({ value })), hung]);
    if (first !== 'hung') return first.value;
  } finally {
    clearTimeout(timer);
  }
  const aborted = (await guard.abort()) ?? 'not a FUSE mount, so no connection to abort';
  for (const child of guard.children) if (running(child)) child.kill('SIGKILL');
  await Promise.race([work.then(() => {}, () => {}), sleep(5000)]);
  const deadline = Date.now() + 5000;
  while ([...guard.children].some(running) && Date.now() < deadline) await sleep(50);
  const stuck = [...guard.children].filter(running).map((child) => `${child.pid} (state ${processState(child.pid)})`);
  throw new Error(
    `${guard.label} hung for ${guard.deadlineMs / 1000} s: ${aborted}, then killed its processes; ` +
      (stuck.length > 0 ? `still not ended: ${stuck.join(', ')}` : 'none is left'),
  );
}
