import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStaticElf, jobScript, shellQuote } from '../../bench/vm/initramfs.js';
import { modinfoDepends } from '../../bench/vm/modules.js';
import { qemuArgs } from '../../bench/vm/qemu.js';

describe('guest job script', () => {
  it('passes argv, env and FUSEBENCH_VM with the guest release through sh unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fusebench-job-'));
    try {
      const script = jobScript({
        command: ['node', '-e', "console.log(JSON.stringify({ vm: JSON.parse(process.env.FUSEBENCH_VM), a: process.argv[1], x: process.env.X, cwd: process.cwd() }))", "it's $HOME \"quoted\""],
        cwd: dir,
        env: { X: "a b'c$" },
        vmJsonTemplate: JSON.stringify({ kernel: '/k/bzImage', kernelRelease: '@@RELEASE@@', share: '9p' }),
        stdoutFile: join(dir, 'out.json'),
      });
      writeFileSync(join(dir, 'job.sh'), script);
      execFileSync('sh', [join(dir, 'job.sh')]);
      const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Record<string, unknown>;
      const release = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
      expect(out).toEqual({
        vm: { kernel: '/k/bzImage', kernelRelease: release, share: '9p' },
        a: "it's $HOME \"quoted\"",
        x: "a b'c$",
        cwd: dir,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quotes only what needs quoting', () => {
    expect(shellQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('')).toBe("''");
  });
});

describe('host-side pieces', () => {
  it('tells a static busybox from a dynamic binary', () => {
    expect(isStaticElf(readFileSync(process.execPath))).toBe(false);
  });

  it('reads a module dependency list from .modinfo', () => {
    const ko = Buffer.from('\x7fELF....\0license=GPL\0depends=netfs,fscache,9pnet\0retpoline=Y\0', 'latin1');
    expect(modinfoDepends(ko)).toEqual(['netfs', 'fscache', '9pnet']);
    expect(modinfoDepends(Buffer.from('\0depends=\0'))).toEqual([]);
  });

  it('shares the host root read-only and the output dir writable, escaping commas', () => {
    const args = qemuArgs({ accel: 'tcg', kernel: '/k', initrd: '/i', cpus: 2, memoryMiB: 2048, outDir: '/o,ut', cmdline: 'console=ttyS0' }).join(' ');
    expect(args).toContain('-accel tcg,thread=single -cpu max -smp 2 -m 2048');
    expect(args).toContain('local,path=/,mount_tag=hostroot,security_model=none,readonly=on');
    expect(args).toContain('local,path=/o,,ut,mount_tag=fusebench_out,security_model=none');
    expect(args).toContain('-no-reboot');
  });
});

describe('suite argv for the guest', () => {
  it('drops the guest options and makes --out absolute', async () => {
    const { suiteArgsForGuest } = await import('../../bench/vm/guest-job.js');
    expect(suiteArgsForGuest(['run', '--kernel', '/k', '--modules=/m', '-p', 'seqread', '--out', 'rel/dir', '--initrd', '/i'], 'rel/dir'))
      .toEqual(['run', '-p', 'seqread', '--out', `${process.cwd()}/rel/dir`]);
  });
});
