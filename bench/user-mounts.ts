/**
 * `npm run mount` / `npm run umount`: one backend left mounted for poking at by hand or for running
 * other test suites against. Each such mount is registered in <scratch>/mounts/, so `umount` and
 * `cleanup` can find its daemon by pid later.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getBackend } from './backends/registry.js';
import { UserError } from './errors.js';
import { scratchRoot } from './scratch.js';
import { findMount, processAlive, processCommandLine, sleep, terminate, unmount } from './system.js';
import { abortFuseConnection } from './fusectl.js';

interface UserMountRecord {
  backend: string;
  mountpoint: string;
  lower: string;
  daemonPid?: number;
  daemonCommand?: string;
  workDir: string;
  createdAt: string;
}

function mountsDir(root = scratchRoot()): string {
  return path.join(root, 'mounts');
}

function recordFile(mountpoint: string, root?: string): string {
  return path.join(mountsDir(root), `${mountpoint.replace(/[^A-Za-z0-9]+/g, '_')}.json`);
}

export async function mountForUser(options: { backend: string; lower: string; mountpoint: string; backendOptions?: Record<string, unknown> }): Promise<UserMountRecord> {
  if (process.getuid?.() !== 0) throw new UserError('mounting needs root');
  const lower = path.resolve(options.lower);
  const mountpoint = path.resolve(options.mountpoint);
  if (!existsSync(lower)) throw new UserError(`--lower ${options.lower}: no such directory`);
  if (!existsSync(mountpoint)) throw new UserError(`mountpoint ${options.mountpoint} does not exist`, `Create it first: mkdir -p ${options.mountpoint}`);
  if (findMount(mountpoint)) throw new UserError(`${mountpoint} is already a mount point`);
  const backend = getBackend(options.backend, '--backend');
  const wantsMountOptions = ['mountOptions', 'subtype'].some((key) => options.backendOptions?.[key] !== undefined);
  if (wantsMountOptions && !backend.acceptsMountOptions) {
    throw new UserError(`${backend.name} takes no mount options or subtype`, 'They apply to our daemon (fuse, fuse-passthrough, fuse-uring) and passthrough_ll.');
  }
  const probe = await backend.probe();
  if (!probe.supported) throw new UserError(`${options.backend}: unsupported: ${probe.reason}`);
  const workDir = path.join(mountsDir(), path.basename(recordFile(mountpoint), '.json'));
  mkdirSync(workDir, { recursive: true });
  const mount = await backend.mount({ lower, mountpoint, workDir, options: options.backendOptions ?? {}, detached: true });
  const record: UserMountRecord = {
    backend: backend.name,
    mountpoint,
    lower,
    daemonPid: mount.daemonPid,
    daemonCommand: mount.daemonPid ? processCommandLine(mount.daemonPid)[0] : undefined,
    workDir,
    createdAt: new Date().toISOString(),
  };
  writeFileSync(recordFile(mountpoint), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

async function removeUserMount(record: UserMountRecord, log: (line: string) => void): Promise<void> {
  const entry = findMount(record.mountpoint);
  // The pid is ours only while it still runs the program we started.
  const ours = record.daemonPid !== undefined && processAlive(record.daemonPid) && processCommandLine(record.daemonPid)[0] === record.daemonCommand;
  if (entry) {
    if (entry.fsType.startsWith('fuse') && record.daemonPid !== undefined && !ours) await abortFuseConnection(entry.device);
    await unmount(record.mountpoint);
    log(`unmounted ${record.backend} at ${record.mountpoint}`);
  }
  if (ours) {
    for (let i = 0; i < 100 && processAlive(record.daemonPid!); i++) await sleep(50);
    await terminate(record.daemonPid!);
  }
  rmSync(recordFile(record.mountpoint), { force: true });
  rmSync(record.workDir, { recursive: true, force: true });
}

export async function unmountForUser(mountpoint: string, log: (line: string) => void = console.log): Promise<void> {
  const file = recordFile(path.resolve(mountpoint));
  if (!existsSync(file)) throw new UserError(`${mountpoint} was not mounted by npm run mount`, 'Unmount other mounts with umount(8).');
  await removeUserMount(JSON.parse(readFileSync(file, 'utf8')) as UserMountRecord, log);
}

/** For `cleanup`: every mount `npm run mount` left. */
export async function removeAllUserMounts(root = scratchRoot(), log: (line: string) => void = console.log): Promise<number> {
  const dir = mountsDir(root);
  if (!existsSync(dir)) return 0;
  const files = readdirSync(dir).filter((name) => name.endsWith('.json'));
  for (const name of files) await removeUserMount(JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as UserMountRecord, log);
  return files.length;
}
