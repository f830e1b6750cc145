/**
 * Lock conformance: our daemon in both modes over both transports, with fewer worker threads than
 * the blocked waiters, and passthrough_ll, each against bind (see locks.cases.ts).
 */
import { DAEMON_BACKENDS } from '../helpers/mounts.js';
import { conformanceBackends, conformanceSuite } from './harness.js';
import { LOCK_SUITE_DAEMON_THREADS, locksCases } from './locks.cases.js';

await conformanceSuite('locks', locksCases, {
  backends: conformanceBackends([...DAEMON_BACKENDS, 'passthrough_ll']),
  options: (backend) => (DAEMON_BACKENDS.includes(backend) ? { threads: LOCK_SUITE_DAEMON_THREADS } : {}),
});
