/**
 * A documented template for the next path (fio's engines/skeleton_external.c does the same job).
 * Copy this file to bench/backends/<name>.ts, fill each hook, and add the object to registry.ts: the
 * contract test (test/backends/contract.test.ts) then checks it. It is not registered itself.
 */
import { z } from 'zod';
import type { Backend } from './types.js';

export const templateBackend: Backend = {
  /** The name users pass to --backends and profiles list. */
  name: 'template',
  /** One line for --help, doctor and the report: which path the kernel takes. */
  label: 'a template for new backends (not registered)',
  /** Its colour in every chart; pick one no other backend uses (the contract test checks). */
  colour: '#000000',
  /** What the kernel must offer, in words: config options, versions, patches. */
  kernelRequirement: 'nothing: it mounts nothing',
  /**
   * The options a profile may set, strict (z.strictObject) so a misspelt key is an error. Leave out
   * anything that could choose what gets exported, run a command or write outside the scratch root.
   */
  optionsSchema: z.strictObject({}),
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
