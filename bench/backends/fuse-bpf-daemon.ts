/**
 * FUSE-BPF with a daemon: our daemon's --mode bpf answers LOOKUP with a backing block (Android's
 * fuse_entry_bpf_out, or the RFC forms), so the kernel serves everything below from the lower tree and
 * the daemon sees little more than LOOKUPs. On a kernel without FUSE-BPF the daemon exits after its
 * first LOOKUP reply is refused, so the probe asks the kernel the same way the no-daemon backend does.
 */
import { FUSE_BPF_REQUIREMENT, probeFuseBpf, refuseLowerOnFuse } from './fuse-bpf.js';
import { FuseBpfDaemonKnobsSchema, makeDaemonBackend } from './fusebench-daemon.js';
import type { Backend } from './types.js';

const daemonBackend = makeDaemonBackend(
  {
    name: 'fuse-bpf-daemon',
    label: 'FUSE-BPF with our daemon in bpf mode: LOOKUP replies attach the lower file or directory',
    colour: '#e45756',
    kernelRequirement: FUSE_BPF_REQUIREMENT,
  },
  'bpf',
  { optionsSchema: FuseBpfDaemonKnobsSchema },
);

export const fuseBpfDaemonBackend: Backend = {
  ...daemonBackend,
  probe: probeFuseBpf,
  async mount(request) {
    refuseLowerOnFuse('fuse-bpf-daemon', request.lower);
    return daemonBackend.mount(request);
  },
};
