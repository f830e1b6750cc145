/** The baseline: the lower directory bind-mounted, no FUSE at all. */
import { z } from 'zod';
import { mountBind, unmount } from '../system.js';
import type { Backend } from './types.js';

export const bindBackend: Backend = {
  name: 'bind',
  label: 'bind mount of the lower directory: the baseline, no FUSE',
  colour: '#4c78a8',
  kernelRequirement: 'none',
  optionsSchema: z.strictObject({}),
  async probe() {
    if (process.getuid?.() !== 0) return { supported: false, reason: 'bind mounts need root', facts: {} };
    return { supported: true, facts: {} };
  },
  async mount({ lower, mountpoint }) {
    await mountBind(lower, mountpoint);
    return { backend: 'bind', mountpoint, lower, info: { mountOptions: 'bind' } };
  },
  async unmount(mount) {
    await unmount(mount.mountpoint);
    return {};
  },
};
