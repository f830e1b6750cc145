/**
 * The daemon's opt-in --poll-us (backend option pollMicros): with it on, data still round-trips and
 * the daemon serves READs; the io_uring transport refuses it with a message naming the option.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { daemonArgs, daemonBinary } from '../../bench/backends/fusebench-daemon.js';
import { missingRootOrFio, skipUnless } from '../helpers/kernel.js';
import { withMountedBackend } from '../helpers/mounts.js';

describe('daemonArgs', () => {
  const paths = { lower: '/l', mountpoint: '/m', statsFile: '/s' };
  it('passes pollMicros as --poll-us, and nothing when it is 0 or unset', () => {
    expect(daemonArgs('plain', { pollMicros: 20 }, paths)).toEqual(expect.arrayContaining(['--poll-us', '20']));
    expect(daemonArgs('plain', { pollMicros: 0 }, paths)).not.toContain('--poll-us');
    expect(daemonArgs('plain', {}, paths)).not.toContain('--poll-us');
  });
});

describe.skipIf(skipUnless(missingRootOrFio()))('--poll-us on a real mount', () => {
  it('reads back what was written, with the daemon serving the READs while polling', async () => {
    await withMountedBackend('fuse', { pollMicros: 50, cache: 'never' }, async (mounted) => {
      const data = randomBytes(3 * 1024 * 1024 + 17);
      writeFileSync(path.join(mounted.lower, 'f'), data);
      expect(readFileSync(path.join(mounted.mnt, 'f')).equals(data)).toBe(true);
      expect((await mounted.daemonStats()).READ).toBeGreaterThan(0);
    });
  });

  it('is refused with the io_uring transport, naming the option', () => {
    let message = '';
    try {
      execFileSync(daemonBinary(), ['--transport', 'uring', '--poll-us', '10', '/tmp', '/tmp'], { stdio: 'pipe' });
    } catch (error) {
      message = String((error as { stderr?: Buffer }).stderr);
    }
    expect(message).toMatch(/--poll-us applies to the \/dev\/fuse transport/);
  });
});
