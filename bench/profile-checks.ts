/**
 * The checks of a profile that look at more than one field: backends against the registry and each
 * other, the baseline, backendOptions against each backend's own schema, headlines against what the
 * workload measures. They run after the field schemas pass (zod superRefine), so every field here
 * already has its type.
 */
import type { z } from 'zod';
import { backendNames, findBackend } from './backends/registry.js';
import { workloadCanProduce } from './results/metrics.js';
import { sweepSizeIssues, type SweepField } from './sweep.js';

/** Keys that mean something to JavaScript objects; YAML may carry them, a profile never needs them. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface ProfileIssue {
  path: PropertyKey[];
  message: string;
}

/** Every reserved key anywhere in the parsed YAML, before zod (whose records drop __proto__ silently). */
export function reservedKeyIssues(value: unknown, at: PropertyKey[] = []): ProfileIssue[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => reservedKeyIssues(item, [...at, index]));
  if (value === null || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((key) =>
    RESERVED_KEYS.has(key) ? [{ path: [...at, key], message: 'a reserved name, not allowed as a key' }] : reservedKeyIssues((value as Record<string, unknown>)[key], [...at, key]),
  );
}

interface CheckedProfile {
  backends: string[];
  baseline?: string;
  backendOptions: Record<string, Record<string, unknown>>;
  workloads: Array<{ name: string; engine: string; rw?: string; headline?: string } & Partial<Record<SweepField, unknown>>>;
}

const isBackendName = (name: string) => findBackend(name) !== undefined;
const known = () => `known: ${backendNames.join(', ')}`;

export function crossFieldIssues(profile: CheckedProfile): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  const add = (path: PropertyKey[], message: string) => issues.push({ path, message });
  const seenBackends = new Set<string>();
  profile.backends.forEach((name, index) => {
    if (!isBackendName(name)) add(['backends', index], `unknown backend "${name}" (${known()})`);
    else if (seenBackends.has(name)) add(['backends', index], `"${name}" is listed twice`);
    seenBackends.add(name);
  });
  if (profile.baseline !== undefined) {
    if (!isBackendName(profile.baseline)) add(['baseline'], `unknown backend "${profile.baseline}" (${known()})`);
    else if (!seenBackends.has(profile.baseline)) add(['baseline'], `"${profile.baseline}" is not among backends (${profile.backends.join(', ')}); ratios are taken against it`);
  }
  for (const [name, options] of Object.entries(profile.backendOptions)) {
    if (!isBackendName(name)) {
      add(['backendOptions', name], `unknown backend "${name}" (${known()})`);
      continue;
    }
    if (!seenBackends.has(name)) {
      add(['backendOptions', name], `"${name}" is not among backends (${profile.backends.join(', ')})`);
      continue;
    }
    // Each backend judges its own options (its optionsSchema), so a misspelt knob names the field.
    issues.push(...schemaIssues(findBackend(name)!.optionsSchema, options, ['backendOptions', name]));
  }
  const seenWorkloads = new Set<string>();
  profile.workloads.forEach((workload, index) => {
    if (seenWorkloads.has(workload.name)) add(['workloads', index, 'name'], `duplicate workload name "${workload.name}"`);
    seenWorkloads.add(workload.name);
    if (workload.headline !== undefined && !workloadCanProduce(workload, workload.headline)) {
      add(['workloads', index, 'headline'], `${workload.engine === 'fio' ? `an rw=${workload.rw} fio workload` : `an engine ${workload.engine} workload`} does not produce "${workload.headline}"`);
    }
  });
  issues.push(...sweepSizeIssues(profile.workloads));
  return issues;
}

/** A value through a schema, its issues placed under `at`; unknown keys each get an issue of their own. */
export function schemaIssues(schema: z.ZodType, value: unknown, at: PropertyKey[]): ProfileIssue[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...at, ...issue.path, key], message: 'unknown option (check the spelling)' }))
      : [{ path: [...at, ...issue.path], message: issue.message }],
  );
}
