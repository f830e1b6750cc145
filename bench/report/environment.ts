/**
 * Where and how each run happened: machine, kernel, versions, daemons and mount options, the profile's
 * full text and hash, the suite commit, and the command that reproduces the run. Pure; all escaped.
 */
import path from 'node:path';
import { escapeHtml } from '../render/html.js';
import type { LabelledRun, ReportModel } from './model.js';

function pretty(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function row(key: string, valueHtml: string): string {
  return `<tr><th scope="row">${escapeHtml(key)}</th><td>${valueHtml}</td></tr>`;
}

/** Mount facts as the runs recorded them, one entry per distinct value per backend (pids and ids vary per run). */
function mountsByBackend(run: LabelledRun): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const record of run.records) {
    if (record.state !== 'completed' || Object.keys(record.mount).length === 0) continue;
    const stable = Object.fromEntries(Object.entries(record.mount).filter(([key]) => !/pid$|connection|^fuseConnectionId$/i.test(key)));
    const text = pretty(stable);
    const list = result.get(record.backend) ?? [];
    if (!list.includes(text)) list.push(text);
    result.set(record.backend, list);
  }
  return result;
}

function backendsTable(run: LabelledRun, backends: readonly string[]): string {
  const mounts = mountsByBackend(run);
  const names = backends.filter((backend) => backend in run.environment.backends || mounts.has(backend));
  if (names.length === 0) return '<p class="empty">No daemon or mount facts recorded.</p>';
  const rows = names.map((backend) => {
    const facts = run.environment.backends[backend];
    const factsHtml = facts && Object.keys(facts).length > 0 ? `<pre>${escapeHtml(pretty(facts))}</pre>` : '<span class="empty">–</span>';
    const mountHtml = (mounts.get(backend) ?? []).map((text) => `<pre>${escapeHtml(text)}</pre>`).join('') || '<span class="empty">–</span>';
    return `<tr><td>${escapeHtml(backend)}</td><td>${factsHtml}</td><td>${mountHtml}</td></tr>`;
  });
  return `<table class="backends"><thead><tr><th>backend</th><th>daemon / probe facts</th><th>mount options (as recorded per run)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Links to the run's stored files, relative to the page so the directory can be moved or zipped. */
export function runLinks(run: LabelledRun, targetDir: string): string {
  const relative = (path.relative(targetDir, run.dir) || '.').split(path.sep).join('/');
  return run.files.map((file) => `<a href="${escapeHtml(encodeURI(path.posix.join(relative, file)))}">${escapeHtml(file)}</a>`).join(' · ');
}

export function environmentSection(model: ReportModel, targetDir: string): string {
  return model.runs
    .map((run) => {
      const env = run.environment;
      const table = [
        row('result directory', `<code>${escapeHtml(run.dir)}</code>`),
        row('files', runLinks(run, targetDir)),
        row('hostname', escapeHtml(env.hostname)),
        row('kernel', `${escapeHtml(env.kernelRelease)} <span class="dim">${escapeHtml(env.kernelVersion)}</span>`),
        row('acceleration', `${escapeHtml(env.accel)}${env.accel === 'tcg' ? ' <span class="badge emulated">emulated</span> (QEMU TCG: absolute numbers are not comparable with hardware)' : ''}${env.accelReason === undefined ? '' : `<br><span class="dim">why: ${escapeHtml(env.accelReason)}</span>`}`),
        ...(env.vm ? [row('virtual machine', `<pre>${escapeHtml(pretty(env.vm))}</pre>`)] : []),
        ...(env.daemonAccounting ? [row('daemon accounting', escapeHtml(env.daemonAccounting))] : []),
        row('CPU', `${escapeHtml(env.cpuModel)} × ${env.cpuCount}`),
        row('memory', `${escapeHtml(String(env.memoryMiB))} MiB`),
        row('fio', escapeHtml(env.fioVersion)),
        row('node', escapeHtml(env.nodeVersion)),
        row('suite commit', `<code>${escapeHtml(env.suiteCommit)}</code>${env.suiteDirty ? ' <span class="badge warn">dirty: uncommitted changes</span>' : ' (clean)'}`),
        row('started', escapeHtml(env.startedAt)),
        row('seed', escapeHtml(String(env.seed))),
        row('baseline', escapeHtml(run.summary.baseline)),
        row('profile', `${escapeHtml(env.profileName)} <span class="dim">sha256 <code>${escapeHtml(env.profileHash)}</code></span>`),
        row('reproduce with', `<pre class="command">${escapeHtml(env.commandLine)}</pre>`),
      ].join('');
      return `<section class="environment">
<h3>${escapeHtml(model.sideBySide ? `${run.id}: ${run.label}` : run.label)}</h3>
<table class="keyvalue">${table}</table>
<h4>Daemons and mounts</h4>
${backendsTable(run, model.backends)}
<details><summary>Profile text (${escapeHtml(env.profileName)}, as run)</summary><pre>${escapeHtml(env.profileText)}</pre></details>
<details><summary>Resolved profile (command-line overrides applied)</summary><pre>${escapeHtml(pretty(env.resolvedProfile))}</pre></details>
</section>`;
    })
    .join('\n');
}
