import { describe, expect, it } from 'vitest';
import { bpftraceScript, kernelDev, READY_LINE } from '../../bench/collect/trace-script.js';
import { normalizeOpcodeName, opcodeName } from '../../bench/collect/opcodes.js';

describe('the bpftrace program', () => {
  it('filters FUSE requests on the connection and the daemon on its thread group', () => {
    const script = bpftraceScript({ connection: 40, daemonPid: 1234, harnessPid: 99, workloadComm: 'fio' });
    expect(script).toContain('args->connection == 40');
    expect(script).toContain('pid == 1234');
    expect(script).toContain('comm == "fio"');
    expect(script).toContain(READY_LINE);
    // The readiness probe must come after every counting probe.
    expect(script.indexOf('signal_generate')).toBeGreaterThan(script.lastIndexOf('sched_switch'));
  });

  it('without a daemon, counts no daemon at all (not pid 0)', () => {
    const script = bpftraceScript({ connection: kernelDev(0, 41), harnessPid: 99, workloadComm: null });
    expect(script).not.toContain('@daemonSyscalls');
    expect(script).not.toContain('comm ==');
  });

  it('refuses values that would change the program', () => {
    expect(() => bpftraceScript({ connection: 1, harnessPid: 1, workloadComm: 'fio"; exit(); //' })).toThrow(/bad comm/);
    expect(() => bpftraceScript({ connection: -1, harnessPid: 1, workloadComm: 'fio' })).toThrow(/bad number/);
  });

  it('encodes devices as the kernel does (major << 20 | minor)', () => {
    expect(kernelDev(0, 40)).toBe(40);
    expect(kernelDev(8, 1)).toBe(8 * 1048576 + 1);
  });
});

describe('opcode names', () => {
  it('are the daemon\'s names, OP_<n> when unknown', () => {
    expect(opcodeName(1)).toBe('LOOKUP');
    expect(opcodeName(15)).toBe('READ');
    expect(opcodeName(52)).toBe('STATX');
    expect(opcodeName(7)).toBe('OP_7');
    expect(normalizeOpcodeName('OP_53')).toBe('COPY_FILE_RANGE_64');
    expect(normalizeOpcodeName('READ')).toBe('READ');
  });
});

describe('the default, low-cost program', () => {
  it('counts FUSE requests only: no syscall, scheduler or request-pairing probes, and no syscall tracepoint for readiness', () => {
    const script = bpftraceScript({ connection: 40, daemonPid: 1234, harnessPid: 99, workloadComm: 'fio', syscalls: false, latency: false });
    expect(script).toContain('tracepoint:fuse:fuse_request_send');
    expect(script).not.toContain('tracepoint:fuse:fuse_request_end');
    expect(script).not.toContain('raw_syscalls');
    expect(script).not.toContain('sched_switch');
    expect(script).not.toContain('tracepoint:syscalls:');
    expect(script).not.toMatch(/clear\(@(spawned|workload|opcode)\)/);
  });
});
