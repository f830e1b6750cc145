#!/usr/bin/env bash
# Smoke test for fusebench-daemon, run as root: builds, then mounts a tmpfs
# lower through the daemon in each mode (release and ASan builds) and checks
# data, names, attributes, locks, stats and shutdown.
# usage: infra/daemon/test/smoke.sh [--quick]   (--quick: release build only)
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1

[[ $EUID -eq 0 ]] || { echo "smoke: must run as root" >&2; exit 1; }

SCRATCH="$(mktemp -d /tmp/fusebench-smoke.XXXXXX)"
LOWER="$SCRATCH/lower"
MNT="$SCRATCH/mnt"
DAEMON_PID=""
FAILS=0
URING_PARAM=/sys/module/fuse/parameters/enable_uring
URING_OLD=""	# set once we changed the module parameter

cleanup() {
	set +e
	if [[ -n "$DAEMON_PID" ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID"
		for _ in $(seq 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$DAEMON_PID" 2>/dev/null && kill -KILL "$DAEMON_PID"
	fi
	mountpoint -q "$MNT" 2>/dev/null && umount -l "$MNT"
	mountpoint -q "$LOWER" 2>/dev/null && umount -l "$LOWER"
	[[ -n "$URING_OLD" ]] && echo "$URING_OLD" >"$URING_PARAM"
	rm -rf "$SCRATCH"
}
trap cleanup EXIT

pass() { echo "  ok   $*"; }
fail() { echo "  FAIL $*"; FAILS=$((FAILS + 1)); }
check() { local what="$1"; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
eq() { [[ "$1" == "$2" ]] || { echo "       got '$1', want '$2'" >&2; return 1; }; }

# Ask the daemon for a stats snapshot and print the count of one op (0 if unseen).
op_count() {
	local op="$1" stats="$SCRATCH/stats.json"
	rm -f "$stats"
	kill -USR1 "$DAEMON_PID"
	for _ in $(seq 100); do [[ -s "$stats" ]] && break; sleep 0.05; done
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["ops"].get(sys.argv[2],{}).get("count",0))' "$stats" "$op"
}

start_daemon() {
	local bin="$1" mode="$2" transport="${3:-dev}"
	local fifo="$SCRATCH/ready.fifo"
	rm -f "$fifo" "$SCRATCH/stats.json"
	mkfifo "$fifo"
	"$bin" --foreground --mode "$mode" --transport "$transport" --allow-other --default-permissions \
		--stats "$SCRATCH/stats.json" --ready-fd 3 "$LOWER" "$MNT" \
		3>"$fifo" 2>"$SCRATCH/daemon.err" &
	DAEMON_PID=$!
	local line=""
	read -r -t 20 line <"$fifo" || true
	rm -f "$fifo"
	if [[ "$line" != "ready" ]]; then
		echo "smoke: daemon did not become ready: '$line'" >&2
		cat "$SCRATCH/daemon.err" >&2
		exit 1
	fi
	check "mounted as fuse.fusebench" eq "$(findmnt -n -o FSTYPE "$MNT")" "fuse.fusebench"
}

# Wait for the daemon to exit; check it exited 0 and left stats and no mount.
await_exit() {
	local rc=0
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=""
	check "daemon exit status 0" eq "$rc" "0"
	check "stats written at exit" test -s "$SCRATCH/stats.json"
	check "mount gone" eval '! mountpoint -q "$MNT"'
	if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$SCRATCH/daemon.err"; then
		fail "sanitizer report"; cat "$SCRATCH/daemon.err"
	fi
}

run_checks() {
	local mode="$1" transport="${2:-dev}"
	local M="$MNT" L="$LOWER"

	# 64 MiB of data: write, then read back through FUSE and compare.
	local reads_before reads_after
	dd if=/dev/urandom of="$SCRATCH/src.bin" bs=1M count=64 status=none
	cp "$SCRATCH/src.bin" "$M/big.bin"
	check "64 MiB file checksum through mount" eq "$(sha256sum <"$M/big.bin")" "$(sha256sum <"$SCRATCH/src.bin")"
	check "64 MiB file checksum in lower" eq "$(sha256sum <"$L/big.bin")" "$(sha256sum <"$SCRATCH/src.bin")"
	reads_before=$(op_count READ)
	cat "$M/big.bin" >/dev/null
	check "O_DIRECT read checksum" eq "$(dd if="$M/big.bin" bs=1M iflag=direct status=none | sha256sum)" "$(sha256sum <"$SCRATCH/src.bin")"
	reads_after=$(op_count READ)
	if [[ "$mode" == passthrough ]]; then
		check "passthrough: 0 READ requests for 2x64 MiB read (saw $((reads_after - reads_before)))" \
			eq "$reads_after" "0"
	else
		check "plain: many READ requests for 2x64 MiB read (saw $((reads_after - reads_before)))" \
			test "$((reads_after - reads_before))" -ge 128
	fi

	# 10,000 entries: 5,000 directories and 5,000 files, listed in full.
	mkdir "$M/many"
	(cd "$M/many" && mkdir d{00001..05000} && touch f{00001..05000})
	check "readdir lists 10,000 entries" eq "$(ls -f "$M/many" | grep -vc '^\.\.\?$')" "10000"
	check "listing matches lower" eq "$(ls "$M/many" | sha256sum)" "$(ls "$L/many" | sha256sum)"
	check "find sees 5,000 directories" eq "$(find "$M/many" -mindepth 1 -type d | wc -l)" "5000"
	rm -rf "$M/many"
	check "rm -rf of 10,000 entries" test ! -e "$L/many"

	# Unlinks during a listing: each survivor listed once (no restart from the top).
	mkdir "$M/churn"
	(cd "$M/churn" && touch f{0..299})
	check "readdir with unlinks midway" eq "$(python3 - "$M/churn" <<'PY'
import os, sys
d = sys.argv[1]
it = os.scandir(d); seen = [next(it).name for _ in range(50)]
for i in range(0, 300, 2): os.unlink(os.path.join(d, "f%d" % i))
seen += [e.name for e in it]
odd = [n for n in seen if int(n[1:]) % 2]
print(len(odd), len(set(odd)))
PY
)" "150 150"
	rm -rf "$M/churn"

	# Names.
	echo one >"$M/a"
	mv "$M/a" "$M/b"
	check "rename" eq "$(cat "$M/b"):$(test -e "$L/a" && echo a)" "one:"
	ln "$M/b" "$M/hard"
	check "link: nlink 2, same data" eq "$(stat -c %h "$M/b"):$(cat "$M/hard")" "2:one"
	ln -s b "$M/sym"
	check "symlink + readlink" eq "$(readlink "$M/sym"):$(cat "$M/sym")" "b:one"
	echo two >"$M/c"
	check "rename2 NOREPLACE refuses, EXCHANGE swaps" eq "$(python3 - "$M" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
m = sys.argv[1].encode()
def r2(a, b, flags):
    return libc.renameat2(-100, m + b"/" + a, -100, m + b"/" + b, flags)
noreplace = r2(b"b", b"c", 1)
err = ctypes.get_errno()
exchange = r2(b"b", b"c", 2)
print(noreplace, os.strerror(err), exchange, open(sys.argv[1] + "/b").read().strip())
PY
)" "-1 File exists 0 two"
	mkdir "$M/dir"; rmdir "$M/dir"
	check "mkdir + rmdir" test ! -e "$L/dir"
	mknod "$M/fifo" p
	check "mknod fifo" test -p "$L/fifo"

	# Attributes and data ops.
	chmod 640 "$M/b"
	check "chmod" eq "$(stat -c %a "$L/b")" "640"
	chown 123:456 "$M/b"
	check "chown" eq "$(stat -c %u:%g "$M/b")" "123:456"
	truncate -s 1000 "$M/b"
	check "truncate" eq "$(stat -c %s "$L/b")" "1000"
	touch -d "2001-02-03 04:05:06" "$M/b"
	check "utimens" eq "$(stat -c %Y "$L/b")" "$(date -d "2001-02-03 04:05:06" +%s)"
	fallocate -l 1M "$M/falloc"
	check "fallocate" eq "$(stat -c %s "$M/falloc")" "1048576"
	check "lseek SEEK_DATA/SEEK_HOLE + copy_file_range" eq "$(python3 - "$M" <<'PY'
import os, sys
m = sys.argv[1]
with open(m + "/sparse", "wb") as f:
    f.truncate(8 << 20); f.seek(4 << 20); f.write(b"x" * 4096)
fd = os.open(m + "/sparse", os.O_RDONLY)
data = os.lseek(fd, 0, os.SEEK_DATA); hole = os.lseek(fd, data, os.SEEK_HOLE)
out = os.open(m + "/copy", os.O_WRONLY | os.O_CREAT, 0o644)
n = os.copy_file_range(fd, out, 8 << 20, 0, 0)
os.close(out); os.close(fd)
print(data, hole, n, open(m + "/copy", "rb").read() == open(m + "/sparse", "rb").read())
PY
)" "4194304 4198400 8388608 True"
	echo "tail" >>"$M/b"
	check "O_APPEND write" eq "$(tail -c 5 "$L/b")" "tail"

	# Extended attributes.
	check "set/get/list/remove xattr" eq "$(python3 - "$M/c" <<'PY'
import os, sys
p = sys.argv[1]
os.setxattr(p, "user.fusebench", b"value")
got = os.getxattr(p, "user.fusebench")
listed = "user.fusebench" in os.listxattr(p)
os.removexattr(p, "user.fusebench")
print(got.decode(), listed, "user.fusebench" in os.listxattr(p))
PY
)" "value True False"

	# Locks: flock and POSIX locks conflict across two opens.
	touch "$M/lockf"
	flock "$M/lockf" sleep 2 &
	local holder=$!
	sleep 0.5
	check "flock conflict" eval '! flock -n "$M/lockf" true'
	wait "$holder"
	check "flock after release" flock -n "$M/lockf" true
	check "POSIX lock conflict + getlk" eq "$(python3 - "$M/lockf" <<'PY'
