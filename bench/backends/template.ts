/**
 * A documented template for the next path (fio's engines/skeleton_external.c does the same job).
 * Copy this file to bench/backends/<name>.ts, fill each hook, and add the object to registry.ts.
 * It is not registered itself.
 */
import type { Backend } from './types.js';

export const templateBackend: Backend = {
  /** The name users pass to --backends and profiles list. */
  name: 'template',
  /** One line for --help and doctor: what path the kernel takes. */
  summary: 'a template for new backends (not registered)',
  /** The runner asks these, never the name: does a daemon run, do requests cross /dev/fuse, are writes allowed. */
  capabilities: { needsDaemon: false, fuse: false, writable: false },
  /**
   * Say whether this kernel can offer the path, and why not. Read features files, module parameters and
   * config; try a real mount if that is the only way to know. Never throw: return the reason.
   */
  async probe() {
    return { supported: false, reason: 'template backend does nothing', facts: {} };
  },
  /**
   * Expose `lower` at `mountpoint`. Call onProcess(pid) the moment a daemon exists, so cleanup can
   * reach it even if the mount fails later. Resolve only once the mount is ready for I/O.
   */
  async mount() {
    throw new Error('template backend cannot mount');
  },
  /**
   * Remove the mount and every process, whatever state they are in; report a daemon that had died as
   * daemonFailure with its last stderr lines. Never leave anything mounted.
   */
  async unmount() {
    return {};
  },
};
