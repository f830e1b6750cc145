/**
 * FUSE passthrough through our daemon: OPEN and CREATE hand the kernel a backing file
 * (FUSE_DEV_IOC_BACKING_OPEN + FOPEN_PASSTHROUGH upstream, or Alessio Balsini's
 * FUSE_DEV_IOC_PASSTHROUGH_OPEN on Android kernels), so reads and writes never reach the daemon.
 */
import { makeDaemonBackend } from './fusebench-daemon.js';

export const fusePassthroughBackend = makeDaemonBackend(
  {
    name: 'fuse-passthrough',
    label: 'our daemon, passthrough mode: reads and writes go to the backing file in the kernel',
    colour: '#54a24b',
    kernelRequirement: 'FUSE passthrough (Linux 6.9+, CONFIG_FUSE_PASSTHROUGH; or an Android kernel with FUSE_DEV_IOC_PASSTHROUGH_OPEN)',
  },
  'passthrough',
);
