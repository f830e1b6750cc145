/**
 * Named external daemons: `--external NAME=CMD` (repeatable) and a plain `--external CMD` (the backend
 * `external`), with `--external-uring NAME` or a profile's `externals: {NAME: {uring: true}}`. Each is a
 * backend of its own in the same interleaved run, so two daemons are compared within one run instead
 * of across two (which would carry the 10–20% drift between runs on a shared machine).
 *
 * A profile may declare names and their transport, never a command: commands come only from the
 * command line, since the suite runs them as root.
 */
import { makeExternalBackend, type ExternalDaemon } from './backends/external.js';
import { findBackend } from './backends/registry.js';
import type { Backend } from './backends/types.js';
import { UserError } from './errors.js';

/** What a name may look like: it becomes a cell key, a CSV field and a chart legend. */
export const EXTERNAL_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** `NAME=CMD` when the text before the first `=` is a name (a command starts with a path or a word with no `=`). */
export function parseExternalFlag(value: string): { name: string; command: string } {
  const named = /^([A-Za-z][\w-]*)=(.*)$/s.exec(value.trim());
  if (!named) return { name: 'external', command: value.trim() };
  const [, name, command] = named as unknown as [string, string, string];
  if (!EXTERNAL_NAME.test(name)) throw new UserError(`--external ${name}=…: "${name}" is not a valid backend name (lower case letters, digits, - and _, starting with a letter, at most 32)`);
  return { name, command: command.trim() };
}

export interface ExternalsInput {
  /** Every --external value, in order. */
  flags: readonly string[];
  /** Every --external-uring NAME. */
  uringFlags: readonly string[];
  /** The profile's externals (names and transport only) and where it came from, for messages. */
  profileExternals: Readonly<Record<string, { uring: boolean }>>;
  profileFile: string;
  /** The run's backend list (from --backends or the profile). */
  backends: readonly string[];
}

export interface ResolvedExternals {
  /** The run's backends: the list given, plus every external named on the command line not in it yet. */
  backends: string[];
  /** A backend per external name in the run (`external` included when its command was given). */
  externals: Map<string, Backend>;
}

/** Turns the flags and the profile's declarations into backends; every mistake is one clear error. */
export function resolveExternals(input: ExternalsInput): ResolvedExternals {
  const daemons = new Map<string, ExternalDaemon>();
  for (const flag of input.flags) {
    const { name, command } = parseExternalFlag(flag);
    if (name !== 'external' && findBackend(name)) throw new UserError(`--external ${name}=…: "${name}" is a built-in backend; give the daemon another name`);
    if (daemons.has(name)) throw new UserError(`--external: "${name}" is given twice${name === 'external' ? ' (name each daemon: --external NAME=CMD)' : ''}`);
    if (command === '') throw new UserError(`--external ${name === 'external' ? '' : `${name}=`}: the command is empty`);
    daemons.set(name, { name, command });
  }
  for (const [name, declared] of Object.entries(input.profileExternals)) {
    const daemon = daemons.get(name);
    if (daemon) daemon.uring = declared.uring;
    else daemons.set(name, { name, uring: declared.uring });
  }
  for (const name of input.uringFlags) {
    const daemon = daemons.get(name);
    if (!daemon) throw new UserError(`--external-uring ${name}: no external daemon is named "${name}" (give it with --external ${name}=CMD)`);
    daemon.uring = true;
  }
  const backends = [...input.backends];
  for (const name of daemons.keys()) {
    if (!backends.includes(name) && daemons.get(name)!.command !== undefined) backends.push(name);
  }
  const externals = new Map<string, Backend>();
  for (const name of backends) {
    const daemon = daemons.get(name);
    if (!daemon && name !== 'external') continue;
    if (!daemon?.command) {
      const where = name in input.profileExternals ? `${input.profileFile}: externals.${name}` : `backend "${name}"`;
      throw new UserError(`${where}: no command for this daemon`, `Give it on the command line: --external ${name === 'external' ? '' : `${name}=`}'/path/daemon {lower} {mnt}'.`);
    }
    externals.set(name, makeExternalBackend(daemon));
  }
  return { backends, externals };
}
