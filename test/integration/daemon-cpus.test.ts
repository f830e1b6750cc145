/**
 * A profile's daemonCpus: every daemon the suite starts runs confined to those CPUs (taskset execs the
 * daemon, so the pid and cgroup stay the daemon's), the record says so, and a CPU this machine lacks is
 * one error before anything mounts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../bench/profiles.js';
import { RunRecordSchema } from '../../bench/results/schema.js';
import { cpusOf } from '../../bench/workloads/fio-options.js';
import { cli, FIXTURE_PROFILES } from '../helpers/cli.js';
import { missingRootOrFio, skipUnless } from '../helpers/kernel.js';
import { mountBackend } from '../helpers/mounts.js';

const allowedCpus = (pid: number) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
const tinyProfile = readFileSync(path.join(FIXTURE_PROFILES, 'tiny-seqread.yaml'), 'utf8');

describe('daemonCpus in a profile', () => {
  it('takes a CPU list and refuses anything else, naming the field', () => {
    expect(parseProfile(`${tinyProfile}daemonCpus: "0"\n`, 'p.yaml').profile.daemonCpus).toBe('0');
    expect(() => parseProfile(`${tinyProfile}daemonCpus: "0; reboot"\n`, 'p.yaml')).toThrow(/p\.yaml: daemonCpus: a CPU list/);
  });

  it('expands ranges and lists', () => {
    expect(cpusOf('0-2,5')).toEqual([0, 1, 2, 5]);
    expect(cpusOf('1')).toEqual([1]);
  });
});

describe.skipIf(skipUnless(missingRootOrFio()))('daemonCpus on real mounts', () => {
  it.each(['fuse', 'passthrough_ll'])('%s: the daemon runs on the CPU given', async (backend) => {
    const mounted = await mountBackend(backend, { daemonCpus: '0' });
    try {
      expect(allowedCpus(mounted.mount.daemonPid!)).toBe('0');
      writeFileSync(path.join(mounted.lower, 'f'), 'pinned');
      expect(readFileSync(path.join(mounted.mnt, 'f'), 'utf8')).toBe('pinned');
    } finally {
      await mounted.unmount();
    }
  });

  it('records the pinning with the mount, and refuses a CPU the machine lacks before mounting', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-cpus-'));
    try {
      const profile = path.join(dir, 'pinned.yaml');
      writeFileSync(profile, `${tinyProfile.replace('backends: [bind]', 'backends: [bind, fuse]').replace('runtimeSeconds: 2', 'runtimeSeconds: 1')}daemonCpus: "0"\n`);
      const out = path.join(dir, 'out');
      const result = await cli(['run', '--profile', profile, '--no-trace', '--out', out], { env: { FUSEBENCH_SCRATCH: '/tmp/fb-test-cpus' } });
      expect(result.exitCode, result.all).toBe(0);
      const records = readFileSync(path.join(out, 'runs.jsonl'), 'utf8').trim().split('\n').map((line) => RunRecordSchema.parse(JSON.parse(line)));
      const mountOf = (backend: string) => {
        const record = records.find((candidate) => candidate.backend === backend)!;
        if (record.state !== 'completed') throw new Error(`${backend}: ${record.state}`);
        return record.mount;
      };
      expect(mountOf('fuse')).toMatchObject({ daemonCpus: '0' });
      expect(mountOf('bind')).not.toHaveProperty('daemonCpus');

      const missing = os.availableParallelism();
      writeFileSync(profile, `${tinyProfile}daemonCpus: "${missing}"\n`);
      const refused = await cli(['run', '--profile', profile, '--no-trace', '--out', path.join(dir, 'refused')], { env: { FUSEBENCH_SCRATCH: '/tmp/fb-test-cpus' } });
      expect(refused.exitCode).toBe(2);
      expect(refused.all).toContain(`pinned.yaml: daemonCpus: CPU ${missing} does not exist here`);
      expect(refused.all).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
