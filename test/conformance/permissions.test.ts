/**
 * Permission conformance as uid 65534. Our daemon runs with defaultPermissions and allowOther (the
 * kernel checks modes, and other users may enter the mount); passthrough_ll gets the same through
 * its -o options; bind needs neither.
 */
import { conformanceSuite } from './harness.js';
import { permissionsCases } from './permissions.cases.js';

await conformanceSuite('permissions', permissionsCases, {
  options: (backend) =>
    backend === 'passthrough_ll' ? { options: 'allow_other,default_permissions' } : { defaultPermissions: true, allowOther: true },
});
