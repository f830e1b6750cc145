/**
 * Where a backend legitimately differs from bind, keyed "<backend>/<case name>", each with the reason.
 * A difference not listed here fails its case; a listed difference that stops occurring fails too, so
 * the table stays true. Our daemon (fuse, fuse-passthrough) should need no entries: what it gets
 * wrong is a bug to fix in infra/daemon, not a row here. Differences every FUSE mount shows because
 * of the kernel are written into the cases themselves, with the reason.
 */
export interface ExpectedDifference {
  reason: string;
  /** When given, the backend's observation must be exactly this. */
  observed?: unknown;
}

const PASSTHROUGH_LL_ROOT_ONLY =
  'the passthrough_ll backend starts it as `passthrough_ll -f -o source=LOWER MNT` and takes no options ' +
  '(bench/backends/passthrough_ll.ts), so there is no allow_other: the kernel refuses every uid but the ' +
  "mounter's with EACCES (fuse_allow_current_process) before any mode check, even for a 0644 file or stat";

export const expectedDifferences: Record<string, ExpectedDifference> = {
  'passthrough_ll/fallocate: allocate, keep-size, punch hole; zero-range and collapse as the lower answers': {
    reason:
      "passthrough_ll's lo_fallocate calls fallocate(2) only #ifdef HAVE_FALLOCATE (else posix_fallocate #ifdef " +
      'HAVE_POSIX_FALLOCATE, else EOPNOTSUPP); infra/setup.sh compiles the example outside libfuse\'s meson tree ' +
      'without those defines, so every mode answers EOPNOTSUPP and nothing is allocated or punched',
  },
  'passthrough_ll/RENAME_NOREPLACE refuses an existing target with EEXIST and moves to a new one': {
    reason:
      "passthrough_ll's lo_rename answers EINVAL to any renameat2 flag (if (flags) fuse_reply_err(req, EINVAL)); " +
      'the EEXIST for an existing target comes from the kernel (FUSE checks NOREPLACE itself), the move to a new name fails',
  },
  'passthrough_ll/RENAME_EXCHANGE swaps a file and a directory atomically; with a missing name ENOENT': {
    reason: "passthrough_ll's lo_rename answers EINVAL to any renameat2 flag, so RENAME_EXCHANGE never swaps",
  },
  'passthrough_ll/user.* xattrs: set, get, list, replace, remove; ENODATA and EEXIST where due': {
    reason: "passthrough_ll serves xattrs only with -o xattr; the backend runs it with its defaults, so every xattr op answers EOPNOTSUPP",
  },
  "passthrough_ll/uid 65534: a 0600 root file is EACCES, a 0644 one reads, writing it is EACCES": { reason: PASSTHROUGH_LL_ROOT_ONLY },
  'passthrough_ll/uid 65534 creating in a 0777 directory owns the new file and directory; not in a 0755 one': { reason: PASSTHROUGH_LL_ROOT_ONLY },
  "passthrough_ll/uid 65534 in a sticky 01777 directory: cannot remove root's file, can remove its own": { reason: PASSTHROUGH_LL_ROOT_ONLY },
};