import fcntl, os, struct, sys, time
p = sys.argv[1]
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    f = open(p, "r+"); fcntl.lockf(f, fcntl.LOCK_EX, 100, 0)
    os.write(w, b"x"); time.sleep(2); os._exit(0)
os.read(r, 1)
g = open(p, "r+")
try:
    fcntl.lockf(g, fcntl.LOCK_EX | fcntl.LOCK_NB, 100, 0); res = "acquired"
except OSError:
    res = "blocked"
q = struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 10, 0)
typ, _, _, _, holder = struct.unpack("hhqqi", fcntl.fcntl(g, fcntl.F_GETLK, q))
os.waitpid(pid, 0)
fcntl.lockf(g, fcntl.LOCK_EX | fcntl.LOCK_NB, 100, 0)
print(res, typ == fcntl.F_WRLCK, "holder pid" if holder == pid else "pid %d" % holder, "then acquired")
PY
)" "blocked True holder pid then acquired"
	# A lock split by a partial unlock: the hole is free, the rest still names its holder.
	check "getlk after partial unlock" eq "$(python3 - "$M/lockf" <<'PY'
import fcntl, os, struct, sys, time
p = sys.argv[1]
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    f = open(p, "r+"); fcntl.lockf(f, fcntl.LOCK_EX, 100, 0); fcntl.lockf(f, fcntl.LOCK_UN, 20, 40)
    os.write(w, b"x"); time.sleep(2); os._exit(0)
