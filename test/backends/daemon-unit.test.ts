/**
 * The daemon's C unit tests (`make -C infra/daemon test-unit`: passthrough ABI choice, FUSE-BPF reply
 * bytes, -o mount option parsing), run with the rest so CI sees them.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUITE_ROOT } from '../../bench/suite-root.js';

describe('daemon unit tests', () => {
  it('make test-unit passes', () => {
    const output = execFileSync('make', ['-s', '-C', path.join(SUITE_ROOT, 'infra', 'daemon'), 'test-unit'], { encoding: 'utf8' });
    expect(output).not.toMatch(/^FAIL/m);
    expect(output).toMatch(/^ok +remount is refused/m);
  });
});
