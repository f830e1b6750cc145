/**
 * Running a case, apart from judging it: the harness (vitest, on the host) and the guest collector
 * (test/vm/guest-conformance.ts, a plain Node script, because vitest under TCG is too slow) both make
 * their observations here, so a case means the same thing in both places.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TestMount } from '../helpers/mounts.js';
import type { CaseContext, ConformanceCase } from './harness.js';

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);

/** A fresh directory for the case, made on the lower so it exists before any FUSE op. */
export function caseContext(mount: TestMount, testCase: ConformanceCase): CaseContext {
  const name = slug(testCase.name);
  mkdirSync(path.join(mount.lower, name));
  return { dir: path.join(mount.mnt, name), lowerDir: path.join(mount.lower, name), mount };
}

/** What the case saw on this mount. */
export function observeCase(mount: TestMount, testCase: ConformanceCase): Promise<unknown> {
  return testCase.run(caseContext(mount, testCase));
}

/** A backend and the options it is mounted with, named in expectedDifferences by its label (the backend's name). */
export interface Subject {
  label: string;
  backend: string;
  options: Record<string, unknown>;
}

export function parseSubject(spec: string): Subject {
  return { label: spec, backend: spec, options: {} };
}
