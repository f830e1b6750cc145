/**
 * Every backend, listed once, in the order a reader expects them (baseline first). --help, doctor, the
 * report's order, legend and colours all derive from this list, so adding a backend is its own file plus
 * one line here.
 */
import { UserError } from '../errors.js';
import { bindBackend } from './bind.js';
import { externalBackend } from './external.js';
import { fuseBackend } from './fuse.js';
import { fuseBpfBackend } from './fuse-bpf.js';
import { fuseBpfDaemonBackend } from './fuse-bpf-daemon.js';
import { fusePassthroughBackend } from './fuse-passthrough.js';
import { fuseUringBackend } from './fuse-uring.js';
import { overlayBackend } from './overlay.js';
import { passthroughLlBackend } from './passthrough_ll.js';
import type { Backend } from './types.js';

export const registeredBackends: readonly Backend[] = [
  bindBackend,
  passthroughLlBackend,
  fuseBackend,
  fusePassthroughBackend,
  fuseBpfBackend,
  fuseBpfDaemonBackend,
  fuseUringBackend,
  overlayBackend,
  externalBackend,
];

export const backendNames: readonly string[] = registeredBackends.map((backend) => backend.name);

const byName = new Map(registeredBackends.map((backend) => [backend.name, backend]));

export function findBackend(name: string): Backend | undefined {
  return byName.get(name);
}

export function getBackend(name: string, where = '--backends'): Backend {
  const backend = byName.get(name);
  if (backend) return backend;
  throw new UserError(`${where}: unknown backend "${name}"`, `Known backends: ${backendNames.join(', ')}.`);
}
