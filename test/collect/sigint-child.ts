/**
 * Run by trace.test.ts as a child process: a bind mount with the trace collector running, waiting to
 * be interrupted, with the same signal cleanup the CLI installs. Prints "bpftrace <pid>", then "tracing".
 */
import { cleanups, installSignalCleanup } from '../../bench/cleanup.js';
import { traceCollector } from '../../bench/collect/trace.js';
import { mountForTest } from './helpers.js';

installSignalCleanup();
const testMount = await mountForTest('bind', {}, () => {});
cleanups.push('remove the test mount', () => testMount.remove());
await traceCollector().start({ mount: testMount.mount, workDir: testMount.workDir, recordPid: (pid) => console.log(`bpftrace ${pid}`) });
console.log('tracing');
setInterval(() => {}, 1000);
