#!/bin/busybox sh
# /init of the fusebench guest initramfs (copied in by bench/vm/initramfs.ts).
# It loads the modules listed in /fusebench/modules.list, mounts the host root read-only over 9p at
# /host, gives the chroot a writable /tmp and /run, mounts the output share at its host path, runs
# /fusebench/job.sh (with the bundled programs beside it) in the chroot, reports the exit code and powers off.
# Lines starting with "FUSEBENCH_<word>_<nonce>" are markers the host reads off the console.
# shellcheck shell=sh disable=SC1091

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mkdir -p /proc /sys /dev /host
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || mdev -s

. /fusebench/conf
M="FUSEBENCH"
say() { echo "${M}_$1_${NONCE} $2"; }
fail() {
  say FAIL "$1"
  echo "fusebench-init: $1" >&2
  sync
  poweroff -f
  sleep 30
}

say BOOTED "$(uname -r)"

release="$(uname -r)"
if [ -s /fusebench/modules.list ]; then
  while read -r ko; do
    [ -n "$ko" ] || continue
    name="${ko##*/}"; name="${name%.ko}"
    # Already there (built in or loaded): nothing to do.
    [ -d "/sys/module/$name" ] && continue
    insmod "$ko" || say WARN "insmod $ko failed"
  done < /fusebench/modules.list
elif [ -f "/lib/modules/$release/modules.dep" ]; then
  # Modules came with a user-supplied --initrd: let busybox modprobe follow its modules.dep.
  for name in $WANTED_MODULES; do
    [ -d "/sys/module/$name" ] || modprobe "$name" 2>/dev/null || true
  done
fi

missing=""
grep -qw 9p /proc/filesystems || missing="$missing, CONFIG_9P_FS"
[ -d /sys/bus/virtio ] || missing="$missing, CONFIG_VIRTIO_PCI"
[ -d /sys/bus/virtio ] && [ ! -d /sys/bus/virtio/drivers/9pnet_virtio ] && missing="$missing, CONFIG_NET_9P_VIRTIO"
[ -z "$missing" ] || fail "cannot mount the host root over 9p; kernel lacks: ${missing#, }"
# virtio-pci probes asynchronously after its module loads; give the 9p channel a moment to appear.
tries=0
until mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot /host 2>/dev/null; do
  tries=$((tries + 1))
  [ "$tries" -lt 20 ] || fail "cannot mount the host root over 9p (mount_tag hostroot): $(mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host 2>&1)"
  sleep 0.5
done

R=/host
mount -t proc proc "$R/proc" || fail "cannot mount proc in the chroot"
mount -t sysfs sysfs "$R/sys" || fail "cannot mount sysfs in the chroot"
mount -t devtmpfs devtmpfs "$R/dev" 2>/dev/null || mount --bind /dev "$R/dev" || fail "cannot mount /dev in the chroot"
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts devpts "$R/dev/pts" 2>/dev/null
mount -t tmpfs tmpfs "$R/dev/shm"
# A checkout under /tmp or /run would be hidden by the tmpfs below: keep a handle on it first.
case "$CHECKOUT_DIR" in
  /tmp/*|/run/*)
    mkdir -p /fusebench/checkout
    mount --bind "$R$CHECKOUT_DIR" /fusebench/checkout || fail "cannot bind the checkout $CHECKOUT_DIR"
    ;;
esac
# The host root is read-only: the chroot's /tmp (and so FUSEBENCH_SCRATCH) and /run are guest tmpfs.
mount -t tmpfs -o mode=1777,size=80% tmpfs "$R/tmp" || fail "cannot mount tmpfs on /tmp (CONFIG_TMPFS)"
mount -t tmpfs -o mode=755 tmpfs "$R/run" || fail "cannot mount tmpfs on /run"
if [ -d /fusebench/checkout ]; then
  mkdir -p "$R$CHECKOUT_DIR"
  mount --bind /fusebench/checkout "$R$CHECKOUT_DIR" || fail "cannot put the checkout back at $CHECKOUT_DIR"
fi
mkdir -p "$R/run/fusebench" "$R$SCRATCH" "$R/tmp/fusebench-home"
cp /fusebench/job.sh "$R/run/fusebench/job.sh"
# Bundled programs (bench/vm/guest-programs.ts), read from RAM rather than over 9p.
cp /fusebench/programs/* "$R/run/fusebench/" 2>/dev/null

if [ -n "$OUT_DIR" ]; then
  # The mount point exists in the host root, or (under /tmp or /run) in the tmpfs made just above.
  mkdir -p "$R$OUT_DIR" 2>/dev/null
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 fusebench_out "$R$OUT_DIR" \
    || fail "cannot mount the output share at $OUT_DIR"
fi

# Boot messages are in the log already; from here on only errors interleave with the command output.
echo 4 > /proc/sys/kernel/printk
say START ""
chroot "$R" /bin/sh /run/fusebench/job.sh
rc=$?
[ -n "$OUT_DIR" ] && echo "$rc" > "$R$OUT_DIR/.vm-exit-code-$NONCE"
say EXIT "$rc"
sync
[ -n "$OUT_DIR" ] && umount "$R$OUT_DIR" 2>/dev/null
poweroff -f
sleep 30
