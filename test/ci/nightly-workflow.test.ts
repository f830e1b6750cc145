import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on': string | string[];
  needs?: string | string[];
  strategy?: { matrix: Record<string, unknown[]> };
  steps: Step[];
}

const workflow = parse(readFileSync('infra/ci/nightly.yml', 'utf8')) as { on: Record<string, unknown>; jobs: Record<string, Job> };
const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts);
const nightlyScript = readFileSync('infra/ci/nightly.sh', 'utf8');

/** What a shell text calls that must exist: npm scripts, and repository files run by bash or tsx. */
function references(text: string): { npmScripts: string[]; files: string[] } {
  const npmScripts = [...text.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((match) => match[1]!);
  const files = [...text.matchAll(/(?:bash|tsx|npx tsx|npx --no-install tsx)\s+((?:infra|bench)\/[\w./-]+)/g)].map((match) => match[1]!);
  return { npmScripts, files };
}

describe('the nightly workflow', () => {
  it('runs on a schedule and by hand', () => {
    expect(workflow.on.schedule).toEqual([{ cron: expect.any(String) }]);
    expect(workflow.on).toHaveProperty('workflow_dispatch');
  });

  it('runs every runner × kernel leg on self-hosted FUSE machines and uploads each leg under its own name', () => {
    const bench = workflow.jobs.bench!;
    expect(bench['runs-on']).toEqual(expect.arrayContaining(['self-hosted', 'linux', 'fuse']));
    const { runner, kernel } = bench.strategy!.matrix as { runner: string[]; kernel: { label: string; image: string }[] };
    expect(runner.length).toBeGreaterThan(0);
    expect(kernel.map((entry) => entry.image)).toContain('native');
    for (const entry of kernel) expect(entry.label).toMatch(/^[a-z0-9-]+$/);
    const upload = bench.steps.find((step) => step.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.with!.name).toContain('${{ matrix.runner }}');
    expect(upload.with!.name).toContain('${{ matrix.kernel.label }}');
    const nightly = bench.steps.find((step) => step.run?.includes('infra/ci/nightly.sh'))!;
    for (const option of nightly.run!.match(/--[a-z]+/g)!) expect(nightlyScript, `nightly.sh handles ${option}`).toContain(`${option})`);
  });

  it('merges the legs after they ran: downloads them all, reports and compares', () => {
    const merge = workflow.jobs.merge!;
    expect(merge.needs).toEqual('bench');
    expect(merge.steps.some((step) => step.uses?.startsWith('actions/download-artifact'))).toBe(true);
    const runs = merge.steps.flatMap((step) => (step.run ? [step.run] : [])).join('\n');
    expect(runs).toContain('npm run report --');
    expect(runs).toContain('infra/ci/merge-legs.sh');
  });

  it('calls only npm scripts and files that exist, in the workflow and in the scripts it runs', () => {
    const texts = [
      ...Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((step) => (step.run ? [step.run] : []))),
      nightlyScript,
      readFileSync('infra/ci/merge-legs.sh', 'utf8'),
    ];
    const found = texts.map(references);
    const npmScripts = new Set(found.flatMap((entry) => entry.npmScripts));
    const files = new Set(found.flatMap((entry) => entry.files));
    expect([...npmScripts].sort()).toEqual(expect.arrayContaining(['bench', 'compare', 'report', 'setup', 'trend']));
    for (const script of npmScripts) expect(scripts, `npm run ${script}`).toContain(script);
    expect(files).toContain('infra/ci/nightly.sh');
    for (const file of files) expect(existsSync(file), file).toBe(true);
  });
});
