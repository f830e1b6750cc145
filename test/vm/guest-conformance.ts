/**
 * The conformance suite's collector for a guest:
 *   node --import tsx test/vm/guest-conformance.ts --subjects fuse-bpf,fuse-bpf-daemon \
 *     --pass tmpfs:data,names --pass ext4:metadata --out FILE
 * (the test runs it bundled, as bench/vm/guest-programs.ts makes it, which starts in seconds under TCG).
 *
 * Each pass mounts lowers of one file system (tmpfs, or a loop-mounted ext4) and runs its topics'
 * cases on a bind mount (the reference) and on each subject. What every case saw goes to FILE as
 * JSON, rewritten after each case so a guest that dies still leaves what it saw. It judges nothing:
 * the host's vitest file compares with bind and expectedDifferences. Passes share one process
 * because starting Node under TCG costs tens of seconds.
 */
import { release } from 'node:os';
import { renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mountBackend, type TestMount } from '../helpers/mounts.js';
import { conformanceTopics } from '../conformance/topics.js';
import { observeCase, parseSubject, type Subject } from '../conformance/observe.js';

export interface GuestObservation {
  topic: string;
  case: string;
  subject: string;
  seconds: number;
  /** What the case saw, or why it could not run. */
  observed?: unknown;
  threw?: string;
}

export interface GuestPass {
  lowerFs: string;
  topics: string[];
  /** Per topic, per case: bind's observation. */
  references: Record<string, Record<string, unknown>>;
  observations: GuestObservation[];
  /** A subject that could not be mounted at all. */
  mountFailures: Record<string, string>;
  done: boolean;
}

export interface GuestConformance {
  kernelRelease: string;
  subjects: string[];
  passes: GuestPass[];
  done: boolean;
}

const usage = 'usage: guest-conformance.ts --subjects a,b --pass tmpfs|ext4:topic,topic [--pass …] --out FILE';
const { values } = parseArgs({
  options: { subjects: { type: 'string' }, pass: { type: 'string', multiple: true }, out: { type: 'string' } },
});
const fail = (message: string): never => {
  process.stderr.write(`guest-conformance: ${message}\n${usage}\n`);
  process.exit(2);
};
const out = values.out ?? fail('--out is required');
const subjects = (values.subjects ?? fail('--subjects is required')).split(',').map(parseSubject);
const passes: GuestPass[] = (values.pass ?? fail('at least one --pass is required')).map((spec) => {
  const [lowerFs = '', topicList = ''] = spec.split(':');
  if (lowerFs !== 'tmpfs' && lowerFs !== 'ext4') fail(`--pass ${spec}: lower file system must be tmpfs or ext4`);
  const topics = topicList.split(',').filter(Boolean);
  for (const topic of topics) if (!conformanceTopics[topic]) fail(`--pass ${spec}: unknown topic ${topic} (known: ${Object.keys(conformanceTopics).join(', ')})`);
  return { lowerFs, topics, references: {}, observations: [], mountFailures: {}, done: false };
});

const result: GuestConformance = { kernelRelease: release(), subjects: subjects.map((s) => s.label), passes, done: false };
const save = () => {
  writeFileSync(`${out}.tmp`, `${JSON.stringify(result, null, 1)}\n`);
  renameSync(`${out}.tmp`, out);
};

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function timed<T>(fn: () => Promise<T>): Promise<{ value?: T; threw?: string; seconds: number }> {
  const started = performance.now();
  try {
    return { value: await fn(), seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    return { threw: errorText(error), seconds: (performance.now() - started) / 1000 };
  }
}

async function observeSubject(pass: GuestPass, reference: TestMount, subject: Subject): Promise<void> {
  let mounted: TestMount;
  try {
    mounted = await mountBackend(subject.backend, { options: subject.options });
  } catch (error) {
    pass.mountFailures[subject.label] = errorText(error);
    save();
    return;
  }
  try {
    for (const topic of pass.topics) {
      const references = (pass.references[topic] ??= {});
      for (const testCase of conformanceTopics[topic]!) {
        if (!(testCase.name in references)) {
          const seen = await timed(() => observeCase(reference, testCase));
          references[testCase.name] = seen.threw === undefined ? seen.value : { threw: seen.threw };
        }
        const seen = await timed(() => observeCase(mounted, testCase));
        pass.observations.push({
          topic, case: testCase.name, subject: subject.label, seconds: Number(seen.seconds.toFixed(2)),
          ...(seen.threw === undefined ? { observed: seen.value } : { threw: seen.threw }),
        });
        process.stderr.write(`conformance ${pass.lowerFs} ${subject.label} ${topic}: ${testCase.name}: ${seen.threw ?? 'observed'} (${seen.seconds.toFixed(1)} s)\n`);
        save();
      }
    }
  } finally {
    await mounted.unmount();
  }
}

for (const pass of passes) {
  // The test helper reads the lower's file system from the environment at each mount.
  process.env.FUSEBENCH_TEST_LOWER_FS = pass.lowerFs;
  const reference = await mountBackend('bind');
  try {
    for (const subject of subjects) await observeSubject(pass, reference, subject);
  } finally {
    await reference.unmount();
  }
  pass.done = true;
  save();
}
result.done = true;
save();