os.read(r, 1)
g = open(p, "r+")
def getlk(start):
    t, _, s, l, h = struct.unpack("hhqqi", fcntl.fcntl(g, fcntl.F_GETLK, struct.pack("hhqqi", fcntl.F_WRLCK, 0, start, 1, 0)))
    return "free" if t == fcntl.F_UNLCK else "%d-%d %s" % (s, s + l - 1, "holder" if h == pid else h)
print(getlk(50), getlk(70), getlk(10))
os.kill(pid, 9); os.waitpid(pid, 0)
PY
)" "free 60-99 holder 0-39 holder"

	# A non-root caller creates as itself (default_permissions + allow_other).
	mkdir -m 1777 "$M/pub"
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "echo hi > '$M/pub/n' && mkdir '$M/pub/d'"
	check "create as caller uid/gid" eq "$(stat -c %u:%g "$L/pub/n" "$L/pub/d" | sort -u)" "65534:65534"
	check "permission denied for non-owner" eval \
		'! setpriv --reuid=65533 --regid=65533 --clear-groups sh -c "echo x > $M/b" 2>/dev/null'

	check "statfs" test "$(stat -f -c %b "$M")" -gt 0
	check "stats JSON shape" python3 - "$SCRATCH/stats.json" "$mode" "$transport" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["mode"] == sys.argv[2], d["mode"]
