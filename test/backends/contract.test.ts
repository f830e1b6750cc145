/**
 * What every registered backend promises, checked for each one in the registry, so a new backend gets
 * this test by being registered: who it is (unique name, label, colour, kernel requirement), a strict
 * options schema, and a probe that answers supported or unsupported-with-a-reason. Where the probe
 * says supported, a real mount must serve a read of the lower's content and unmount leaving nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAEMON_BINARY } from '../../bench/backends/fusebench-daemon.js';
import { registeredBackends } from '../../bench/backends/registry.js';
import type { ProbeResult } from '../../bench/backends/types.js';
import { readMounts } from '../../bench/system.js';
import { skipUnless } from '../helpers/kernel.js';
import { mountBackend } from '../helpers/mounts.js';

/**
 * Options a profile may not set but a mount needs: the external backend's command comes only from
 * --external, so the test gives it our own daemon, as a user would give theirs.
 */
const mountOptions: Record<string, Record<string, unknown>> = {
  external: { command: `${DAEMON_BINARY} --mode plain --foreground {lower} {mnt}` },
};

describe('every registered backend says who it is', () => {
  it('has a unique name, colour and a label', () => {
    const names = registeredBackends.map((backend) => backend.name);
    expect(new Set(names).size).toBe(names.length);
    const colours = registeredBackends.map((backend) => backend.colour.toLowerCase());
    expect(new Set(colours).size, 'two backends share a chart colour').toBe(colours.length);
  });

  describe.each(registeredBackends.map((backend) => [backend.name, backend] as const))('%s', (_name, backend) => {
    it('has a name usable on the command line, a label, a colour and a kernel requirement', () => {
      expect(backend.name).toMatch(/^[a-z][a-z0-9_-]*$/);
      expect(backend.label.length).toBeGreaterThan(10);
      expect(backend.colour).toMatch(/^#[0-9a-fA-F]{6}$/);
      expect(backend.kernelRequirement.length).toBeGreaterThan(3);
    });
    it('accepts no options, and refuses an unknown one', () => {
      expect(backend.optionsSchema.safeParse({}).success).toBe(true);
      expect(backend.optionsSchema.safeParse({ noSuchOption: 1 }).success).toBe(false);
    });
  });
});

describe.skipIf(skipUnless(process.getuid?.() === 0 ? undefined : 'needs root (probes and mounts)'))('every registered backend probes, and mounts where supported', () => {
  describe.each(registeredBackends.map((backend) => [backend.name, backend] as const))('%s', (name, backend) => {
    let probe: ProbeResult | undefined;

    it('probes: supported, or unsupported with a reason', async () => {
      probe = await backend.probe();
      if (probe.supported) expect(probe.facts).toBeTypeOf('object');
      else expect(probe.reason.trim().length, 'an unsupported probe must say why').toBeGreaterThan(10);
    }, 30_000);

    it('where supported, serves a read of the lower and unmounts leaving nothing', async (context) => {
      if (!probe?.supported) {
        context.skip(`unsupported here: ${probe && !probe.supported ? probe.reason : 'probe failed'}`);
        return;
      }
      const mounted = await mountBackend(name, { options: mountOptions[name] ?? {} });
      let removed = false;
      try {
        const content = `contract ${name} ${process.pid}\n`;
        writeFileSync(path.join(mounted.lower, 'probe.txt'), content);
        expect(readFileSync(path.join(mounted.mnt, 'probe.txt'), 'utf8')).toBe(content);
        const result = await mounted.unmount();
        removed = true;
        expect(result.daemonFailure).toBeUndefined();
        expect(readMounts().some((entry) => entry.mountpoint === mounted.mnt)).toBe(false);
        const pid = mounted.mount.daemonPid;
        if (pid !== undefined) expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '), `daemon ${pid} outlived its mount`).toBe(false);
      } finally {
        if (!removed) await mounted.unmount();
      }
    }, 30_000);
  });
});
