#!/bin/bash
# Runs inside a FUSE-BPF guest (see bpf-guest.ts): --mode bpf over a tmpfs lower, checks data
# through the mount and that the daemon saw only INIT, LOOKUPs of root entries and root GETATTRs.
set -u
HERE="$(cd "$(dirname "$0")/.." && pwd)"
D="$HERE/build/fusebench-daemon"
S="${1:-/tmp/fusebench}/bpf-guest"
mkdir -p "$S/l" "$S/m" "$S/t"
mount -t tmpfs tmpfs "$S/l"
mount -t tmpfs tmpfs "$S/t"	# 9p (the shared dir) has no fifos
mkdir "$S/l/d"
dd if=/dev/urandom of="$S/l/d/big" bs=1M count=16 status=none
echo hi >"$S/l/f"
echo "fuse_bpf feature: $(cat /sys/fs/fuse/features/fuse_bpf 2>&1)"
mkfifo "$S/t/rf"
"$D" --foreground --mode bpf --stats "$S/stats.json" --ready-fd 3 "$S/l" "$S/m" 3>"$S/t/rf" 2>"$S/err" &
PID=$!
read -r -t 20 line <"$S/t/rf"; echo "daemon: $line"
FAILS=0
ck() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; FAILS=$((FAILS + 1)); fi; }
ck "16 MiB read through the mount matches" 'cmp "$S/m/d/big" "$S/l/d/big"'
ck "root file reads" '[[ "$(cat "$S/m/f")" == hi ]]'
ck "readdir below root" '[[ "$(ls "$S/m/d" | tr "\n" " ")" == "big " ]]'
echo new >"$S/m/d/new" 2>/dev/null
ck "create below root reaches lower" '[[ "$(cat "$S/l/d/new" 2>/dev/null)" == new ]]'
dd if="$S/m/d/big" of=/dev/null bs=1M status=none
kill -USR1 $PID; sleep 1
cat "$S/stats.json"; echo
ck "daemon saw no READ/OPEN/READDIR" 'python3 -c "import json,sys; o=json.load(open(sys.argv[1]))[\"ops\"]; print(sorted(o)); sys.exit(1 if set(o) & {\"READ\",\"OPEN\",\"READDIR\",\"READDIRPLUS\",\"WRITE\",\"CREATE\"} else 0)" "$S/stats.json"'
umount "$S/m"; wait $PID; echo "daemon exit: $?"
cat "$S/err"
umount "$S/l" "$S/t"
exit $FAILS
