/** Sync, mmap and lock conformance: each backend against bind (see sync-mmap-locks.cases.ts). */
import { conformanceSuite } from './harness.js';
import { syncMmapLocksCases } from './sync-mmap-locks.cases.js';

await conformanceSuite('sync-mmap-locks', syncMmapLocksCases);
