/**
 * Every backend, listed once. The Record type makes the compiler fail when a name has no backend.
 */
import { UserError } from '../errors.js';
import { bindBackend } from './bind.js';
import { externalBackend } from './external.js';
import { fuseBackend } from './fuse.js';
import { fuseBpfBackend } from './fuse-bpf.js';
import { fusePassthroughBackend } from './fuse-passthrough.js';
import { fuseUringBackend } from './fuse-uring.js';
import { overlayBackend } from './overlay.js';
import { passthroughLlBackend } from './passthrough_ll.js';
import type { Backend } from './types.js';

export const backendNames = ['bind', 'passthrough_ll', 'fuse', 'fuse-passthrough', 'fuse-uring', 'fuse-bpf', 'overlay', 'external'] as const;
export type BackendName = (typeof backendNames)[number];

export const backends: Record<BackendName, Backend> = {
  bind: bindBackend,
  passthrough_ll: passthroughLlBackend,
  fuse: fuseBackend,
  'fuse-passthrough': fusePassthroughBackend,
  'fuse-uring': fuseUringBackend,
  'fuse-bpf': fuseBpfBackend,
  overlay: overlayBackend,
  external: externalBackend,
};

export function isBackendName(name: string): name is BackendName {
  return (backendNames as readonly string[]).includes(name);
}

export function getBackend(name: string, where = '--backends'): Backend {
  if (isBackendName(name)) return backends[name];
  throw new UserError(`${where}: unknown backend "${name}"`, `Known backends: ${backendNames.join(', ')}.`);
}
