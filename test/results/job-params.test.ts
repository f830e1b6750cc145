/** Job parameters read back from the job files records keep, and matched against a reference row's options. */
import { describe, expect, it } from 'vitest';
import { jobParams, normalizeParam, paramsMatch } from '../../bench/results/job-params.js';

/** As the suite writes it (a sweep point of the papers profile), cut to the lines that matter here. */
const RANDRW = `[global]
ioengine=io_uring
rw=randrw
bs=4k
numjobs=4
iodepth=64
direct=0
filename=/tmp/fusebench/run-1/mnt/fuse/data/file0
rwmixread=70

[randrw-70-30]
`;
const FILECREATE = `# fusebench measure: fio-filecreate (4000 files, one op each)
[global]
ioengine=filecreate
nrfiles=4000
filesize=4096
thread

[files-create]
`;

describe('jobParams', () => {
  it('reads every option=value line, sizes in bytes', () => {
    expect(jobParams(RANDRW)).toMatchObject({ ioengine: 'io_uring', rw: 'randrw', bs: '4096', numjobs: '4', iodepth: '64', direct: '0', rwmixread: '70' });
  });
  it('fills in fio\'s defaults for what a job file leaves out, and takes a bare option as set', () => {
    expect(jobParams(FILECREATE)).toMatchObject({ ioengine: 'filecreate', numjobs: '1', iodepth: '1', direct: '0', thread: '1' });
  });
});

describe('paramsMatch', () => {
  const params = jobParams(RANDRW);
  it('matches values however they are spelt', () => {
    expect(normalizeParam('4k')).toBe(normalizeParam(4096));
    expect(normalizeParam(true)).toBe('1');
    expect(paramsMatch(params, { bs: 4096, direct: false, rw: 'RandRW', rwmixread: 70 })).toBe(true);
  });
  it('accepts any value of a list, and needs every option named', () => {
    expect(paramsMatch(params, { numjobs: [1, 4] })).toBe(true);
    expect(paramsMatch(params, { numjobs: [1, 2] })).toBe(false);
    expect(paramsMatch(params, { rw: 'randrw', fsync_on_close: 1 })).toBe(false);
  });
});
