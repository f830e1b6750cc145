/**
 * Mounting the way other test suites do: the daemon's --subtype and -o mount options (type fuse.NAME,
 * fsname, ro, noatime; an unknown option refused by name), and the mount(8) helper in
 * infra/mount-helper, which goes through `npm run mount` (type plain fuse) and leaves remounts to
 * mount(2).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { daemonArgs, daemonBinary } from '../../bench/backends/fusebench-daemon.js';
import { findMount, mountTmpfs, unmount } from '../../bench/system.js';
import { removeAllUserMounts } from '../../bench/user-mounts.js';
import { ROOT } from '../helpers/cli.js';
import { skipUnless } from '../helpers/kernel.js';
import { backendUnavailable, withMountedBackend } from '../helpers/mounts.js';
import { attempt } from '../conformance/ops.js';

const HELPER = path.join(ROOT, 'infra', 'mount-helper', 'mount.fuse.fusebench');
const SCRATCH = process.env.FUSEBENCH_SCRATCH ?? '/tmp/fb-conformance';

describe('daemonArgs', () => {
  it('passes subtype and mountOptions as --subtype and --mount-options', () => {
    const args = daemonArgs('plain', { subtype: 'fstests', mountOptions: 'ro,noatime' }, { lower: '/l', mountpoint: '/m', statsFile: '/s' });
    expect(args).toEqual(expect.arrayContaining(['--subtype', 'fstests', '--mount-options', 'ro,noatime']));
    expect(daemonArgs('plain', { subtype: false }, { lower: '/l', mountpoint: '/m', statsFile: '/s' })).toContain('--no-subtype');
  });
});

describe.skipIf(skipUnless(await backendUnavailable('fuse')))('mount options on a real mount', () => {
  it('mounts as fuse.NAME with the fsname and flags given, and a read-only mount refuses writes', async () => {
    await withMountedBackend('fuse', { subtype: 'fbtest', mountOptions: 'ro,noatime,fsname=src1,allow_other' }, async (mounted) => {
      const entry = findMount(mounted.mnt);
      expect({ fsType: entry?.fsType, source: entry?.source }).toEqual({ fsType: 'fuse.fbtest', source: 'src1' });
      expect(entry?.options.split(',')).toEqual(expect.arrayContaining(['ro', 'noatime', 'nosuid', 'nodev', 'allow_other']));
      expect(await attempt(() => writeFileSync(path.join(mounted.mnt, 'f'), 'x'))).toEqual({ errno: 'EROFS' });
    });
  });

  // In passthrough mode the kernel reads through a backing file it opens itself, with the caller's
  // open flags, on the lower's mount: the lower's atime rules apply, not the FUSE mount's noatime
  // (fs/fuse/passthrough.c, Linux 6.18), and the daemon's O_NOATIME on its own fd cannot change that.
  it.each([
    ['fuse', 'unchanged'],
    ['fuse-passthrough', 'moved'],
  ])('%s: after a read through a noatime mount the lower atime is %s; through a relatime one it has moved', async (backend, underNoatime) => {
    const twoDaysAgo = Date.now() / 1000 - 2 * 86400;
    const lowerAtimeAfterRead = (mountOptions: string) =>
      withMountedBackend(backend, { mountOptions }, async (mounted) => {
        writeFileSync(path.join(mounted.lower, 'f'), 'data');
        utimesSync(path.join(mounted.lower, 'f'), twoDaysAgo, twoDaysAgo);
        readFileSync(path.join(mounted.mnt, 'f'));
        return Math.round(statSync(path.join(mounted.lower, 'f')).atimeMs / 1000) === Math.round(twoDaysAgo) ? 'unchanged' : 'moved';
      });
    expect({ noatime: await lowerAtimeAfterRead('noatime'), relatime: await lowerAtimeAfterRead('relatime') }).toEqual({ noatime: underNoatime, relatime: 'moved' });
  });

  it('refuses an unknown option and a remount by name', () => {
    const refusal = (options: string) => {
      try {
        execFileSync(daemonBinary(), ['-o', options, '/tmp', '/tmp'], { stdio: 'pipe' });
        return 'started';
      } catch (error) {
        return String((error as { stderr?: Buffer }).stderr).trim();
      }
    };
    expect(refusal('rw,bogus')).toBe("error: -o rw,bogus: unknown mount option 'bogus'");
    expect(refusal('remount,ro')).toMatch(/remount: the daemon makes a new mount; change an existing one with mount -i -o remount/);
  });

  it('the mount(8) helper mounts through npm run mount (type fuse, as fstests wants; SOURCE as fsname), remounts read-only and back', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync('/tmp/fb-conf-helper-');
    const lower = path.join(dir, 'lower');
    const mnt = path.join(dir, 'mnt');
    mkdirSync(lower);
    mkdirSync(mnt);
    await mountTmpfs(lower, 64 * 1024 * 1024, 'fb-helper-lower');
    const env = { ...process.env, FUSEBENCH_SCRATCH: SCRATCH };
    try {
      const mounted = await execa(HELPER, ['non1', mnt, '-o', `rw,source=${lower},allow_other,default_permissions`], { env, reject: false, all: true });
      expect(mounted.exitCode, mounted.all).toBe(0);
      expect(mounted.stdout).toBe('');
      const entry = findMount(mnt);
      expect({ fsType: entry?.fsType, source: entry?.source }).toEqual({ fsType: 'fuse', source: 'non1' });
      writeFileSync(path.join(mnt, 'f'), 'through the helper');
      await execa(HELPER, ['non1', mnt, '-o', 'remount,ro'], { env });
      expect(findMount(mnt)?.options.split(',')).toContain('ro');
      expect(await attempt(() => writeFileSync(path.join(mnt, 'g'), 'x'))).toEqual({ errno: 'EROFS' });
      await execa(HELPER, ['non1', mnt, '-o', 'remount,rw'], { env });
      writeFileSync(path.join(mnt, 'g'), 'writable again');
    } finally {
      if (findMount(mnt)) await unmount(mnt);
      // umount(8) ends the daemon; the helper's `npm run mount` record goes with cleanup.
      await removeAllUserMounts(SCRATCH, () => {});
      await unmount(lower);
      rmSync(dir, { recursive: true, force: true });
    }
    expect(findMount(mnt)).toBeUndefined();
  });
});
