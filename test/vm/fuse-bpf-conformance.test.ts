/**
 * The conformance suite's data, names and metadata parts on both FUSE-BPF backends (fuse-bpf, fuse-bpf-daemon), in a guest on
 * the FUSE-BPF kernel (../shared/kernels/fuse-bpf-6.1). The guest only observes (test/vm/
 * guest-conformance.ts, plain Node: vitest is too slow under TCG); the judging happens here, case by
 * case, with the same rule as on the host: equal to bind, or a difference expectedDifferences names
 * with the kernel's reason, under the backends' names.
 *
 * Lowers: data and names on tmpfs, the suite's default lower; metadata on a loop-mounted ext4,
 * because tmpfs has user.* xattrs only since 6.6 and on 6.1 the xattr case would compare nothing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestProgram } from '../../bench/vm/guest-programs.js';
import { expectSameAsBind } from '../conformance/harness.js';
import { conformanceTopics } from '../conformance/topics.js';
import { fuseBpfGuestUnavailable, runOnFuseBpfKernel } from '../helpers/fuse-bpf-guest.js';
import { skipUnless } from '../helpers/kernel.js';
import type { GuestConformance } from './guest-conformance.js';

const subjects = ['fuse-bpf', 'fuse-bpf-daemon'];
/** Collector passes: on which lower file system, which topics. */
const passes = [
  { lowerFs: 'tmpfs', topics: ['data', 'names'] },
  { lowerFs: 'ext4', topics: ['metadata'] },
];
const topics = passes.flatMap((pass) => pass.topics);


const work = mkdtempSync('/var/tmp/fusebench-vm-conformance-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(skipUnless(fuseBpfGuestUnavailable()))('conformance of both FUSE-BPF backends in a guest on the FUSE-BPF kernel', () => {
  const outFile = join(work, 'conformance.json');
  let collected: GuestConformance | undefined;
  let failure = '';

  beforeAll(async () => {
    const args = ['--subjects', subjects.join(','), ...passes.flatMap((pass) => ['--pass', `${pass.lowerFs}:${pass.topics.join(',')}`]), '--out', outFile];
    const program = 'test/vm/guest-conformance.ts';
    const result = await runOnFuseBpfKernel(work, `node ${guestProgram(program)} ${args.join(' ')}`, { programs: [program] });
    const tail = readFileSync(result.consoleLog, 'utf8').split('\n').slice(-30).join('\n');
    if (existsSync(outFile)) collected = JSON.parse(readFileSync(outFile, 'utf8')) as GuestConformance;
    if (result.exitCode !== 0 || !collected?.done) {
      failure = `guest collector exited ${result.exitCode} with ${collected?.passes.filter((p) => p.done).length ?? 0} of ${passes.length} passes done:\n${tail}`;
    }
    const observations = collected?.passes.flatMap((pass) => pass.observations) ?? [];
    const seconds = observations.reduce((sum, o) => sum + o.seconds, 0);
    const slowest = [...observations].sort((a, b) => b.seconds - a.seconds).slice(0, 3).map((o) => `${o.subject} ${o.case.slice(0, 40)}… ${o.seconds} s`);
    console.info(`guest conformance: ${result.accel}, boot ${result.bootSeconds.toFixed(1)} s, total ${result.elapsedSeconds.toFixed(1)} s, cases ${seconds.toFixed(1)} s; slowest: ${slowest.join('; ')}`);
  }, 960_000);

  it('the guest ran on the FUSE-BPF kernel, mounted both backends and observed every case', () => {
    expect(failure).toBe('');
    expect(collected?.kernelRelease).toMatch(/^6\.1\./);
    for (const pass of collected?.passes ?? []) expect(pass.mountFailures, `${pass.lowerFs} lowers`).toEqual({});
  });

  describe.each(subjects)('%s', (label) => {
    for (const topic of topics) {
      for (const testCase of conformanceTopics[topic]!) {
        it(`${topic}: ${testCase.name}`, () => {
          const pass = collected?.passes.find((p) => p.topics.includes(topic));
          const reference = pass?.references[topic]?.[testCase.name];
          const seen = pass?.observations.find((o) => o.subject === label && o.topic === topic && o.case === testCase.name);
          expect(seen, `no observation of ${label} ${topic}/${testCase.name}`).toBeDefined();
          expect(seen?.threw, `${label}: the case threw`).toBeUndefined();
          testCase.verify?.(reference);
          const known = expectSameAsBind(label, testCase.name, seen?.observed, reference);
          if (known) console.info(`known difference ${label}/${testCase.name}: ${known.reason}`);
        });
      }
    }
  });
});
