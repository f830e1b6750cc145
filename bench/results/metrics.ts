/**
 * Every metric the suite stores, with its unit and which direction is better. Records carry metrics as
 * a flat `name → number` map; this table is what gives the numbers meaning in summaries, CSV, charts
 * and comparisons. A metric not in the table is still stored, but is shown without a unit.
 */
import { parseSize } from '../sizes.js';

export type Better = 'higher' | 'lower';

export interface MetricDefinition {
  unit: string;
  better: Better;
  label: string;
}

const latency = (label: string): MetricDefinition => ({ unit: 'µs', better: 'lower', label });
const rate = (unit: string, label: string): MetricDefinition => ({ unit, better: 'higher', label });
const cost = (unit: string, label: string): MetricDefinition => ({ unit, better: 'lower', label });

export const metricDefinitions: Record<string, MetricDefinition> = {
  readBandwidthMiBps: rate('MiB/s', 'read bandwidth'),
  writeBandwidthMiBps: rate('MiB/s', 'write bandwidth'),
  readIops: rate('IOPS', 'read IOPS'),
  writeIops: rate('IOPS', 'write IOPS'),
  readLatencyP50Us: latency('read completion latency p50'),
  readLatencyP90Us: latency('read completion latency p90'),
  readLatencyP99Us: latency('read completion latency p99'),
  readLatencyP999Us: latency('read completion latency p99.9'),
  readLatencyMeanUs: latency('read completion latency mean'),
  writeLatencyP50Us: latency('write completion latency p50'),
  writeLatencyP90Us: latency('write completion latency p90'),
  writeLatencyP99Us: latency('write completion latency p99'),
  writeLatencyP999Us: latency('write completion latency p99.9'),
  writeLatencyMeanUs: latency('write completion latency mean'),
  fioUserCpuPct: cost('%', 'fio user CPU'),
  fioSystemCpuPct: cost('%', 'fio system CPU'),
  fioContextSwitches: cost('count', 'fio context switches'),
  daemonPeakRssMiB: cost('MiB', 'daemon peak resident memory (VmHWM)'),
  ioCount: { unit: 'count', better: 'higher', label: 'I/Os completed' },
  runtimeSeconds: { unit: 's', better: 'lower', label: 'measured runtime' },
  opsPerSecond: rate('ops/s', 'metadata operations per second'),
  opLatencyMeanUs: latency('metadata operation latency mean'),
  opLatencyP50Us: latency('metadata operation latency p50'),
  opLatencyP99Us: latency('metadata operation latency p99'),
  opLatencyRmePct: cost('%', 'relative margin of error of the mean op latency (tinybench, 95%)'),
  opSampleCount: { unit: 'count', better: 'higher', label: 'timed operation samples' },
  setupOpsInWindow: cost('count', 'untimed set-up calls the collectors also counted'),
  requestsTotal: cost('count', 'FUSE requests (kernel to daemon round trips)'),
  requestsPerIo: cost('requests/IO', 'FUSE requests per I/O'),
  requestLatencyP50Us: latency('FUSE request latency p50 (send to reply)'),
  requestLatencyP99Us: latency('FUSE request latency p99 (send to reply)'),
  requestLatencyMaxUs: latency('FUSE request latency max (send to reply)'),
  daemonSyscallsPerIo: cost('syscalls/IO', 'daemon syscalls per I/O'),
  workloadSyscallsPerIo: cost('syscalls/IO', 'workload syscalls per I/O'),
  daemonContextSwitchesPerIo: cost('switches/IO', 'daemon context switches per I/O'),
  workloadContextSwitchesPerIo: cost('switches/IO', 'workload context switches per I/O'),
  daemonCpuUsPerIo: cost('µs/IO', 'daemon CPU per I/O'),
  workloadCpuUsPerIo: cost('µs/IO', 'workload CPU per I/O'),
  systemCpuUsPerIo: cost('µs/IO', 'whole-machine CPU per I/O'),
  daemonCpuSecondsPerGiB: cost('s/GiB', 'daemon CPU per GiB moved'),
  workloadCpuSecondsPerGiB: cost('s/GiB', 'workload CPU per GiB moved'),
  systemCpuSecondsPerGiB: cost('s/GiB', 'whole-machine CPU per GiB moved'),
  lostEvents: cost('count', 'trace events lost'),
};

/**
 * What a metric's name says of it when the table does not list it (collector counters, metadata ops):
 * latencies, times and costs per operation are lower-is-better by their suffix, which the suite keeps
 * honest, so that a slower stat or more requests per I/O is never shown as "better".
 */
function inferDefinition(name: string): MetricDefinition {
  const timeUnit = /Us$/.test(name) ? 'µs' : /Ns$/.test(name) ? 'ns' : /Ms$/.test(name) ? 'ms' : /Seconds$/.test(name) ? 's' : undefined;
  if (/CpuSecondsPerGiB$/.test(name)) return { unit: 's/GiB', better: 'lower', label: name };
  if (/CpuUsPerIo$/.test(name)) return { unit: 'µs/IO', better: 'lower', label: name };
  if (timeUnit || /Latency/.test(name)) return { unit: timeUnit ?? '', better: 'lower', label: name };
  if (/Per(Io|Op|GiB|MiB)$|Cpu|ContextSwitches|Syscalls|Requests|Transitions/i.test(name)) return { unit: '', better: 'lower', label: name };
  if (/MiBps$/.test(name)) return { unit: 'MiB/s', better: 'higher', label: name };
  return { unit: /Iops$|PerSecond$/.test(name) ? 'ops/s' : '', better: 'higher', label: name };
}

