/**
 * Passthrough really happens: a cold 64 MiB read through fuse-passthrough reaches the daemon as zero
 * READ requests, while plain fuse serves it with many. Counted by the daemon itself (SIGUSR1 stats,
 * diffed around the read) on a fresh mount, so nothing of the file is in the mount's page cache.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../helpers/kernel.js';
import { leftoverTestMounts, withMountedBackend } from '../helpers/mounts.js';
import { probeBackends } from './harness.js';
import { fileDigest, pattern, sha256 } from './ops.js';

const MiB = 1024 * 1024;
const FILE_BYTES = 64 * MiB;
const reasons = await probeBackends(['fuse', 'fuse-passthrough']);

/** READ requests the daemon served while one cold sequential read of the whole file ran. */
async function readRequestsForColdRead(backend: string) {
  return withMountedBackend(backend, {}, async (mounted) => {
    const data = pattern(FILE_BYTES, 64);
    // Written on the lower, behind the mount: the FUSE inode has never cached a page of it.
    writeFileSync(path.join(mounted.lower, 'big'), data);
    const before = await mounted.daemonStats();
    const digest = await fileDigest(path.join(mounted.mnt, 'big'));
    const after = await mounted.daemonStats();
    const delta = (op: string) => (after[op] ?? 0) - (before[op] ?? 0);
    return { reads: delta('READ'), opens: delta('OPEN'), digestMatches: digest.sha256 === sha256(data) && digest.size === FILE_BYTES };
  });
}

describe('passthrough is real', () => {
  afterAll(() => expect(leftoverTestMounts()).toEqual([]));

  it.skipIf(skipUnless(reasons['fuse-passthrough']))('a cold 64 MiB read through fuse-passthrough sends the daemon no READ', async () => {
    const counted = await readRequestsForColdRead('fuse-passthrough');
    expect(counted).toEqual({ reads: 0, opens: 1, digestMatches: true });
  });

  it.skipIf(skipUnless(reasons.fuse))('the same read through plain fuse is served by the daemon, one READ per at most 1 MiB', async () => {
    const counted = await readRequestsForColdRead('fuse');
    expect(counted.digestMatches).toBe(true);
    expect(counted.opens).toBe(1);
    // max_read/max_pages bound a READ at 1 MiB (the daemon replies maxWrite 1 MiB; readahead is smaller).
    expect(counted.reads).toBeGreaterThanOrEqual(FILE_BYTES / MiB);
  });
});
