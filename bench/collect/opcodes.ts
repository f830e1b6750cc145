/**
 * FUSE opcode numbers and the names the suite stores them under: the kernel's `enum fuse_opcode`
 * (include/uapi/linux/fuse.h, protocol 7.45) without the FUSE_ prefix, the same names the daemon's
 * stats file uses (infra/daemon/src/dispatch.c). Unknown numbers become OP_<n>, as in the daemon.
 */
export const opcodeNames: Readonly<Record<number, string>> = {
  1: 'LOOKUP',
  2: 'FORGET',
  3: 'GETATTR',
  4: 'SETATTR',
  5: 'READLINK',
  6: 'SYMLINK',
  8: 'MKNOD',
  9: 'MKDIR',
  10: 'UNLINK',
  11: 'RMDIR',
  12: 'RENAME',
  13: 'LINK',
  14: 'OPEN',
  15: 'READ',
  16: 'WRITE',
  17: 'STATFS',
  18: 'RELEASE',
  20: 'FSYNC',
  21: 'SETXATTR',
  22: 'GETXATTR',
  23: 'LISTXATTR',
  24: 'REMOVEXATTR',
  25: 'FLUSH',
  26: 'INIT',
  27: 'OPENDIR',
  28: 'READDIR',
  29: 'RELEASEDIR',
  30: 'FSYNCDIR',
  31: 'GETLK',
  32: 'SETLK',
  33: 'SETLKW',
  34: 'ACCESS',
  35: 'CREATE',
  36: 'INTERRUPT',
  37: 'BMAP',
  38: 'DESTROY',
  39: 'IOCTL',
  40: 'POLL',
  41: 'NOTIFY_REPLY',
  42: 'BATCH_FORGET',
  43: 'FALLOCATE',
  44: 'READDIRPLUS',
  45: 'RENAME2',
  46: 'LSEEK',
  47: 'COPY_FILE_RANGE',
  48: 'SETUPMAPPING',
  49: 'REMOVEMAPPING',
  50: 'SYNCFS',
  51: 'TMPFILE',
  52: 'STATX',
  53: 'COPY_FILE_RANGE_64',
  // Android common kernels only.
  2016: 'CANONICAL_PATH',
  4096: 'CUSE_INIT',
};

export function opcodeName(opcode: number): string {
  return opcodeNames[opcode] ?? `OP_${opcode}`;
}

/** Maps OP_<n> (what the daemon writes for opcodes outside its table) to the name this table knows. */
export function normalizeOpcodeName(name: string): string {
  const match = /^OP_(\d+)$/.exec(name);
  return match ? opcodeName(Number(match[1])) : name;
}

/**
 * Opcodes the kernel sends without passing `fuse_request_send`: FORGET and BATCH_FORGET go through
 * the forget queue, INTERRUPT through the interrupt list (fs/fuse/dev.c), so only the daemon sees them.
 */
export const OPCODES_WITHOUT_SEND_EVENT: ReadonlySet<string> = new Set(['FORGET', 'BATCH_FORGET', 'INTERRUPT']);