/**
 * The one place a metric's unit, direction and label come from. A name may carry a qualifier after a
 * colon (`requestLatencyP99Us:READ`): the definition is the base name's, the label names the qualifier.
 */
export function metricDefinition(name: string): MetricDefinition {
  const [base, qualifier] = name.split(':', 2) as [string, string | undefined];
  const definition = metricDefinitions[base];
  if (!definition) return { ...inferDefinition(base), label: name };
  return qualifier ? { ...definition, label: `${definition.label} (${qualifier})` } : definition;
}

/** The headline of every metadata workload: the median op, robust to the GC pauses a JS loop meets. */
export const META_HEADLINE = 'opLatencyP50Us';

/** What the headline rule needs to know of a workload; every field is optional for old result dirs. */
export interface HeadlineSpec {
  engine?: string;
  headline?: string;
  rw?: string;
  /** A list for a bs sweep: the largest size decides, so every point of the sweep shares one headline. */
  bs?: string | readonly string[];
}

/**
 * The metric a reviewer looks at first, the one rule for it: the workload's own `headline`; for the
 * metadata engines the median op latency; for fio, bandwidth when blocks are 64 KiB or more (moving
 * data is the point), IOPS below (the per-request cost is); and failing all those, the first
 * throughput metric the runs produced.
 */
export function workloadHeadline(spec: HeadlineSpec, metrics: Record<string, number> = {}): string | undefined {
  if (spec.headline) return spec.headline;
  if (spec.engine === 'meta' || spec.engine === 'fio-meta') return META_HEADLINE;
  const sizes = typeof spec.bs === 'string' ? [spec.bs] : (spec.bs ?? []);
  if (spec.rw && sizes.length > 0 && sizes.every((size) => /^\d+(\.\d+)?[kKmMgG]?$/.test(size))) {
    const side = /write/.test(spec.rw) && !/rw$/.test(spec.rw) ? 'write' : 'read';
    return Math.max(...sizes.map(parseSize)) >= 64 * 1024 ? `${side}BandwidthMiBps` : `${side}Iops`;
  }
  return headlineFromMetrics(metrics);
}

/** The first throughput metric present, for runs whose workload definition is unknown. */
export function headlineFromMetrics(metrics: Record<string, number>): string | undefined {
  const order = ['readBandwidthMiBps', 'writeBandwidthMiBps', 'readIops', 'writeIops', 'opsPerSecond'];
  return order.find((name) => (metrics[name] ?? 0) > 0) ?? order.find((name) => name in metrics);
}

const FIO_SIDE_METRICS = ['BandwidthMiBps', 'Iops', 'LatencyMeanUs', 'LatencyP50Us', 'LatencyP90Us', 'LatencyP99Us', 'LatencyP999Us'];
const FIO_JOB_METRICS = ['fioUserCpuPct', 'fioSystemCpuPct', 'fioContextSwitches', 'ioCount', 'runtimeSeconds'];
const OP_METRICS = ['opsPerSecond', 'opLatencyMeanUs', 'opLatencyP50Us', 'opLatencyP99Us', 'ioCount', 'runtimeSeconds', 'setupOpsInWindow'];

/**
 * The metrics a workload's own measurement gives (fio's JSON, tinybench), by engine and direction; a
 * headline must be one of these or a collector's. Kept honest by a test over recorded fio output.
 */
export function workloadMetricNames(spec: { engine: string; rw?: string }): string[] {
  if (spec.engine === 'meta') return [...OP_METRICS, 'opLatencyRmePct', 'opSampleCount', 'workloadCpuUsPerIo'];
  if (spec.engine === 'fio-meta') return [...OP_METRICS, 'fioUserCpuPct', 'fioSystemCpuPct', 'fioContextSwitches'];
  const rw = spec.rw ?? '';
  const sides = /^(rand)?rw$/.test(rw) ? ['read', 'write'] : /write/.test(rw) ? ['write'] : ['read'];
  return [...sides.flatMap((side) => FIO_SIDE_METRICS.map((suffix) => `${side}${suffix}`)), ...FIO_JOB_METRICS];
}

/** Metrics the collectors add to any run (which ones a run gets depends on the backend and flags). */
const COLLECTOR_METRIC = /^(requestsTotal|requestsPerIo|(daemon|workload)(Syscalls|ContextSwitches)PerIo|(daemon|workload|system)Cpu(UsPerIo|SecondsPerGiB)|lostEvents|daemonPeakRssMiB)$/;
const PER_OPCODE_METRIC = /^(requestsPerIo|requestLatency(P50|P99|Max)Us):[A-Z][A-Z0-9_]*$/;

/** Can a run of this workload produce the named metric? */
export function workloadCanProduce(spec: { engine: string; rw?: string }, metric: string): boolean {
  return workloadMetricNames(spec).includes(metric) || COLLECTOR_METRIC.test(metric) || PER_OPCODE_METRIC.test(metric);
}
