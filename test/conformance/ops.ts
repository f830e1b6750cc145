/**
 * The operations conformance cases are made of: outcomes as plain data ({ok} or {errno}), so a case's
 * observation on a backend can be compared with the same case on bind. System calls Node lacks go
 * through fsops.py (python3 from Debian, so another uid can run it too).
 */
import { createCipheriv, createHash } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

const PYTHON = '/usr/bin/python3';
const FSOPS = readFileSync(new URL('./fsops.py', import.meta.url), 'utf8');

/** What an operation did: its value, or the errno name it failed with. */
export type Outcome<T = unknown> = { ok: T } | { errno: string };

/** Runs fn and turns a Node system-call error into its errno name. */
export async function attempt<T>(fn: () => Promise<T> | T): Promise<Outcome<T>> {
  try {
    return { ok: await fn() };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return { errno: code };
    throw error;
  }
}

export type PyOp = { op: string } & Record<string, unknown>;

export interface RunAs {
  /** Run as this uid/gid (setpriv), with these supplementary groups (default none). */
  uid: number;
  gid: number;
  groups?: number[];
}

function pythonCommand(ops: PyOp[], as?: RunAs): [string, string[]] {
  const python = [PYTHON, '-c', FSOPS, JSON.stringify(ops)];
  if (!as) return [PYTHON, python.slice(1)];
  const groups = as.groups?.length ? `--groups=${as.groups.join(',')}` : '--clear-groups';
  return ['setpriv', [`--reuid=${as.uid}`, `--regid=${as.gid}`, groups, ...python]];
}

/** Every python process a case started that has not exited yet: what a hung case leaves to end. */
export const liveChildren = new Set<ChildProcess>();

function track<C extends ChildProcess>(child: C): C {
  liveChildren.add(child);
  child.on('close', () => liveChildren.delete(child));
  return child;
}

export interface PyRun {
  pid: number;
  /** One outcome per op, once the process has run them all. */
  outcomes: Promise<Outcome[]>;
}

/** Starts one python process for the ops (for a case that watches it while it blocks). */
export function spawnPy(ops: PyOp[], as?: RunAs): PyRun {
  const [command, args] = pythonCommand(ops, as);
  const child = track(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const outcomes = new Promise<Outcome[]>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) reject(new Error(`fsops.py ${signal ? `killed by ${signal}` : `exited ${code}`}: ${err.trim()}`));
      else resolve(JSON.parse(out) as Outcome[]);
    });
  });
  // A case that fails early never awaits some runs; their end must not count as unhandled.
  outcomes.catch(() => {});
  return { pid: child.pid!, outcomes };
}

/** Runs the ops in one python process; one outcome per op. */
export function py(ops: PyOp[], as?: RunAs): Promise<Outcome[]> {
  return spawnPy(ops, as).outcomes;
}

/** One op, its outcome. */
export async function py1(op: PyOp, as?: RunAs): Promise<Outcome> {
  const [outcome] = await py([op], as);
  return outcome!;
}

export interface Holder {
  pid: number;
  /** Outcomes of the ops before "hold". */
  outcomes: Outcome[];
  /** Closes stdin: the holder drops its locks (by exiting). */
  release(): Promise<void>;
}

/** A second process that runs ops up to {op:'hold'} and keeps its fds (and locks) until released. */
export function holdWith(ops: PyOp[], as?: RunAs): Promise<Holder> {
  const [command, args] = pythonCommand([...ops, { op: 'hold' }], as);
  const child = track(spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('\n')) return;
      const outcomes = JSON.parse(out.split('\n')[0]!) as Outcome[];
      resolve({
        pid: child.pid!,
        outcomes: outcomes.slice(0, -1),
        release: async () => {
          child.stdin.end();
          await exited;
        },
      });
    });
    child.on('close', (code) => reject(new Error(`lock holder exited ${code} before holding: ${err.trim()}`)));
  });
}

/**
 * Deterministic bytes for a size and seed, so every backend writes the same data: a 1 MiB AES-CTR
 * keystream block per seed, repeated with each MiB's index stamped into its first 8 bytes (misplaced
 * chunks still show; generating 256 MiB of keystream would cost seconds per case).
 */
export function pattern(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  const block = keystream(seed);
  for (let offset = 0, index = 0; offset < size; offset += block.length, index++) {
    block.copy(out, offset, 0, Math.min(block.length, size - offset));
    if (size - offset >= 8) out.writeBigUInt64LE(BigInt(index), offset);
  }
  return out;
}

const keystreams = new Map<number, Buffer>();
function keystream(seed: number): Buffer {
  let block = keystreams.get(seed);
  if (!block) {
    const key = createHash('sha256').update(`fb-conformance-${seed}`).digest().subarray(0, 16);
    block = createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(1024 * 1024));
    keystreams.set(seed, block);
  }
  return block;
}

export const sha256 = (data: Buffer | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** sha256 and length of a file, read in chunks (256 MiB files stay out of memory). */
export async function fileDigest(file: string): Promise<{ size: number; sha256: string }> {
  const handle = await open(file, 'r');
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  let size = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { size, sha256: hash.digest('hex') };
}

export const readText = (file: string) => readFile(file, 'utf8');

export const hex = (text: string) => Buffer.from(text).toString('hex');
