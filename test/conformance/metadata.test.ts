/**
 * Metadata conformance: each backend against bind (see harness.ts and metadata.cases.ts).
 * passthrough_ll serves xattrs only with -o xattr, so it is mounted with it: without, every xattr op
 * answers EOPNOTSUPP and the case would compare nothing.
 */
import { metadataCases } from './metadata.cases.js';
import { conformanceSuite } from './harness.js';

await conformanceSuite('metadata', metadataCases, {
  options: (backend) => (backend === 'passthrough_ll' ? { options: 'xattr' } : {}),
});
