/**
 * Two independent counts of the same FUSE requests: the kernel's (fuse_request_send, traced) and the
 * daemon's own per-opcode counters. They must agree for every opcode that passes the tracepoint;
 * FORGET, BATCH_FORGET and INTERRUPT never do, so they are listed apart and not compared.
 */
import { normalizeOpcodeName, OPCODES_WITHOUT_SEND_EVENT } from './opcodes.js';

export const CROSS_CHECK_TOLERANCE = 0.01;

export interface OpcodeAgreement {
  traced: number;
  daemon: number;
  agreed: boolean;
}

export interface CrossCheck {
  agreed: boolean;
  /** Largest allowed difference, as a fraction of the larger count. */
  tolerance: number;
  opcodes: Record<string, OpcodeAgreement>;
  /** Counted by the daemon only, because the kernel sends them without the tracepoint. */
  daemonOnly: Record<string, number>;
}

export function crossCheckRequests(traced: Record<string, number>, daemon: Record<string, number>, tolerance = CROSS_CHECK_TOLERANCE): CrossCheck {
  const normalize = (counts: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const [name, count] of Object.entries(counts)) out[normalizeOpcodeName(name)] = (out[normalizeOpcodeName(name)] ?? 0) + count;
    return out;
  };
  const t = normalize(traced);
  const d = normalize(daemon);
  const opcodes: Record<string, OpcodeAgreement> = {};
  const daemonOnly: Record<string, number> = {};
  for (const name of [...new Set([...Object.keys(t), ...Object.keys(d)])].sort()) {
    if (OPCODES_WITHOUT_SEND_EVENT.has(name)) {
      if (d[name]) daemonOnly[name] = d[name];
      continue;
    }
    const tracedCount = t[name] ?? 0;
    const daemonCount = d[name] ?? 0;
    if (tracedCount === 0 && daemonCount === 0) continue;
    opcodes[name] = { traced: tracedCount, daemon: daemonCount, agreed: Math.abs(tracedCount - daemonCount) <= tolerance * Math.max(tracedCount, daemonCount) };
  }
  return { agreed: Object.values(opcodes).every((entry) => entry.agreed), tolerance, opcodes, daemonOnly };
}
