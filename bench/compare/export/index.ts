/** Exporters keyed by output file (hyperfine's export manager): each a pure Comparison → string. */
import type { Comparison } from '../compare.js';
import { formatHtml } from './html.js';
import { formatJson } from './json.js';
import { formatMarkdown } from './markdown.js';

export { formatBencher } from './bencher.js';
export { formatGithubBenchmark, githubBenchmarkFile } from './github.js';
export { formatHtml } from './html.js';
export { formatJson } from './json.js';
export { formatMarkdown } from './markdown.js';
export { formatTerminal } from './terminal.js';

/** What `--out DIR` writes. */
export const compareOutputs: Record<string, (comparison: Comparison) => string> = {
  'compare.md': formatMarkdown,
  'compare.json': formatJson,
  'compare.html': formatHtml,
};
