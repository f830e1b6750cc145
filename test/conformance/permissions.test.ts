/**
 * Permission conformance as uid 65534. Our daemon runs with defaultPermissions and allowOther (the
 * kernel checks modes, and other users may enter the mount); bind needs neither. passthrough_ll's
 * backend takes no options: see expected-differences.ts.
 */
import { conformanceSuite } from './harness.js';
import { permissionsCases } from './permissions.cases.js';

await conformanceSuite('permissions', permissionsCases, { options: () => ({ defaultPermissions: true, allowOther: true }) });
