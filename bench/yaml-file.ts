/**
 * YAML data files the suite reads (profiles, references): parse, validate against a schema, and on
 * failure throw one line that names the file and the field, never a stack or a multi-line dump.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { UserError } from './errors.js';

/** workloads[0].fioOptions.size; a key with spaces, quotes, brackets or control characters is quoted, so it cannot break the line. */
export function describeIssuePath(segments: ReadonlyArray<PropertyKey>): string {
  return segments
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const key = String(segment);
      return /[\s"'[\]\\\p{Cc}]/u.test(key) ? `[${JSON.stringify(key)}]` : `${index === 0 ? '' : '.'}${key}`;
    })
    .join('') || '(top level)';
}

/** The YAML document, or one UserError naming the file and the line where it stops being YAML. */
export function readYaml(text: string, file: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? `:${error.linePos[0].line}` : '';
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UserError(`${file}${where}: not valid YAML: ${message}`);
  }
}

export function parseYamlAs<Schema extends z.ZodType>(schema: Schema, text: string, file: string): z.output<Schema> {
  const result = schema.safeParse(readYaml(text, file));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')} (check the spelling)`;
    }
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
    throw new UserError(`${file}: field ${describeIssuePath(issue.path)}: ${message}${more}`);
  }
  return result.data;
}
