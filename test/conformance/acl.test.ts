/**
 * ACL conformance (see acl.cases.ts), against bind: our daemon in both modes over both transports,
 * once with default_permissions (it negotiates FUSE_POSIX_ACL: the kernel checks ACLs and drops
 * cached attributes after an ACL change) and once without (the daemon invalidates them itself), and
 * passthrough_ll with the permission cases' -o options plus xattr (its default leaves xattrs, and so
 * ACLs, unsupported). Cases act as uid 65534 too, so every mount has allow_other.
 */
import { DAEMON_BACKENDS } from '../helpers/mounts.js';
import { aclCases } from './acl.cases.js';
import { conformanceBackends, conformanceSuite } from './harness.js';

await conformanceSuite('acl', aclCases, {
  backends: conformanceBackends([...DAEMON_BACKENDS, 'passthrough_ll']),
  label: 'with default_permissions',
  options: (backend) =>
    backend === 'passthrough_ll' ? { options: 'allow_other,default_permissions,xattr' } : { allowOther: true, defaultPermissions: true },
});

await conformanceSuite('acl', aclCases, {
  backends: conformanceBackends(DAEMON_BACKENDS),
  label: 'without default_permissions',
  options: () => ({ allowOther: true }),
});
