/**
 * POSIX ACLs through the mount: a default ACL, not the umask, decides the modes of what is created
 * under it; a mode changed by setfacl is what the very next stat shows; and setfacl by an owner
 * outside the file's group clears setgid, as the kernel does for a local caller. Uses the acl
 * package's setfacl/getfacl, as fstests does (generic/099, 319, 375, 444, 697 cover the same ground).
 */
import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { ConformanceCase } from './harness.js';
import { py, type Outcome } from './ops.js';
import { NOBODY } from './permissions.cases.js';

const DEFAULT_ACL = 'u::rwx,g::rwx,o::r-x';
const octal = (mode: number) => (mode & 0o7777).toString(8);
const modes = (outcomes: Outcome[]) => outcomes.map((outcome) => ('ok' in outcome && typeof outcome.ok === 'number' ? octal(outcome.ok) : outcome));

/** A group no test user is in, and one a caller is given as a supplementary group. */
const OTHER_GROUP = 4242;

export const aclCases: ConformanceCase[] = [
  {
    name: 'umask 722: under a default ACL the ACL gives the modes of a file, a FIFO, a directory and one in a setgid directory; without one the umask applies',
    async run({ dir, lowerDir }) {
      for (const sub of ['acl', 'sgid', 'plain', 'open']) mkdirSync(path.join(lowerDir, sub));
      chmodSync(path.join(lowerDir, 'sgid'), 0o2775);
      chmodSync(path.join(lowerDir, 'open'), 0o777);
      const at = (...names: string[]) => path.join(dir, ...names);
      const setup = await py([
        { op: 'setfacl', args: ['-d', '-m', DEFAULT_ACL, at('acl')] },
        { op: 'setfacl', args: ['-d', '-m', DEFAULT_ACL, at('sgid')] },
        { op: 'setfacl', args: ['-d', '-m', DEFAULT_ACL, at('open')] },
      ]);
      const created = await py([
        { op: 'umask', mask: 0o722 },
        { op: 'open', path: at('acl', 'r440'), flags: ['O_WRONLY', 'O_CREAT'], mode: 0o440 },
        { op: 'open', path: at('acl', 'rw664'), flags: ['O_WRONLY', 'O_CREAT'], mode: 0o664, as: 'b' },
        { op: 'mkdir', path: at('acl', 'dir'), mode: 0o777 },
        { op: 'mkfifo', path: at('acl', 'fifo'), mode: 0o666 },
        { op: 'mkdir', path: at('sgid', 'dir'), mode: 0o777 },
        { op: 'open', path: at('plain', 'file'), flags: ['O_WRONLY', 'O_CREAT'], mode: 0o666, as: 'c' },
        { op: 'mkdir', path: at('plain', 'dir'), mode: 0o777 },
        { op: 'mkfifo', path: at('plain', 'fifo'), mode: 0o666 },
      ]);
      const byNobody = await py([
        { op: 'umask', mask: 0o722 },
        { op: 'open', path: at('open', 'mine'), flags: ['O_WRONLY', 'O_CREAT'], mode: 0o640 },
        { op: 'mkdir', path: at('open', 'mydir'), mode: 0o750 },
      ], NOBODY);
      const names = [['acl', 'r440'], ['acl', 'rw664'], ['acl', 'dir'], ['acl', 'fifo'], ['sgid', 'dir'], ['plain', 'file'], ['plain', 'dir'], ['plain', 'fifo'], ['open', 'mine'], ['open', 'mydir']];
      const seen = Object.fromEntries(names.map((name) => [name.join('/'), octal(statSync(at(...name)).mode)]));
      const onLower = Object.fromEntries(names.map((name) => [name.join('/'), octal(statSync(path.join(lowerDir, ...name)).mode)]));
      const dirAcl = await py([{ op: 'getfacl', args: ['--omit-header', '--absolute-names', at('acl', 'dir')] }]);
      return { setup, created: modes(created), byNobody: byNobody.slice(1), seen, onLower, dirAcl };
    },
    verify(reference) {
      expect(reference.setup).toEqual([{ ok: null }, { ok: null }, { ok: null }]);
      expect(reference.created).toEqual(['22', ...Array(8).fill({ ok: null })]); // first: the umask before
      expect(reference.byNobody).toEqual([{ ok: null }, { ok: null }]);
      expect(reference.seen).toEqual({
        'acl/r440': '440', 'acl/rw664': '664', 'acl/dir': '775', 'acl/fifo': '664', 'sgid/dir': '2775',
        'plain/file': '44', 'plain/dir': '55', 'plain/fifo': '44',
        'open/mine': '640', 'open/mydir': '750',
      });
      expect(reference.onLower).toEqual(reference.seen);
      expect(reference.dirAcl[0].ok).toContain('group::rwx');
      expect(reference.dirAcl[0].ok).toContain('default:group::rwx');
    },
  },

  {
    name: 'setfacl then stat at once: the mode follows each ACL change immediately, also after the ACL is removed',
    async run({ dir, lowerDir }) {
      writeFileSync(path.join(lowerDir, 'f'), 'x');
      chmodSync(path.join(lowerDir, 'f'), 0o600);
      const f = path.join(dir, 'f');
      // statx for the mode alone (what `stat -c %A` and `ls` ask for) may be answered from the kernel's
      // attribute cache, so each read comes right after the change it must reflect.
      const outcomes = await py([
        { op: 'statx_mode', path: f },
        { op: 'setfacl', args: ['-m', 'u:65534:rwx', f] },
        { op: 'statx_mode', path: f },
        { op: 'setfacl', args: ['-m', 'm::r-x', f] },
        { op: 'statx_mode', path: f },
        { op: 'setfacl', args: ['-b', f] },
        { op: 'statx_mode', path: f },
        { op: 'chmod', path: f, mode: 0o640 },
        { op: 'setfacl', args: ['-m', 'g::rwx', f] },
        { op: 'statx_mode', path: f },
      ]);
      return modes(outcomes);
    },
    verify(reference) {
      expect(reference).toEqual(['600', null, '670', null, '650', null, '600', null, null, '670'].map((mode) => (mode === null ? { ok: null } : mode)));
    },
  },

  {
    name: 'setfacl by the owner outside the file group clears setgid; in the group (also as a supplementary group) it stays',
    async run({ dir, lowerDir }) {
      const files = { outside: 0, own: NOBODY.gid, supplementary: OTHER_GROUP };
      for (const [name, gid] of Object.entries(files)) {
        writeFileSync(path.join(lowerDir, name), 'x');
        chownSync(path.join(lowerDir, name), NOBODY.uid, gid);
        chmodSync(path.join(lowerDir, name), 0o2775);
      }
      const as = { ...NOBODY, groups: [NOBODY.gid, OTHER_GROUP] };
      const run = (name: string, caller = NOBODY) =>
        py([
          { op: 'statx_mode', path: path.join(dir, name) },
          { op: 'setfacl', args: ['-m', 'u::rwx,g::rwx,o::rwx', path.join(dir, name)] },
          { op: 'statx_mode', path: path.join(dir, name) },
        ], caller).then(modes);
      return {
        outside: await run('outside'),
        own: await run('own'),
        supplementary: await run('supplementary', as),
        onLower: Object.fromEntries(Object.keys(files).map((name) => [name, octal(statSync(path.join(lowerDir, name)).mode)])),
      };
    },
    verify(reference) {
      expect(reference).toEqual({
        outside: ['2775', { ok: null }, '777'],
        own: ['2775', { ok: null }, '2777'],
        supplementary: ['2775', { ok: null }, '2777'],
        onLower: { outside: '777', own: '2777', supplementary: '2777' },
      });
    },
  },
];
