/**
 * runs.jsonl: one record per finished run, appended and fsynced as soon as the run ends, so a crash or
 * Ctrl-C loses nothing already measured (hyperfine writes its exports after each benchmark for the
 * same reason).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { RunRecordSchema, type RunRecord } from './schema.js';

export const RUNS_FILE = 'runs.jsonl';
export const SUMMARY_FILE = 'summary.json';
export const CSV_FILE = 'results.csv';
export const ENVIRONMENT_FILE = 'environment.json';

export function appendRecord(outDir: string, record: RunRecord): void {
  mkdirSync(outDir, { recursive: true });
  const line = `${JSON.stringify(RunRecordSchema.parse(record))}\n`;
  const fd = openSync(path.join(outDir, RUNS_FILE), 'a');
  try {
    writeSync(fd, line);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The records of a runs.jsonl's text. Errors name the file, the line and the field. A torn last line
 * is what a crash mid-append leaves, but it is reported too: a loader must not guess.
 */
export function parseRunsJsonl(text: string, file: string): RunRecord[] {
  const records: RunRecord[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new UserError(`${file}:${index + 1}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const result = RunRecordSchema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const where = issue.path.length > 0 ? `field ${issue.path.map(String).join('.')}: ` : '';
      throw new UserError(`${file}:${index + 1}: not a run record: ${where}${issue.message}`);
    }
    records.push(result.data);
  });
  if (records.length === 0) throw new UserError(`${file}: holds no run records`);
  return records;
}

/** Write-then-rename, so a reader never sees half a file. */
export function writeFileAtomic(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, content);
  const fd = openSync(temporary, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temporary, file);
}
