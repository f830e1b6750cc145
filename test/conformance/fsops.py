# System calls Node does not offer (lseek SEEK_DATA/SEEK_HOLE, fallocate modes, copy_file_range,
# renameat2, xattrs, ns utimens, mmap, flock, fcntl and OFD locks, umask, statx, setfacl), run as a
# list of operations.
# Usage: python3 -c <this file> '<json list of ops>'  ->  prints a JSON list with one result per op:
#   {"ok": value} or {"errno": "ENOENT"}. The op "hold" takes locks, prints "held", and keeps them
#   until stdin closes (the second process of a lock conflict).
import ctypes, errno, fcntl, hashlib, json, mmap, os, signal, struct, subprocess, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]
libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
libc.statx.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
STATX_TYPE_MODE = 0x3  # what `stat -c %A` asks for: the kernel may answer from its attribute cache
AT_FDCWD = -100
FLOCK = 'hhqqi4x'  # struct flock on x86_64: l_type, l_whence, l_start, l_len, l_pid (+ padding)
LOCK_TYPES = {'read': fcntl.F_RDLCK, 'write': fcntl.F_WRLCK, 'unlock': fcntl.F_UNLCK}
LOCK_NAMES = {v: k for k, v in LOCK_TYPES.items()}


def check(ret):
    if ret < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return ret


def fd_of(fds, op):
    # An fd whose open failed: EBADF, as the system call would say, so later ops still report.
    name = op.get('fd', 'fd')
    if name not in fds:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))
    return fds[name]


