import { describe, expect, it } from 'vitest';
import { crossCheckRequests } from '../../bench/collect/crosscheck.js';

describe('cross-check of traced and daemon request counts', () => {
  it('agrees when every opcode is within 1 %', () => {
    const check = crossCheckRequests({ READ: 1000, OPEN: 1 }, { READ: 1009, OPEN: 1 });
    expect(check.agreed).toBe(true);
    expect(check.opcodes.READ).toEqual({ traced: 1000, daemon: 1009, agreed: true });
  });

  it('disagrees when one opcode is off by more than 1 %, or missing on one side', () => {
    expect(crossCheckRequests({ READ: 1000 }, { READ: 1020 }).agreed).toBe(false);
    const missing = crossCheckRequests({ READ: 10, GETATTR: 2 }, { READ: 10 });
    expect(missing.agreed).toBe(false);
    expect(missing.opcodes.GETATTR).toEqual({ traced: 2, daemon: 0, agreed: false });
  });

  it('leaves out FORGET, BATCH_FORGET and INTERRUPT, which never pass the tracepoint, and lists them apart', () => {
    const check = crossCheckRequests({ LOOKUP: 5 }, { LOOKUP: 5, FORGET: 3, BATCH_FORGET: 1 });
    expect(check.agreed).toBe(true);
    expect(check.daemonOnly).toEqual({ FORGET: 3, BATCH_FORGET: 1 });
    expect(Object.keys(check.opcodes)).toEqual(['LOOKUP']);
  });

  it('matches the daemon\'s OP_<n> with the traced name of the same opcode', () => {
    expect(crossCheckRequests({ COPY_FILE_RANGE_64: 2 }, { OP_53: 2 }).agreed).toBe(true);
  });
});
