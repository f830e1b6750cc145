/** The conformance topics by name, for runners that pick topics from the command line. */
import type { ConformanceCase } from './harness.js';
import { aclCases } from './acl.cases.js';
import { dataCases } from './data.cases.js';
import { locksCases } from './locks.cases.js';
import { metadataCases } from './metadata.cases.js';
import { namesCases } from './names.cases.js';
import { permissionsCases } from './permissions.cases.js';
import { syncMmapLocksCases } from './sync-mmap-locks.cases.js';

export const conformanceTopics: Record<string, ConformanceCase[]> = {
  data: dataCases,
  names: namesCases,
  metadata: metadataCases,
  permissions: permissionsCases,
  'sync-mmap-locks': syncMmapLocksCases,
  locks: locksCases,
  acl: aclCases,
};