def run(op, fds):
    kind = op['op']
    if kind == 'seek':
        fd = os.open(op['path'], os.O_RDONLY)
        try:
            whence = {'data': os.SEEK_DATA, 'hole': os.SEEK_HOLE, 'end': os.SEEK_END}[op['whence']]
            return os.lseek(fd, op['offset'], whence)
        finally:
            os.close(fd)
    if kind == 'fallocate':
        fd = os.open(op['path'], os.O_RDWR | os.O_CREAT, 0o644)
        try:
            return check(libc.fallocate(fd, op['mode'], op['offset'], op['length']))
        finally:
            os.close(fd)
    if kind == 'copy_file_range':
        src = os.open(op['src'], os.O_RDONLY)
        dst = os.open(op['dst'], os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            done = 0
            while done < op['count']:
                n = os.copy_file_range(src, dst, op['count'] - done, op['srcOffset'] + done, op['dstOffset'] + done)
                if n == 0:
                    break
                done += n
            return done
        finally:
            os.close(src)
            os.close(dst)
    if kind == 'renameat2':
        return check(libc.renameat2(AT_FDCWD, op['old'].encode(), AT_FDCWD, op['new'].encode(), op['flags']))
    if kind == 'setxattr':
        return os.setxattr(op['path'], op['name'], op['value'].encode(), op.get('flags', 0))
    if kind == 'getxattr':
        return os.getxattr(op['path'], op['name']).decode()
    if kind == 'listxattr':
        return sorted(os.listxattr(op['path']))
    if kind == 'removexattr':
        return os.removexattr(op['path'], op['name'])
    if kind == 'utime_ns':
        # ns times travel as strings: JSON numbers in JS stop being exact at 2**53.
        return os.utime(op['path'], ns=(int(op['atime']), int(op['mtime'])), follow_symlinks=op.get('follow', True))
    if kind == 'stat':
        st = os.stat(op['path'], follow_symlinks=op.get('follow', True))
        return {'mode': st.st_mode, 'uid': st.st_uid, 'gid': st.st_gid, 'size': st.st_size, 'nlink': st.st_nlink,
                'blocks': st.st_blocks, 'atimeNs': str(st.st_atime_ns), 'mtimeNs': str(st.st_mtime_ns)}
    if kind == 'statvfs':
        s = os.statvfs(op['path'])
        return {'bsize': s.f_bsize, 'frsize': s.f_frsize, 'blocks': s.f_blocks, 'bfree': s.f_bfree,
                'bavail': s.f_bavail, 'files': s.f_files, 'ffree': s.f_ffree, 'namemax': s.f_namemax}
    if kind == 'scandir':
        return sorted(e.name for e in os.scandir(op['path']))
    if kind == 'getdents':
        # getdents64 with a small buffer: many calls, each resuming at the last entry's d_off.
        fd = os.open(op['path'], os.O_RDONLY | os.O_DIRECTORY)
        buf = ctypes.create_string_buffer(op['bufferBytes'])
        names, calls = [], 0
        try:
            while True:
                n = check(libc.syscall(217, fd, buf, op['bufferBytes']))
                calls += 1
                if n == 0:
                    break
                pos = 0
                while pos < n:
                    reclen = struct.unpack_from('H', buf.raw, pos + 16)[0]
                    name = buf.raw[pos + 19:pos + reclen].split(b'\0', 1)[0].decode()
                    names.append(name)
                    pos += reclen
        finally:
            os.close(fd)
        return {'names': names, 'calls': calls}
    if kind == 'mmap_write':
        fd = os.open(op['path'], os.O_RDWR)
        try:
            m = mmap.mmap(fd, op['length'])
            data = bytes.fromhex(op['hex'])
            m[op['offset']:op['offset'] + len(data)] = data
            m.flush()
            m.close()
            return None
        finally:
            os.close(fd)
    if kind == 'mmap_sha256':
        fd = os.open(op['path'], os.O_RDONLY)
        try:
            m = mmap.mmap(fd, 0, prot=mmap.PROT_READ)
            digest = hashlib.sha256(m[:]).hexdigest()
            m.close()
            return digest
        finally:
            os.close(fd)
    if kind == 'open':
        flags = 0
        for name in op['flags']:
            flags |= getattr(os, name)
        fd = os.open(op['path'], flags, op.get('mode', 0o644))
        fds[op.get('as', 'fd')] = fd
        return None
    if kind == 'read':
        return os.read(fd_of(fds, op), op['length']).hex()
    if kind == 'write':
        return os.write(fd_of(fds, op), bytes.fromhex(op['hex']))
    if kind == 'fsync':
        return os.fsync(fd_of(fds, op))
    if kind == 'fdatasync':
        return os.fdatasync(fd_of(fds, op))
    if kind == 'close':
        fd = fd_of(fds, op)
        del fds[op.get('fd', 'fd')]
        return os.close(fd)
    if kind == 'flock':
        how = {'ex': fcntl.LOCK_EX, 'sh': fcntl.LOCK_SH, 'un': fcntl.LOCK_UN}[op['how']]
        return fcntl.flock(fd_of(fds, op), how | (fcntl.LOCK_NB if op.get('nonblock') else 0))
    if kind in ('setlk', 'getlk'):
        # ofd: open file description locks (F_OFD_*); wait: F_SETLKW / F_OFD_SETLKW.
        if kind == 'getlk':
            cmd = fcntl.F_OFD_GETLK if op.get('ofd') else fcntl.F_GETLK
        elif op.get('wait'):
            cmd = fcntl.F_OFD_SETLKW if op.get('ofd') else fcntl.F_SETLKW
        else:
            cmd = fcntl.F_OFD_SETLK if op.get('ofd') else fcntl.F_SETLK
        arg = struct.pack(FLOCK, LOCK_TYPES[op['type']], os.SEEK_SET, op['start'], op['length'], 0)
        if op.get('alarm'):
            signal.setitimer(signal.ITIMER_REAL, op['alarm'])
        try:
            res = struct.unpack(FLOCK, fcntl.fcntl(fd_of(fds, op), cmd, arg))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return {'type': LOCK_NAMES[res[0]], 'start': res[2], 'length': res[3], 'pid': res[4]} if kind == 'getlk' else None
    if kind == 'dup':
        fds[op['as']] = os.dup(fd_of(fds, op))
        return None
    if kind == 'umask':
        return os.umask(op['mask'])
    if kind == 'mkfifo':
        return os.mkfifo(op['path'], op['mode'])
    if kind == 'statx_mode':
        buf = ctypes.create_string_buffer(256)
        check(libc.statx(AT_FDCWD, op['path'].encode(), 0, STATX_TYPE_MODE, buf))
        return struct.unpack_from('H', buf.raw, 0x1c)[0]
    if kind in ('setfacl', 'getfacl'):
        # The acl package's tools, as the caller of this script (setpriv gives them its uid/gid).
        done = subprocess.run([kind, *op['args']], capture_output=True, text=True)
        if done.returncode != 0:
            return {'status': done.returncode, 'stderr': done.stderr.strip()}
        return done.stdout if kind == 'getfacl' else None
    if kind == 'chmod':
        return os.chmod(op['path'], op['mode'])
    if kind == 'mkdir':
        return os.mkdir(op['path'], op.get('mode', 0o755))
    if kind == 'unlink':
        return os.unlink(op['path'])
    if kind == 'getpid':
        return os.getpid()
    if kind == 'access':
        return os.access(op['path'], op['mode'])
    raise ValueError('unknown op ' + kind)


def interrupted(signum, frame):
    # Raising makes the blocked call fail with EINTR instead of being retried (PEP 475).
    raise InterruptedError(errno.EINTR, os.strerror(errno.EINTR))


def main():
    signal.signal(signal.SIGALRM, interrupted)
    ops = json.loads(sys.argv[1])
    fds = {}
    results = []
    for op in ops:
        if op['op'] == 'hold':
            print(json.dumps(results + [{'ok': 'held'}]), flush=True)
            sys.stdin.read()
            results.append({'ok': 'released'})
            continue
        try:
            results.append({'ok': run(op, fds)})
        except OSError as e:
            results.append({'errno': errno.errorcode.get(e.errno, str(e.errno))})
    print(json.dumps(results), flush=True)


main()
