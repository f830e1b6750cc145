/**
 * The guest's serial console as the runner reads it: bytes into lines, and the markers the runner's
 * init (infra/vm/init.sh) prints, `FUSEBENCH_<KIND>_<nonce> text`, told apart from kernel output. The
 * nonce makes a marker that a command merely echoes (or an older guest printed) not count.
 */

export type MarkerKind = 'BOOTED' | 'FAIL' | 'WARN' | 'START' | 'EXIT';

export interface Marker {
  kind: MarkerKind;
  text: string;
}

/** The lines of the console the runner keeps for an error's tail. */
const keptLines = 400;
const tailLines = 40;

/** The marker on `line`, or undefined for any other console line. */
export function markerReader(nonce: string): (line: string) => Marker | undefined {
  const marker = new RegExp(`FUSEBENCH_(BOOTED|FAIL|WARN|START|EXIT)_${nonce} ?(.*)$`);
  return (line) => {
    const match = marker.exec(line);
    if (match === null) return undefined;
    const [, kind, text = ''] = match;
    return { kind: kind as MarkerKind, text };
  };
}

/** "Kernel panic - not syncing: …" from a console line, if it is one. */
export function panicOf(line: string): string | undefined {
  return /Kernel panic - not syncing/.test(line) ? line.slice(line.indexOf('Kernel panic')) : undefined;
}

/** The last console lines, indented, for an error message. */
export function consoleTail(lines: readonly string[]): string {
  return lines.slice(-tailLines).map((line) => `  | ${line}`).join('\n');
}

/**
 * Splits console chunks into lines (a trailing CR dropped) and keeps the last ones. `flush` hands on
 * a last line that had no newline when the console closed.
 */
export class ConsoleLines {
  readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) this.take(part);
  }

  flush(): void {
    if (this.partial !== '') this.take(this.partial);
    this.partial = '';
  }

  private take(raw: string): void {
    const line = raw.replace(/\r$/, '');
    this.lines.push(line);
    if (this.lines.length > keptLines) this.lines.splice(0, this.lines.length - keptLines);
    this.onLine(line);
  }
}
