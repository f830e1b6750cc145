/**
 * runs.jsonl: one record per finished run, appended and fsynced as soon as the run ends, so a crash or
 * Ctrl-C loses nothing already measured (hyperfine writes its exports after each benchmark for the
 * same reason).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
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

export function readRecords(outDir: string): RunRecord[] {
  const file = path.join(outDir, RUNS_FILE);
  if (!existsSync(file)) throw new UserError(`${file} not found`, 'Give a directory that `npm run bench` wrote.');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        throw new UserError(`${file}:${index + 1}: not valid JSON`);
      }
      const parsed = RunRecordSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new UserError(`${file}:${index + 1}: field ${issue.path.join('.')}: ${issue.message}`);
      }
      return parsed.data;
    });
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
