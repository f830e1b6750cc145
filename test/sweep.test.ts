import { describe, expect, it } from 'vitest';
import { cellsOf, planRound } from '../bench/plan.js';
import { loadProfile, parseProfile, type FioWorkload } from '../bench/profiles.js';
import { expandWorkloads, MAX_POINTS_PER_PROFILE, MAX_POINTS_PER_WORKLOAD } from '../bench/sweep.js';
import { fioJobFile } from '../bench/workloads/fio.js';

const profileWith = (workloads: string) => parseProfile(`name: x\nbackends: [bind, fuse]\nworkloads: ${workloads}\n`, 'profiles/x.yaml').profile;
const pointsOf = (workloads: string) => expandWorkloads(profileWith(workloads).workloads) as FioWorkload[];

function errorOf(workloads: string): string {
  try {
    profileWith(workloads);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}

describe('a swept workload expands to the cross product of its lists', () => {
  it('one point per value, named after its parameters, each with them recorded', () => {
    const points = pointsOf('[{name: randread-4k, rw: randread, bs: 4k, numjobs: [1, 2, 4]}]');
    expect(points.map((point) => point.name)).toEqual(['randread-4k numjobs=1', 'randread-4k numjobs=2', 'randread-4k numjobs=4']);
    expect(points.map((point) => point.numjobs)).toEqual([1, 2, 4]);
    expect(points.map((point) => point.point)).toEqual([1, 2, 4].map((numjobs) => ({ sweep: 'randread-4k', params: { numjobs } })));
    expect(points.every((point) => point.bs === '4k' && point.rw === 'randread')).toBe(true);
  });

  it('several lists multiply, the first swept field (in numjobs, bs, iodepth, direct, ioengine order) outermost', () => {
    const points = pointsOf('[{name: r, rw: randread, ioengine: [psync, io_uring], bs: [4k, 1m], numjobs: [1, 2]}]');
    expect(points).toHaveLength(8);
    expect(points.map((point) => point.name)).toEqual([
      'r numjobs=1 bs=4k ioengine=psync',
      'r numjobs=1 bs=4k ioengine=io_uring',
      'r numjobs=1 bs=1m ioengine=psync',
      'r numjobs=1 bs=1m ioengine=io_uring',
      'r numjobs=2 bs=4k ioengine=psync',
      'r numjobs=2 bs=4k ioengine=io_uring',
      'r numjobs=2 bs=1m ioengine=psync',
      'r numjobs=2 bs=1m ioengine=io_uring',
    ]);
    expect(points[5]!.point!.params).toEqual({ numjobs: 2, bs: '4k', ioengine: 'io_uring' });
  });

  it('records direct as 0 or 1 however the profile wrote it', () => {
    const points = pointsOf('[{name: d, rw: read, bs: 4k, direct: [false, true]}]');
    expect(points.map((point) => point.name)).toEqual(['d direct=0', 'd direct=1']);
    expect(points.map((point) => point.direct)).toEqual([false, true]);
  });

  it('every point of a bs sweep shares the headline of its largest size', () => {
    expect(new Set(pointsOf('[{name: s, rw: read, bs: [4k, 16k, 1m]}]').map((point) => point.headline))).toEqual(new Set(['readBandwidthMiBps']));
    expect(new Set(pointsOf('[{name: s, rw: randread, bs: [4k, 16k]}]').map((point) => point.headline))).toEqual(new Set(['readIops']));
    expect(new Set(pointsOf('[{name: s, rw: read, bs: [4k, 1m], headline: readIops}]').map((point) => point.headline))).toEqual(new Set(['readIops']));
  });

  it('leaves a workload that sweeps nothing (and every non-fio workload) as it is', () => {
    const profile = profileWith('[{name: a, rw: read, bs: 128k}, {name: m, engine: meta, op: stat}]');
    expect(expandWorkloads(profile.workloads)).toEqual(profile.workloads);
    expect((expandWorkloads(profile.workloads)[0] as FioWorkload).point).toBeUndefined();
  });

  it('a point\'s fio job has its own values and the workload\'s name', () => {
    const points = pointsOf('[{name: seqread, rw: read, bs: [4k, 1m], numjobs: [1, 2]}]');
    const job = fioJobFile({ workload: points[3]!, files: ['/m/f0'], fileSizeBytes: 1 << 20, runtimeSeconds: 1 });
    expect(job).toContain('\nbs=1m\n');
    expect(job).toContain('\nnumjobs=2\n');
    expect(job).toMatch(/\n\[seqread\]\n$/);
  });

  it('the shipped sweep profiles expand as their comments say', () => {
    const scaling = expandWorkloads(loadProfile('scaling').profile.workloads);
    expect(scaling.map((point) => point.name)).toEqual([1, 2, 4].map((n) => `seqread-128k numjobs=${n}`).concat([1, 2, 4].map((n) => `randread-4k numjobs=${n}`)));
    expect(loadProfile('scaling').profile.backends).toEqual(['bind', 'fuse', 'fuse-passthrough', 'fuse-uring']);
    const sizes = expandWorkloads(loadProfile('bs-sweep').profile.workloads) as FioWorkload[];
    expect(sizes.map((point) => point.bs)).toEqual(['4k', '16k', '64k', '128k', '256k', '512k', '1m']);
    expect(new Set(sizes.map((point) => point.headline))).toEqual(new Set(['readBandwidthMiBps']));
  });
});

describe('the points run in the interleaved rounds', () => {
  it('every backend × point once per round, in a seeded shuffle', () => {
    const points = pointsOf('[{name: r, rw: randread, bs: 4k, numjobs: [1, 2, 4]}]');
    const cells = cellsOf(['bind', 'fuse'], points.map((point) => point.name));
    const round = planRound(cells, 0, 1);
    expect(round.map((run) => `${run.backend}/${run.workload}`).sort()).toEqual(cells.map((cell) => `${cell.backend}/${cell.workload}`).sort());
    expect(planRound(cells, 0, 1)).toEqual(round);
    expect(planRound(cells, 1, 1)).not.toEqual(round);
  });
});

describe('a list is checked value by value, with the schema the single value has', () => {
  it('names the bad value by its index', () => {
    expect(errorOf('[{name: a, rw: read, bs: [4k, lots]}]')).toBe('profiles/x.yaml: workloads[0].bs[1]: a size like 4k, 128k, 1m or 1g');
    expect(errorOf('[{name: a, rw: read, bs: 4k, numjobs: [1, 65]}]')).toBe('profiles/x.yaml: workloads[0].numjobs[1]: Too big: expected number to be <=64');
    expect(errorOf('[{name: a, rw: read, bs: 4k, ioengine: [psync, external]}]')).toMatch(/^profiles\/x\.yaml: workloads\[0\]\.ioengine\[1\]: Invalid option/);
  });
  it('refuses a value listed twice, however it is written', () => {
    expect(errorOf('[{name: a, rw: read, bs: [4k, 4096]}]')).toBe('profiles/x.yaml: workloads[0].bs[1]: 4096 is listed twice (also at [0])');
    expect(errorOf('[{name: a, rw: read, bs: 4k, direct: [1, true]}]')).toBe('profiles/x.yaml: workloads[0].direct[1]: true is listed twice (also at [0])');
  });
  it('refuses an empty list, and a single value keeps its old message', () => {
    expect(errorOf('[{name: a, rw: read, bs: []}]')).toBe('profiles/x.yaml: workloads[0].bs: an empty list: give one value, or a list of values to sweep');
    expect(errorOf('[{name: a, rw: read, bs: 99999g}]')).toBe('profiles/x.yaml: workloads[0].bs: a size from 1 bytes to 256m');
    expect(errorOf('[{name: a, rw: read}]')).toBe('profiles/x.yaml: workloads[0].bs: required: a value, or a list of values to sweep');
  });
  it('caps the cross product of a workload, and the points of a profile, saying how large it is', () => {
    expect(errorOf('[{name: a, rw: read, bs: [1k, 2k, 4k, 8k, 16k, 32k, 64k, 128k, 256k], numjobs: [1, 2, 3, 4, 5, 6, 7, 8]}]')).toBe(
      `profiles/x.yaml: workloads[0]: sweeps 8 numjobs × 9 bs = 72 points; at most ${MAX_POINTS_PER_WORKLOAD} per workload (each point runs on every backend in every repetition)`,
    );
    const big = '{rw: read, bs: [1k, 2k, 4k, 8k, 16k, 32k, 64k, 128k], numjobs: [1, 2, 3, 4, 5, 6, 7, 8]}';
    expect(errorOf(`[{name: a, ${big.slice(1)}, {name: b, ${big.slice(1)}, {name: c, rw: read, bs: 4k}]`)).toBe(
      `profiles/x.yaml: workloads: the sweeps add up to 129 workloads; at most ${MAX_POINTS_PER_PROFILE} in one profile (each runs on every backend in every repetition)`,
    );
  });
});
