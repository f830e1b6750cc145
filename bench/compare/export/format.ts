/** Number and change formatting shared by the compare exporters, so every format says the same thing. */
import type { Comparison, MetricComparison, RunIdentity } from '../compare.js';

/** Four significant digits, no exponent for the ranges fio produces. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toString();
  if (magnitude === 0) return '0';
  return Number(value.toPrecision(4)).toString();
}

export function formatValue(value: number, unit: string): string {
  return unit ? `${formatNumber(value)} ${unit}` : formatNumber(value);
}

/** The median's CI half-width as a share of the median, benchstat's "± 2%". */
export function formatSpread(side: { median: number; ci95: [number, number] }): string {
  if (side.median === 0) return '';
  const halfWidth = ((side.ci95[1] - side.ci95[0]) / 2 / Math.abs(side.median)) * 100;
  return `±${halfWidth < 10 ? halfWidth.toFixed(1) : Math.round(halfWidth)}%`;
}

export function formatSignedPercent(value: number): string {
  const sign = value > 0 ? '+' : value < 0 ? '−' : '';
  return `${sign}${Math.abs(value).toFixed(Math.abs(value) < 10 ? 1 : 0)}%`;
}

/** "−10.2%" for a significant change, "~" otherwise, as benchstat prints. */
export function formatChange(metric: MetricComparison): string {
  if (metric.changePercent === null) return 'n/a';
  return metric.significant ? formatSignedPercent(metric.changePercent) : '~';
}

/** What the change was judged on: "÷ bind" (the ratio to the run's baseline, per round) or "absolute"; "(info)" when it gives no verdict. */
export function formatBasis(metric: MetricComparison, comparison: Comparison): string {
  const basis = metric.basis === 'relative' ? `÷ ${comparison.baseline}` : 'absolute';
  return metric.gated ? basis : `${basis} (info)`;
}

/** The change of the measured medians, always shown: on a drifting machine it is context, not a verdict. */
export function formatMeasuredChange(metric: MetricComparison): string {
  return metric.absoluteChangePercent === null ? 'n/a' : formatSignedPercent(metric.absoluteChangePercent);
}

export function formatRatioCi(metric: MetricComparison): string {
  if (!metric.ratioCi95) return '';
  const [low, high] = metric.ratioCi95.map((ratio) => formatSignedPercent((ratio - 1) * 100));
  return `[${low}, ${high}]`;
}

export function formatP(p: number): string {
  if (Number.isNaN(p)) return 'p=n/a';
  return p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`;
}

export function describeRun(run: RunIdentity): string {
  return `${run.label} (kernel ${run.kernelRelease}, ${run.accel}, commit ${run.suiteCommit}, host ${run.hostname})`;
}

/** Headline metrics and every significant change: what a reader needs first. */
export function keyMetrics(comparison: Comparison): MetricComparison[] {
  return comparison.metrics.filter((metric) => metric.headline || metric.significant);
}

export function verdictLine(comparison: Comparison): string {
  const { improved, regressed, unchanged } = comparison.counts;
  const floor = `${(comparison.threshold * 100).toFixed(1).replace(/\.0$/, '')}%`;
  const noise = comparison.noise ? `raised per metric by the ${comparison.noise.source} noise model of ${comparison.noise.runs} runs` : 'absolute figures need 25% without a noise model';
  return (
    `${regressed} regressed, ${improved} improved, ${unchanged} unchanged (verdicts on each workload's headline metric and the daemon's CPU per I/O, judged ÷ ${comparison.baseline} per round ${comparison.noise ? 'unless the noise model shows the absolute values clearly steadier' : 'where possible'}; ` +
    `significant: p < ${comparison.alpha}, 95% CI of the ratio excludes 1, |change| > the metric's threshold: at least ${floor}, ${noise})`
  );
}
