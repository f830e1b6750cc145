/** Names conformance: each backend against bind (see harness.ts and names.cases.ts). */
import { namesCases } from './names.cases.js';
import { conformanceSuite } from './harness.js';

await conformanceSuite('names', namesCases);
