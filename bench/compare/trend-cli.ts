/** `npx tsx bench/compare/trend-cli.ts HISTORY`: render HISTORY/trend.html and trend.vl.json. */
import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { trend } from './trend.js';

async function main(): Promise<void> {
  const history = process.argv[2];
  if (!history || process.argv.length > 3) throw new UserError('usage: tsx bench/compare/trend-cli.ts HISTORY_DIR');
  if (!existsSync(history)) throw new UserError(`${history}: no such history directory`);
  const { htmlFile, data } = await trend(history);
  process.stdout.write(`${htmlFile}: ${data.runs.length} run(s), ${data.points.filter((p) => p.regressed).length} regressed point(s)${data.skipped.length ? `, ${data.skipped.length} skipped` : ''}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof UserError) {
    process.stderr.write(`Error: ${error.message}\n${error.hint ? `${error.hint}\n` : ''}`);
    process.exit(1);
  }
  throw error;
});
