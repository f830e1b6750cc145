/** Data conformance: each backend against bind (see harness.ts and data.cases.ts). */
import { dataCases } from './data.cases.js';
import { conformanceSuite } from './harness.js';

await conformanceSuite('data', dataCases);
