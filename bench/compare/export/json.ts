/**
 * compare.json: the Comparison with keys sorted at every level and numbers rounded to 6 significant
 * digits, so the file is byte-stable across runs and Node versions (golden-tested).
 */
import type { Comparison } from '../compare.js';

function canonical(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(6)) : null;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export function formatJson(comparison: Comparison): string {
  return `${JSON.stringify(canonical(comparison), null, 2)}\n`;
}
