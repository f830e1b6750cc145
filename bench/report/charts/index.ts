/** The charts in page order. Adding one is a new file here and one line in this list. */
import type { Chart } from './common.js';
import { cpuChart } from './cpu.js';
import { headlineChart } from './headline.js';
import { latencyChart } from './latency.js';
import { metaLatencyChart } from './meta-latency.js';
import { repetitionsChart } from './repetitions.js';
import { requestLatencyChart } from './request-latency.js';
import { requestsChart } from './requests.js';
import { sweepCharts } from './sweep.js';

export type { Chart } from './common.js';

export const charts: readonly Chart[] = [headlineChart, ...sweepCharts, repetitionsChart, latencyChart, requestsChart, cpuChart, requestLatencyChart, metaLatencyChart];
