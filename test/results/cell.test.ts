import { describe, expect, it } from 'vitest';
import { cellKey, compareWorkloadNames, pointName, splitCellKey, sweepFields } from '../../bench/results/cell.js';

describe('cell keys', () => {
  it('two points of one swept workload are two cells, each key carrying its parameters', () => {
    const one = cellKey({ backend: 'fuse', workload: pointName('randread-4k', { numjobs: 1 }) });
    const four = cellKey({ backend: 'fuse', workload: pointName('randread-4k', { numjobs: 4 }) });
    expect(one).not.toBe(four);
    expect(four).toContain('numjobs=4');
    expect(cellKey({ backend: 'fuse', workload: pointName('r', { numjobs: 4, bs: '4k' }) })).toContain('numjobs=4 bs=4k');
    expect(splitCellKey(four)).toEqual({ backend: 'fuse', workload: 'randread-4k numjobs=4' });
  });
  it('a workload that sweeps nothing keeps the key it always had', () => {
    expect(pointName('randread-4k', {})).toBe('randread-4k');
    expect(cellKey({ backend: 'bind', workload: 'randread-4k' })).toBe('bind\u0000randread-4k');
  });
  it('a point never takes another workload\'s name: profile names have no spaces', () => {
    expect(pointName('randread-4k', { numjobs: 4 })).toMatch(/ /);
  });
  it('carries the sweep fields only when both are there', () => {
    expect(sweepFields({ sweep: 'r', params: { numjobs: 2 } })).toEqual({ sweep: 'r', params: { numjobs: 2 } });
    expect(sweepFields({})).toEqual({});
  });
});

describe('workload order', () => {
  it('points follow their values: numbers by value, sizes by bytes', () => {
    const names = ['r numjobs=16', 'r numjobs=2', 'r numjobs=1', 's bs=1m', 's bs=64k', 's bs=4k', 'r numjobs=4'];
    expect([...names].sort(compareWorkloadNames)).toEqual(['r numjobs=1', 'r numjobs=2', 'r numjobs=4', 'r numjobs=16', 's bs=4k', 's bs=64k', 's bs=1m']);
  });
  it('is plain localeCompare for names without parameters', () => {
    const names = ['seqread-128k', 'randread-4k', 'randread-16k', 'meta-stat'];
    expect([...names].sort(compareWorkloadNames)).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });
});
