/**
 * One conformance suite shape for every topic: each case runs in a fresh directory on the backend
 * under test and, side by side, on a bind mount of its own tmpfs (the reference). The two
 * observations must be equal, unless expectedDifferences names that backend and case with a reason.
 *
 * Backends: $CONFORMANCE_BACKENDS (comma-separated), default bind, fuse, fuse-passthrough, fuse-uring,
 * passthrough_ll. A name the registry only plans or the machine cannot offer (fuse-uring on a kernel
 * without FUSE over io_uring) is skipped with the reason, or fails under REQUIRE_KERNEL=1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../helpers/kernel.js';
import { backendUnavailable, leftoverTestMounts, mountBackend, type TestMount } from '../helpers/mounts.js';
import { expectedDifferences, type ExpectedDifference } from './expected-differences.js';
import { abortFuseMount, abortIfHung } from './hang-guard.js';
import { observeCase } from './observe.js';
import { liveChildren } from './ops.js';

export const DEFAULT_BACKENDS = ['bind', 'fuse', 'fuse-passthrough', 'fuse-uring', 'passthrough_ll'];

export function conformanceBackends(fallback = DEFAULT_BACKENDS): string[] {
  const fromEnv = process.env.CONFORMANCE_BACKENDS?.split(',').map((name) => name.trim()).filter(Boolean);
  return fromEnv && fromEnv.length > 0 ? fromEnv : fallback;
}

export interface CaseContext {
  /** A fresh, empty directory on the mount (made on the lower, so it exists before any FUSE op). */
  dir: string;
  /** The same directory seen on the lower, bypassing the mount. */
  lowerDir: string;
  mount: TestMount;
}

export interface ConformanceCase {
  name: string;
  /** What the case saw, as plain data: compared between the backend and bind. */
  run(context: CaseContext): Promise<unknown>;
  /** Assertions on bind's observation: that the case itself tests what POSIX (and tmpfs) promise. */
  verify?(reference: any): void;
  /** Big data: left out where runtime matters more (the sanitizer run). */
  heavy?: boolean;
  timeoutMs?: number;
  /**
   * For a case that could wait on the mount forever (locks): past this many ms its FUSE connection is
   * aborted through fusectl and its processes killed, so nothing stays in D state; the case fails.
   */
  abortAfterMs?: number;
}

export interface SuiteOptions {
  backends?: string[];
  /** Backend options per backend name (e.g. defaultPermissions for the daemon). */
  options?: (backend: string) => Record<string, unknown>;
  skipHeavy?: boolean;
  /** Label for describe (e.g. "under ASan"). */
  label?: string;
}

/** Compares with bind; a difference passes only when the table lists it, and a listed one must occur. */
export function expectSameAsBind(backend: string, caseName: string, observed: unknown, reference: unknown): ExpectedDifference | undefined {
  const key = `${backend}/${caseName}`;
  const known = expectedDifferences[key];
  if (!known) {
    expect(observed, `${backend} differs from bind in "${caseName}" (not in expectedDifferences)`).toEqual(reference);
    return undefined;
  }
  expect(observed, `expectedDifferences["${key}"] no longer occurs (${known.reason}): remove it`).not.toEqual(reference);
  if (known.observed !== undefined) expect(observed, `${key}: differs from bind, but not as recorded`).toEqual(known.observed);
  return known;
}

const references = new Map<string, unknown>();

/** observeCase, under the case's hang guard when it has one. */
function observeGuarded(mount: TestMount, testCase: ConformanceCase): Promise<unknown> {
  const work = observeCase(mount, testCase);
  if (testCase.abortAfterMs === undefined) return work;
  return abortIfHung(work, {
    deadlineMs: testCase.abortAfterMs,
    label: `"${testCase.name}" on ${mount.backend}`,
    abort: () => abortFuseMount(mount.mnt),
    children: liveChildren,
  });
}

const availability = new Map<string, Promise<string | undefined>>();
const unavailable = (backend: string) => {
  if (!availability.has(backend)) availability.set(backend, backendUnavailable(backend));
  return availability.get(backend)!;
};

/** Probes the backends once (at collection), so describe.skipIf can give each its reason. */
export async function probeBackends(names: string[]): Promise<Record<string, string | undefined>> {
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await unavailable(name)] as const)));
}

export async function conformanceSuite(topic: string, cases: ConformanceCase[], suiteOptions: SuiteOptions = {}): Promise<void> {
  const backends = suiteOptions.backends ?? conformanceBackends();
  const reasons = await probeBackends(backends);
  const selected = suiteOptions.skipHeavy ? cases.filter((testCase) => !testCase.heavy) : cases;

  // Whatever happened in the file, nothing of ours may stay mounted.
  afterAll(() => expect(leftoverTestMounts()).toEqual([]));

  describe.each(backends)(`${topic}${suiteOptions.label ? ` ${suiteOptions.label}` : ''} on %s`, (backend) => {
    const skip = skipUnless(reasons[backend]);
    let reference: TestMount | undefined;
    let subject: TestMount | undefined;

    beforeAll(async () => {
      if (skip) return;
      reference = await mountBackend('bind');
      subject = await mountBackend(backend, { options: suiteOptions.options?.(backend) ?? {} });
    });

    afterAll(async () => {
      const results = await Promise.allSettled([subject?.unmount(), reference?.unmount()]);
      for (const result of results) if (result.status === 'rejected') throw result.reason;
      expect(leftoverTestMounts().filter((mnt) => mnt === subject?.mnt || mnt === reference?.mnt)).toEqual([]);
    });

    for (const testCase of selected) {
      it.skipIf(skip)(testCase.name, { timeout: testCase.timeoutMs ?? 120_000 }, async () => {
        // Observations hold nothing backend-specific, so bind's is made once per case and reused.
        const key = `${topic}/${testCase.name}`;
        if (!references.has(key)) {
          const observation = await observeGuarded(reference!, testCase);
          testCase.verify?.(observation);
          references.set(key, observation);
        }
        const expected = references.get(key);
        const observed = await observeGuarded(subject!, testCase);
        const known = expectSameAsBind(backend, testCase.name, observed, expected);
        if (known) console.info(`known difference ${backend}/${testCase.name}: ${known.reason}`);
      });
    }
  });
}
