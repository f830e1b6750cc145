import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../bench/errors.js';
import { loadProfile, parseProfile, parseSize, PROFILES_DIR } from '../bench/profiles.js';
import { getBackend } from '../bench/backends/registry.js';

describe('every shipped profile', () => {
  const files = readdirSync(PROFILES_DIR).filter((file) => file.endsWith('.yaml'));
  it.each(files)('%s validates, is documented at its top and names known backends', (file) => {
    const text = readFileSync(path.join(PROFILES_DIR, file), 'utf8');
    const { profile } = parseProfile(text, file);
    expect(profile.name).toBe(file.replace(/\.yaml$/, ''));
    expect(text.startsWith('#')).toBe(true);
    // A name the profile declares under externals gets its command from the command line, not the registry.
    const declared = new Set(Object.keys(profile.externals ?? {}));
    for (const backend of profile.backends) if (!declared.has(backend)) expect(() => getBackend(backend)).not.toThrow();
  });
  it('ships the four fio profiles the quick start names', () => {
    expect(files).toEqual(expect.arrayContaining(['seqread.yaml', 'randread.yaml', 'seqwrite.yaml', 'randwrite.yaml']));
  });
});

describe('profile errors name the file and the field in one line', () => {
  const expectError = (text: string, pattern: RegExp) => {
    let error: unknown;
    try {
      parseProfile(text, 'profiles/x.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
  };
  it('reports an unknown (misspelt) field', () => {
    expectError('name: x\nbackends: [bind]\nruntimeSecond: 3\nworkloads: [{name: a, rw: read, bs: 4k}]\n', /profiles\/x\.yaml: runtimeSecond: unknown field/);
  });
  it('reports a wrong type with its path', () => {
    expectError('name: x\nbackends: [bind]\nworkloads: [{name: a, rw: read, bs: 4k, numjobs: two}]\n', /: workloads\[0\]\.numjobs:/);
  });
  it('reports an invalid enum value', () => {
    expectError('name: x\nbackends: [bind]\nworkloads: [{name: a, rw: sideways, bs: 4k}]\n', /: workloads\[0\]\.rw:/);
  });
  it('reports a size that is not a size', () => {
    expectError('name: x\nbackends: [bind]\ndataset: {fileSize: lots}\nworkloads: [{name: a, rw: read, bs: 4k}]\n', /: dataset\.fileSize: a size/);
  });
  it('reports broken YAML with its line', () => {
    expectError('name: x\nbackends: [bind\n', /profiles\/x\.yaml:\d+: not valid YAML/);
  });
  it('reports duplicate workload names', () => {
    expectError('name: x\nbackends: [bind]\nworkloads: [{name: a, rw: read, bs: 4k}, {name: a, rw: read, bs: 8k}]\n', /workloads\[1\]\.name: duplicate/);
  });
  it('a profile that does not exist says where it looked', () => {
    expect(() => loadProfile('no-such-profile')).toThrow(/profile "no-such-profile" not found/);
  });
});

describe('sizes', () => {
  it('parses fio-style sizes', () => {
    expect(parseSize('4k')).toBe(4096);
    expect(parseSize('128K')).toBe(131072);
    expect(parseSize('1g')).toBe(1024 ** 3);
    expect(parseSize('64m')).toBe(64 * 1024 ** 2);
  });
});

describe('repeat', () => {
  it('a count means a fixed number of repetitions', () => {
    const { profile } = parseProfile('name: x\nbackends: [bind]\nrepeat: 4\nworkloads: [{name: a, rw: read, bs: 4k}]\n', 'x.yaml');
    expect(profile.repeat).toEqual({ min: 4, max: 4, targetCI: 0 });
  });
  it('max below min is an error', () => {
    expect(() => parseProfile('name: x\nbackends: [bind]\nrepeat: {min: 5, max: 3}\nworkloads: [{name: a, rw: read, bs: 4k}]\n', 'x.yaml')).toThrow(/repeat\.max/);
  });
});

describe('several problems', () => {
  it('are a short list, each line naming the file and the field', () => {
    const text = 'name: x\nbackends: [bind]\nruntimeSeconds: 0\nworkloads: [{name: a, rw: read, bs: 99999g, fioOptions: {exec_prerun: "touch /tmp/x"}}]\n';
    expect(() => parseProfile(text, 'profiles/x.yaml')).toThrow(
      ['profiles/x.yaml: 3 problems', '  profiles/x.yaml: runtimeSeconds: Too small: expected number to be >0', '  profiles/x.yaml: workloads[0].bs: a size from 1 bytes to 256m', '  profiles/x.yaml: workloads[0].fioOptions.exec_prerun: not an allowed fio option (it runs a command)'].join('\n'),
    );
  });
});

describe('baseline', () => {
  const parse = (backends: string) => parseProfile(`name: x\nbackends: ${backends}\nworkloads: [{name: a, rw: read, bs: 4k}]\n`, 'x.yaml').profile;
  it('defaults to bind when listed, else the first backend', () => {
    expect(parse('[fuse, bind]').baseline).toBe('bind');
    expect(parse('[fuse-passthrough, fuse]').baseline).toBe('fuse-passthrough');
  });
});
