/**
 * The sanitizer build (ASan + UBSan, `make -C infra/daemon asan`) runs the data, names, metadata and
 * ACL cases (the last without default_permissions, so the daemon's own attribute invalidation runs),
 * and must report nothing. FUSEBENCH_DAEMON selects the binary for every mount this file
 * makes; the sanitizers write to log_path files (one per daemon pid), read in afterAll once every
 * daemon has exited (LeakSanitizer reports at exit).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DAEMON_ASAN_BINARY } from '../../bench/backends/fusebench-daemon.js';
import { SUITE_ROOT } from '../../bench/suite-root.js';
import { aclCases } from './acl.cases.js';
import { dataCases } from './data.cases.js';
import { conformanceSuite, probeBackends } from './harness.js';
import { skipUnless } from '../helpers/kernel.js';
import { withMountedBackend } from '../helpers/mounts.js';
import { metadataCases } from './metadata.cases.js';
import { namesCases } from './names.cases.js';

const REPORT = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;

if (process.getuid?.() === 0 && !existsSync(DAEMON_ASAN_BINARY)) {
  execFileSync('make', ['-s', '-C', path.join(SUITE_ROOT, 'infra', 'daemon'), 'asan'], { stdio: 'inherit' });
}
const logDir = mkdtempSync(path.join(os.tmpdir(), 'fb-conformance-asan-'));
process.env.FUSEBENCH_DAEMON = DAEMON_ASAN_BINARY;
// abort_on_error=0 and halt_on_error=0 for UBSan: keep serving, so one report does not hide the next.
process.env.ASAN_OPTIONS = `log_path=${logDir}/asan:detect_leaks=1`;
process.env.UBSAN_OPTIONS = `log_path=${logDir}/ubsan:print_stacktrace=1:halt_on_error=0`;

const backends = ['fuse', 'fuse-passthrough'];
const reasons = await probeBackends(backends);
describe('the sanitizer run', () => {
  it.skipIf(skipUnless(reasons.fuse))('mounts the ASan build, not the normal one', async () => {
    await withMountedBackend('fuse', {}, async (mounted) => {
      expect(mounted.mount.info.daemon).toBe(path.basename(DAEMON_ASAN_BINARY));
      expect(readFileSync(`/proc/${mounted.mount.daemonPid}/maps`, 'utf8')).toMatch(/libasan|libubsan/);
    });
  });
});

const options = { backends, skipHeavy: true, label: 'under ASan+UBSan' };
await conformanceSuite('data', dataCases, options);
await conformanceSuite('names', namesCases, options);
await conformanceSuite('metadata', metadataCases, options);
await conformanceSuite('acl', aclCases, { ...options, options: () => ({ allowOther: true }) });

afterAll(() => {
  const reports = readdirSync(logDir).flatMap((name) => {
    const text = readFileSync(path.join(logDir, name), 'utf8');
    return REPORT.test(text) ? [`${name}:\n${text.split('\n').slice(0, 40).join('\n')}`] : [];
  });
  expect(reports, `sanitizer reports (logs in ${logDir})`).toEqual([]);
  rmSync(logDir, { recursive: true, force: true });
});
