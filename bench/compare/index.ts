/** compare(base, head): statistics, loading, exporters and the CLI entry, from one import. */
export { assertComparable, compareResults, DEFAULT_THRESHOLD, hasRegression, SIGNIFICANCE_ALPHA } from './compare.js';
export type { CompareOptions, Comparison, MetricComparison, RunIdentity, SideStats, Verdict } from './compare.js';
export * from './export/index.js';
export { cellsFromRecords, loadResults, resultsFromSet } from './load.js';
export { parseRunsJsonl } from '../results/store.js';
export type { LoadedResults, ResultCell } from './load.js';
export { DEFAULT_COMPARE_SEED, runCompare } from './run.js';
export type { RunCompareOptions } from './run.js';
export { acceptedRun, collectTrend, renderTrend, trend, trendHtml, trendSpec } from './trend.js';
export type { TrendData, TrendPoint, TrendRun } from './trend.js';
