/**
 * Turns the bpftrace program's JSON output (bpftrace -f json: one object per line, maps printed at
 * exit) into counts. Pure: tested on output recorded from real runs (test/fixtures/trace/).
 */
import type { SwitchCounts } from './types.js';
import { opcodeName } from './opcodes.js';
import { READY_LINE } from './trace-script.js';

export interface LatencySummary {
  count: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

export interface TraceCounts {
  /** fuse_request_send of the mount's connection, by opcode name. */
  requestsByOpcode: Record<string, number>;
  /** send → end of the same (connection, unique), by opcode name. */
  latencyByOpcode: Record<string, LatencySummary>;
  /** Replies with a non-zero error, by opcode name. */
  errorsByOpcode: Record<string, number>;
  /** `end` with no `send` seen: requests sent before tracing started. */
  unpairedEnds: number;
  /** `send` with no `end` yet when tracing stopped. */
  inFlightAtStop: number;
  /** Requests of other FUSE connections, by connection id (noise from other mounts). */
  otherConnections: Record<string, number>;
  daemonSyscalls: number;
  daemonSyscallsById: Record<string, number>;
  workloadSyscalls: number;
  workloadSyscallsById: Record<string, number>;
  daemonSwitches: SwitchCounts;
  workloadSwitches: SwitchCounts;
  /** Every task id that joined the workload tree (processes and threads). */
  workloadTasks: number[];
  /** Events bpftrace reported lost (perf buffer only; the maps themselves lose nothing). */
  lostEvents: number;
  ready: boolean;
}

type MapValue = number | Record<string, number>;

interface BpftraceLine {
  type: string;
  data?: unknown;
}

/** Parses every JSON line; text that is not JSON (blank lines, warnings) is skipped. */
export function parseBpftraceLines(text: string): BpftraceLine[] {
  const lines: BpftraceLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (parsed && typeof parsed === 'object' && typeof (parsed as BpftraceLine).type === 'string') lines.push(parsed as BpftraceLine);
    } catch {
      /* a partial line from a killed bpftrace: ignore */
    }
  }
  return lines;
}

/** Lines like "Lost 12 events" that bpftrace writes in text mode, on stderr. */
export function lostEventsInText(text: string): number {
  let lost = 0;
  for (const match of text.matchAll(/Lost (\d+) events/g)) lost += Number(match[1]);
  return lost;
}

/** Lower and upper bound in ns of one latency bucket key (see trace-script.ts). */
export function latencyBucketBoundsNs(key: number): [number, number] {
  const exponent = Math.floor(key / 8);
  const sub = key % 8;
  if (exponent < 3) return [sub, sub + 1];
  const width = 2 ** (exponent - 3);
  return [(8 + sub) * width, (9 + sub) * width];
}

/** The bucket key the bpftrace program computes for a latency, for tests of the round trip. */
export function latencyBucketKey(ns: number): number {
  const exponent = ns < 1 ? 0 : Math.floor(Math.log2(ns));
  const sub = exponent >= 3 ? Math.floor(ns / 2 ** (exponent - 3)) & 7 : ns & 7;
  return exponent * 8 + sub;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** p-quantile (nearest rank) from bucket counts, as the bucket's midpoint, never above the maximum. */
export function quantileFromBuckets(buckets: ReadonlyMap<number, number>, p: number, maxNs: number): number {
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  const total = keys.reduce((sum, key) => sum + (buckets.get(key) ?? 0), 0);
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const key of keys) {
    seen += buckets.get(key) ?? 0;
    if (seen >= rank) {
      const [low, high] = latencyBucketBoundsNs(key);
      return Math.min((low + high) / 2, maxNs);
    }
  }
  return maxNs;
}

function byOpcode(map: MapValue | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!map || typeof map === 'number') return out;
  for (const [key, value] of Object.entries(map)) {
    const name = opcodeName(Number(key));
    out[name] = (out[name] ?? 0) + value;
  }
  return out;
}

const sumOf = (map: MapValue | undefined) => (map === undefined ? 0 : typeof map === 'number' ? map : Object.values(map).reduce((a, b) => a + b, 0));
const countsOf = (map: MapValue | undefined): Record<string, number> => (map && typeof map === 'object' ? { ...map } : {});
const switches = (map: MapValue | undefined): SwitchCounts => {
  const counts = countsOf(map);
  return { voluntary: counts['1'] ?? 0, involuntary: counts['0'] ?? 0 };
};

export function parseTraceOutput(stdout: string, stderr = ''): TraceCounts {
  const maps: Record<string, MapValue> = {};
  let lostEvents = lostEventsInText(stderr);
  let ready = false;
  for (const line of parseBpftraceLines(stdout)) {
    if (line.type === 'map' && line.data && typeof line.data === 'object') {
      Object.assign(maps, line.data as Record<string, MapValue>);
    } else if (line.type === 'lost_events') {
      lostEvents += Number((line.data as { events?: number } | undefined)?.events ?? 0);
    } else if (line.type === 'printf' && String(line.data).includes(READY_LINE)) {
      ready = true;
    }
  }

  const buckets = new Map<string, Map<number, number>>();
  for (const [key, count] of Object.entries(countsOf(maps['@latency']))) {
    const [opcode, bucket] = key.split(',').map(Number) as [number, number];
    const name = opcodeName(opcode);
    const perOpcode = buckets.get(name) ?? new Map<number, number>();
    perOpcode.set(bucket, (perOpcode.get(bucket) ?? 0) + count);
    buckets.set(name, perOpcode);
  }
  const maxNs = byOpcode(maps['@latencyMaxNs']);
  const latencyByOpcode: Record<string, LatencySummary> = {};
  for (const [name, perOpcode] of [...buckets].sort(([a], [b]) => a.localeCompare(b))) {
    const max = maxNs[name] ?? 0;
    latencyByOpcode[name] = {
      count: [...perOpcode.values()].reduce((a, b) => a + b, 0),
      p50Us: round2(quantileFromBuckets(perOpcode, 0.5, max) / 1000),
      p99Us: round2(quantileFromBuckets(perOpcode, 0.99, max) / 1000),
      maxUs: round2(max / 1000),
    };
  }

  return {
    requestsByOpcode: byOpcode(maps['@requests']),
    latencyByOpcode,
    errorsByOpcode: byOpcode(maps['@errors']),
    unpairedEnds: sumOf(maps['@unpairedEnds']),
    inFlightAtStop: Object.keys(countsOf(maps['@start'])).length,
    otherConnections: countsOf(maps['@otherConnections']),
    daemonSyscalls: sumOf(maps['@daemonSyscalls']),
    daemonSyscallsById: countsOf(maps['@daemonSyscalls']),
    workloadSyscalls: sumOf(maps['@workloadSyscalls']),
    workloadSyscallsById: countsOf(maps['@workloadSyscalls']),
    daemonSwitches: switches(maps['@daemonSwitches']),
    workloadSwitches: switches(maps['@workloadSwitches']),
    workloadTasks: Object.keys(countsOf(maps['@workloadTasks'])).map(Number).sort((a, b) => a - b),
    lostEvents,
    ready,
  };
}
