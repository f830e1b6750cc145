/** Metadata conformance: each backend against bind (see harness.ts and metadata.cases.ts). */
import { metadataCases } from './metadata.cases.js';
import { conformanceSuite } from './harness.js';

await conformanceSuite('metadata', metadataCases);