assert d["transport"] == sys.argv[3], d["transport"]
assert (sys.argv[3] == "uring") == ("uring" in d), d.get("uring")
assert d["passthroughAbi"] == ("upstream-backing" if sys.argv[2] == "passthrough" else None)
assert d["init"]["major"] == 7 and d["init"]["maxWrite"] == 1048576
assert d["ops"]["INIT"]["count"] == 1 and d["ops"]["LOOKUP"]["count"] > 0
assert all(set(v) == {"count", "totalNs"} for v in d["ops"].values())
PY
}

run_mode() {
	local bin="$1" mode="$2" stop="$3" transport="${4:-dev}"
	echo "== $(basename "$bin") --mode $mode --transport $transport (stop by $stop)"
	start_daemon "$bin" "$mode" "$transport"
	run_checks "$mode" "$transport"
	rm -rf "${MNT:?}"/*
	if [[ "$stop" == umount ]]; then
		umount "$MNT"	# the kernel ends the session; the daemon must notice
	else
		kill -TERM "$DAEMON_PID"
	fi
	await_exit
}

echo "== build"
make -s -C "$HERE" all test-unit >/dev/null
[[ $QUICK -eq 1 ]] || make -s -C "$HERE" asan >/dev/null
mkdir -p "$LOWER" "$MNT"
mount -t tmpfs -o size=1g tmpfs "$LOWER"
chmod 755 "$SCRATCH"

BIN="$HERE/build/fusebench-daemon"
run_mode "$BIN" plain umount
run_mode "$BIN" passthrough sigterm
if [[ $QUICK -eq 0 ]]; then
	export ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1"
	run_mode "$BIN-asan" plain sigterm
	run_mode "$BIN-asan" passthrough umount
fi

# Daemon syscalls per READ request for 64 MiB of 4 KiB O_DIRECT reads (perf counts in the kernel).
syscalls_per_read() {
	local bin="$1" transport="$2"
	start_daemon "$bin" plain "$transport" >/dev/null
	dd if=/dev/urandom of="$MNT/io.bin" bs=1M count=64 status=none
	local before after calls
	before=$(op_count READ)
	calls=$(perf stat -x, -e raw_syscalls:sys_enter -p "$DAEMON_PID" -o /dev/stdout -- \
		dd if="$MNT/io.bin" of=/dev/null bs=4k iflag=direct status=none 2>/dev/null | awk -F, '/raw_syscalls/ { print $1 }')
	after=$(op_count READ)
	rm -f "$MNT/io.bin"
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || true
	DAEMON_PID=""
	python3 -c 'import sys; print(f"{int(sys.argv[1]) / max(1, int(sys.argv[2]) - int(sys.argv[3])):.2f}")' "$calls" "$after" "$before"
}

echo "== bad start-ups report on the ready fd"
out=$("$BIN" --foreground --mode passthrough --writeback --ready-fd 3 "$LOWER" "$MNT" 3>&1 2>/dev/null || true)
check "passthrough+writeback refused" eq "${out%%:*}" "error"

echo "== --mode bpf on a kernel without FUSE-BPF"
if [[ -e /sys/fs/fuse/features/fuse_bpf ]]; then
	echo "  skip (this kernel has FUSE-BPF: test it in a guest, see README)"
else
	rc=0
	out=$("$BIN" --foreground --mode bpf --ready-fd 3 "$LOWER" "$MNT" 3>&1 2>/dev/null) || rc=$?
	check "auto ABI refused with a reason (exit $rc)" eq "${out%%(*}:$rc" "error: cannot tell which FUSE-BPF ABI this kernel speaks :3"
	mkdir -p "$LOWER/bpfdir"
	fifo="$SCRATCH/ready.fifo"; rm -f "$fifo"; mkfifo "$fifo"
	"$BIN" --foreground --mode bpf --fuse-bpf-abi android --ready-fd 3 "$LOWER" "$MNT" \
		3>"$fifo" 2>"$SCRATCH/daemon.err" &
	DAEMON_PID=$!
	read -r -t 20 line <"$fifo" || true
	ls "$MNT/bpfdir" >/dev/null 2>&1 || true
	rc=0; wait "$DAEMON_PID" || rc=$?; DAEMON_PID=""
	check "android ABI: first LOOKUP reply rejected, daemon exits 3" eq "$line:$rc" "ready:3"
	check "  and says why" grep -q "kernel rejected the FUSE-BPF LOOKUP reply (EINVAL): no FUSE-BPF" "$SCRATCH/daemon.err"
	check "  and unmounted" eval '! mountpoint -q "$MNT"'
	rmdir "$LOWER/bpfdir"
fi

echo "== --transport uring"
if [[ ! -e "$URING_PARAM" ]]; then
	echo "  skip (no $URING_PARAM: kernel without CONFIG_FUSE_IO_URING)"
else
	URING_OLD=$(cat "$URING_PARAM")
	echo N >"$URING_PARAM"
	rc=0
	out=$("$BIN" --foreground --transport uring --ready-fd 3 "$LOWER" "$MNT" 3>&1 2>/dev/null) || rc=$?
	check "enable_uring=N: refused with the fix, exit 3" eq "${out%%(*}:${out##*: }:$rc" \
		"error: kernel did not offer FUSE_OVER_IO_URING in INIT :set $URING_PARAM to Y (needs Linux 6.14+ with CONFIG_FUSE_IO_URING):3"
	echo Y >"$URING_PARAM"
	run_mode "$BIN" plain umount uring
	run_mode "$BIN" passthrough sigterm uring
	if [[ $QUICK -eq 0 ]]; then
		run_mode "$BIN-asan" plain sigterm uring
		run_mode "$BIN-asan" passthrough umount uring
	fi
	if command -v perf >/dev/null; then
		dev=$(syscalls_per_read "$BIN" dev)
		uring=$(syscalls_per_read "$BIN" uring)
		check "daemon syscalls per READ: uring $uring < /dev/fuse $dev" \
			python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$uring" "$dev"
	else
		echo "  skip syscall count (no perf: apt-get install linux-perf)"
	fi
	echo "$URING_OLD" >"$URING_PARAM"
	URING_OLD=""
fi

if [[ $FAILS -ne 0 ]]; then
	echo "smoke: $FAILS check(s) failed"
	exit 1
fi
echo "smoke: all checks passed"
