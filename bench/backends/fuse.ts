/** Plain FUSE through our daemon: every read and write is a request served in user space. */
import { makeDaemonBackend } from './fusebench-daemon.js';

export const fuseBackend = makeDaemonBackend(
  { name: 'fuse', label: 'our daemon, plain mode: every data operation served in user space', colour: '#f58518', kernelRequirement: 'FUSE (any Linux)' },
  'plain',
);
