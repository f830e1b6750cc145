/** The lower-directory policy (bench/lower.ts), on real directories and symlinks. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lowerProblem } from '../bench/lower.js';

const work = mkdtempSync('/tmp/fb-lower-test-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('which directories may be the lower directory', () => {
  it('tmpfs and a directory under /tmp are fine', () => {
    expect(lowerProblem('tmpfs')).toBeUndefined();
    expect(lowerProblem(work)).toBeUndefined();
  });

  it('/, system directories and places outside the roots are refused', () => {
    expect(lowerProblem('/')).toMatch(/root directory/);
    expect(lowerProblem('/etc')).toMatch(/inside the system directory \/etc/);
    expect(lowerProblem('/usr/share')).toMatch(/inside the system directory \/usr/);
    expect(lowerProblem('/var/lib')).toMatch(/inside the system directory \/var/);
    expect(lowerProblem('/opt')).toMatch(/outside the places a lower directory may be/);
  });

  it('/var/tmp is a data place although it sits in /var', () => {
    expect(lowerProblem('/var/tmp')).toBeUndefined();
  });

  it('a symlink is judged by where it leads', () => {
    const toEtc = path.join(work, 'to-etc');
    symlinkSync('/etc', toEtc);
    expect(lowerProblem(toEtc)).toBe(`${toEtc} (a link to /etc): inside the system directory /etc`);
    const inside = path.join(work, 'real');
    mkdirSync(inside);
    const toInside = path.join(work, 'to-real');
    symlinkSync(inside, toInside);
    expect(lowerProblem(toInside)).toBeUndefined();
  });

  it('a fusebench-lower that is a link (would send the data set elsewhere) is refused, dangling or not', () => {
    const dir = path.join(work, 'planted');
    mkdirSync(dir);
    symlinkSync('/etc', path.join(dir, 'fusebench-lower'));
    expect(lowerProblem(dir)).toMatch(/fusebench-lower exists and is not a plain directory/);
    const dangling = path.join(work, 'dangling');
    mkdirSync(dangling);
    symlinkSync('/nonexistent-target', path.join(dangling, 'fusebench-lower'));
    expect(lowerProblem(dangling)).toMatch(/not a plain directory/);
  });

  it('a missing path or a file is refused', () => {
    expect(lowerProblem(path.join(work, 'missing'))).toMatch(/no such directory/);
    writeFileSync(path.join(work, 'file'), '');
    expect(lowerProblem(path.join(work, 'file'))).toMatch(/not a directory/);
  });

  it('FUSEBENCH_LOWER_ROOTS adds a place, but never exempts a system directory it names', () => {
    expect(lowerProblem('/opt', { FUSEBENCH_LOWER_ROOTS: '/opt' })).toBeUndefined();
    expect(lowerProblem('/etc', { FUSEBENCH_LOWER_ROOTS: '/etc' })).toMatch(/system directory \/etc/);
    expect(lowerProblem('/etc', { FUSEBENCH_LOWER_ROOTS: '/' })).toMatch(/system directory \/etc/);
  });
});
