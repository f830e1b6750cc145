/**
 * The README's layer table, enforced: every relative import in bench/ must point the way the table
 * says. A new edge that breaks a rule fails here with the file and the import, not in review.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const BENCH = path.resolve(import.meta.dirname, '..', 'bench');

/** Top-level modules every layer may use; they import only each other. */
const BASICS = ['errors', 'system', 'processes', 'cgroups', 'cleanup', 'scratch', 'fusectl', 'kernel-facts', 'suite-root', 'sizes', 'stats'];

/** Folder → what it may import besides itself (and its own subfolders): folders, or top-level modules. */
const MAY_IMPORT: Record<string, string[]> = {
  backends: [...BASICS],
  collect: [...BASICS, 'backends'],
  workloads: [...BASICS, 'profiles', 'dataset', 'results'],
  results: [...BASICS],
  render: [],
  report: ['results', 'render', 'backends', 'references', 'reference-measure'],
  compare: [...BASICS, 'results', 'render'],
  vm: [...BASICS, 'results'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** 'backends', 'report' (for report/charts too), or the top-level module's name. */
function layerOf(file: string): string {
  const relative = path.relative(BENCH, file).replace(/\.(ts|js)$/, '');
  const [first = '', ...rest] = relative.split(path.sep);
  return rest.length === 0 ? `(top)/${first}` : first;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.{1,2}\/[^']+)'|import\('(\.{1,2}\/[^']+)'\)/g)].map((match) => path.resolve(path.dirname(file), match[1] ?? match[2]!));
}

describe('layers point one way (README, Layout)', () => {
  const edges = sourceFiles(BENCH).flatMap((file) => imports(file).map((target) => ({ file, from: layerOf(file), to: layerOf(target) })));

  it('finds the imports it checks', () => {
    expect(edges.length).toBeGreaterThan(200);
  });

  it('every folder imports only what its row allows', () => {
    const broken = edges
      .filter(({ from, to }) => from !== to && from in MAY_IMPORT)
      .filter(({ from, to }) => !MAY_IMPORT[from]!.some((allowed) => to === allowed || to === `(top)/${allowed}`))
      .map(({ file, to }) => `${path.relative(BENCH, file)} imports ${to}`);
    expect(broken).toEqual([]);
  });

  it('the basics import only each other', () => {
    const broken = edges
      .filter(({ from }) => BASICS.some((basic) => from === `(top)/${basic}`))
      .filter(({ to }) => !BASICS.some((basic) => to === `(top)/${basic}`))
      .map(({ file, to }) => `${path.relative(BENCH, file)} imports ${to}`);
    expect(broken).toEqual([]);
  });
});
