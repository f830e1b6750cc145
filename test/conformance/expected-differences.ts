/**
 * Where a backend legitimately differs from bind, keyed "<backend>/<case name>", each with the reason.
 * A difference not listed here fails its case; a listed difference that stops occurring fails too, so
 * the table stays true. Our daemon (fuse, fuse-passthrough, fuse-uring) should need no entries: what it gets
 * wrong is a bug to fix in infra/daemon, not a row here. Differences every FUSE mount shows because
 * of the kernel are written into the cases themselves, with the reason.
 */
export interface ExpectedDifference {
  reason: string;
  /** When given, the backend's observation must be exactly this. */
  observed?: unknown;
}

const PASSTHROUGH_LL_CREATES_AS_ROOT =
  "passthrough_ll creates with its own credentials: lo_create, lo_mknod_symlink (mkdir) call openat/mkdirat " +
  'as the daemon (root) and never switch to the caller\'s uid/gid from fuse_req_ctx (no setfsuid), so with ' +
  '-o allow_other,default_permissions a file or directory made by uid 65534 belongs to 0:0 on the lower';

const FUSE_BPF_READDIR_SKIPS =
  "Android's FUSE-BPF (fs/fuse/backing.c, 6.1) reads a page of entries from the backing directory " +
  '(fuse_readdir_backing: iterate_dir into a PAGE_SIZE buffer, fro->offset = the position after the last ' +
  'entry it packed), hands them to the caller until its getdents buffer is full (parse_dirfile stops when ' +
  'dir_emit fails), and then sets ctx->pos = fro->offset in fuse_readdir_finalize: the entries of that page ' +
  'the caller had no room for are skipped. With a 512-byte getdents buffer most names are never listed. ' +
  'Seen on a tmpfs lower (whose readdir resumes from ctx->pos alone); on an ext4 lower, which keeps its own ' +
  'position in the open backing directory, the same guest lists every name. Later FUSE-BPF series set ' +
  'ctx->pos from the last entry emitted instead';

const PASSTHROUGH_LL_KEEPS_STALE_ACL_MODE =
  'passthrough_ll (libfuse 3.14) neither negotiates FUSE_POSIX_ACL (with which the kernel drops cached attributes ' +
  'after every ACL change) nor sends FUSE_NOTIFY_INVAL_INODE after SETXATTR of system.posix_acl_access, so a ' +
  "statx for the mode alone (what `stat -c %A` asks) is answered from the kernel's attribute cache (1 s): it " +
  'shows the mode from before the change';

export const expectedDifferences: Record<string, ExpectedDifference> = {
  'passthrough_ll/umask 722: under a default ACL the ACL gives the modes of a file, a FIFO, a directory and one in a setgid directory; without one the umask applies': {
    reason:
      'passthrough_ll does not ask for FUSE_CAP_DONT_MASK, so the kernel applies the umask to the mode before ' +
      'CREATE/MKDIR/MKNOD and the lower then applies the default ACL to the masked mode: 0440 under umask 722 comes out 040',
    observed: {
      setup: [{ ok: null }, { ok: null }, { ok: null }],
      created: ['22', ...Array(8).fill({ ok: null })],
      byNobody: [{ ok: null }, { ok: null }],
      seen: {
        'acl/r440': '40', 'acl/rw664': '44', 'acl/dir': '55', 'acl/fifo': '44', 'sgid/dir': '2055',
        'plain/file': '44', 'plain/dir': '55', 'plain/fifo': '44', 'open/mine': '40', 'open/mydir': '50',
      },
      onLower: {
        'acl/r440': '40', 'acl/rw664': '44', 'acl/dir': '55', 'acl/fifo': '44', 'sgid/dir': '2055',
        'plain/file': '44', 'plain/dir': '55', 'plain/fifo': '44', 'open/mine': '40', 'open/mydir': '50',
      },
      dirAcl: [{ ok: 'user::---\ngroup::r-x\nother::r-x\ndefault:user::rwx\ndefault:group::rwx\ndefault:other::r-x\n\n' }],
    },
  },
  'passthrough_ll/setfacl then stat at once: the mode follows each ACL change immediately, also after the ACL is removed': {
    reason: PASSTHROUGH_LL_KEEPS_STALE_ACL_MODE,
  },
  'passthrough_ll/setfacl by the owner outside the file group clears setgid; in the group (also as a supplementary group) it stays': {
    reason:
      "lo_setxattr sets the ACL as the daemon (root, with CAP_FSETID), so the lower keeps the setgid bit it clears for " +
      `an owner outside the file's group (2777 on the lower where bind has 777); and ${PASSTHROUGH_LL_KEEPS_STALE_ACL_MODE}`,
    observed: {
      outside: ['2775', { ok: null }, '2775'],
      own: ['2775', { ok: null }, '2775'],
      supplementary: ['2775', { ok: null }, '2775'],
      onLower: { outside: '2777', own: '2777', supplementary: '2777' },
    },
  },
  'passthrough_ll/RENAME_NOREPLACE refuses an existing target with EEXIST and moves to a new one': {
    reason:
      "passthrough_ll's lo_rename answers EINVAL to any renameat2 flag (if (flags) fuse_reply_err(req, EINVAL)); " +
      'the EEXIST for an existing target comes from the kernel (FUSE checks NOREPLACE itself), the move to a new name fails',
  },
  'passthrough_ll/RENAME_EXCHANGE swaps a file and a directory atomically; with a missing name ENOENT': {
    reason: "passthrough_ll's lo_rename answers EINVAL to any renameat2 flag, so RENAME_EXCHANGE never swaps",
  },
  'passthrough_ll/uid 65534 creating in a 0777 directory owns the new file and directory; not in a 0755 one': {
    reason: PASSTHROUGH_LL_CREATES_AS_ROOT,
    observed: {
      outcomes: [{ ok: null }, { ok: 9 }, { ok: null }, { ok: null }, { errno: 'EACCES' }, { errno: 'EACCES' }],
      file: { ok: '0:0 640' },
      fileOnLower: { ok: '0:0 640' },
      subdir: { ok: '0:0 750' },
    },
  },
  "passthrough_ll/uid 65534 in a sticky 01777 directory: cannot remove root's file, can remove its own": {
    reason:
      `${PASSTHROUGH_LL_CREATES_AS_ROOT}; so the file uid 65534 just created is root's, and the kernel ` +
      '(default_permissions) refuses its unlink in the sticky directory with EPERM',
    observed: [{ errno: 'EPERM' }, { ok: null }, { ok: null }, { errno: 'EPERM' }, { ok: null }],
  },
  'fuse-bpf/readdir of 10,000 entries lists every name exactly once, with small and large getdents buffers': {
    reason: FUSE_BPF_READDIR_SKIPS,
  },
  'fuse-bpf-daemon/readdir of 10,000 entries lists every name exactly once, with small and large getdents buffers': {
    reason: `${FUSE_BPF_READDIR_SKIPS} (with a daemon, listing goes through the same backing path)`,
  },
};
