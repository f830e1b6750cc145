/**
 * Named externals: the flags and a profile's declarations become backends; every mistake is one error
 * naming the flag or the profile field, and a profile never supplies a command.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExternalFlag, resolveExternals, type ExternalsInput } from '../bench/externals.js';
import { loadProfile } from '../bench/profiles.js';

const input = (overrides: Partial<ExternalsInput>): ExternalsInput => ({ flags: [], uringFlags: [], profileExternals: {}, profileFile: 'p.yaml', backends: ['bind'], ...overrides });

describe('--external values', () => {
  it('a plain command is the backend "external"; NAME=CMD names a backend', () => {
    expect(parseExternalFlag('/opt/hp --foreground {lower} {mnt}')).toEqual({ name: 'external', command: '/opt/hp --foreground {lower} {mnt}' });
    expect(parseExternalFlag("hp='/opt/hp' -o x=y {lower} {mnt}")).toEqual({ name: 'hp', command: "'/opt/hp' -o x=y {lower} {mnt}" });
    expect(parseExternalFlag('hp-uring=/opt/hp -o io_uring {lower} {mnt}').name).toBe('hp-uring');
    // The = of an option inside a path-first command is not a name.
    expect(parseExternalFlag('/opt/hp -o source={lower} {mnt}').name).toBe('external');
    expect(() => parseExternalFlag('HP=/opt/hp {mnt}')).toThrow(/"HP" is not a valid backend name/);
  });

  it('named externals join the run after the listed backends, each a backend of its own', () => {
    const resolved = resolveExternals(input({ flags: ['a=/bin/a {lower} {mnt}', 'b=/bin/b {lower} {mnt}'], backends: ['bind', 'fuse'] }));
    expect(resolved.backends).toEqual(['bind', 'fuse', 'a', 'b']);
    expect([...resolved.externals.keys()]).toEqual(['a', 'b']);
    expect(resolved.externals.get('a')!.label).toContain('/bin/a {lower} {mnt}');
  });

  it('a plain --external is the backend "external" and joins the run too', () => {
    const resolved = resolveExternals(input({ flags: ['/bin/d {lower} {mnt}'] }));
    expect(resolved.backends).toEqual(['bind', 'external']);
    expect(resolved.externals.get('external')!.name).toBe('external');
  });

  it('refuses a built-in name, a repeated name, an empty command and --external-uring of an unknown name', () => {
    expect(() => resolveExternals(input({ flags: ['fuse=/bin/d {mnt}'] }))).toThrow('--external fuse=…: "fuse" is a built-in backend; give the daemon another name');
    expect(() => resolveExternals(input({ flags: ['a=/bin/d {mnt}', 'a=/bin/e {mnt}'] }))).toThrow('--external: "a" is given twice');
    expect(() => resolveExternals(input({ flags: ['/bin/d {mnt}', '/bin/e {mnt}'] }))).toThrow(/"external" is given twice \(name each daemon/);
    expect(() => resolveExternals(input({ flags: ['a='] }))).toThrow('--external a=: the command is empty');
    expect(() => resolveExternals(input({ flags: ['a=/bin/d {mnt}'], uringFlags: ['b'] }))).toThrow('--external-uring b: no external daemon is named "b"');
  });

  it('a backend in the run whose command was not given is an error naming the profile field', () => {
    expect(() => resolveExternals(input({ profileExternals: { hp: { uring: true } }, profileFile: 'x.yaml', backends: ['bind', 'hp'] }))).toThrow('x.yaml: externals.hp: no command for this daemon');
    expect(() => resolveExternals(input({ backends: ['bind', 'external'] }))).toThrow('backend "external": no command for this daemon');
  });

  it('uring comes from the profile or --external-uring', () => {
    const fromProfile = resolveExternals(input({ flags: ['hp=/bin/hp {lower} {mnt}'], profileExternals: { hp: { uring: true } } }));
    expect(fromProfile.externals.get('hp')!.kernelRequirement).toMatch(/io_uring/);
    const fromFlag = resolveExternals(input({ flags: ['hp=/bin/hp {lower} {mnt}'], uringFlags: ['hp'] }));
    expect(fromFlag.externals.get('hp')!.kernelRequirement).toMatch(/io_uring/);
    const plain = resolveExternals(input({ flags: ['hp=/bin/hp {lower} {mnt}'] }));
    expect(plain.externals.get('hp')!.kernelRequirement).not.toMatch(/io_uring/);
  });
});

describe('a profile declares externals by name, never their command', () => {
  const write = (text: string) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'fb-ext-')), 'p.yaml');
    writeFileSync(file, text);
    return file;
  };
  const base = 'name: p\nworkloads: [{ name: w, rw: read, bs: 4k }]\n';

  it('a declared name may be listed in backends and be the baseline', () => {
    const loaded = loadProfile(write(`${base}backends: [hp, fuse]\nbaseline: hp\nexternals: { hp: { uring: true } }\n`));
    expect(loaded.profile.externals).toEqual({ hp: { uring: true } });
    expect(loaded.profile.baseline).toBe('hp');
  });

  it('a command in the profile is refused, naming the field', () => {
    const file = write(`${base}backends: [hp]\nexternals: { hp: { command: "sh -c 'touch /tmp/fusebench-canary/x' {mnt}" } }\n`);
    expect(() => loadProfile(file)).toThrow(/externals\.hp\.command: a profile cannot give a command/);
  });

  it('a name that is a built-in backend, or not a name, is refused', () => {
    expect(() => loadProfile(write(`${base}backends: [fuse]\nexternals: { fuse: {} }\n`))).toThrow(/externals\.fuse: "fuse" is a built-in backend/);
    expect(() => loadProfile(write(`${base}backends: [bind]\nexternals: { "Bad Name": {} }\n`))).toThrow(/not a valid backend name/);
  });

  it('an undeclared name in backends is still unknown', () => {
    expect(() => loadProfile(write(`${base}backends: [hp]\n`))).toThrow(/backends\[0\]: unknown backend "hp"/);
  });
});
