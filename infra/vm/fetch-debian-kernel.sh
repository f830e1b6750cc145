#!/bin/bash
# Fetch Debian's packaged 6.1 kernel (the one linux-image-amd64 depends on) without installing it,
# extract it into a cache dir, and print the extracted root (holds boot/vmlinuz-* and lib/modules/*).
# Idempotent: a second call only prints the path. Usage: fetch-debian-kernel.sh [CACHE_DIR]
set -euo pipefail
cache="${1:-${FUSEBENCH_VM_CACHE:-/var/cache/fusebench-vm}}"
mkdir -p "$cache"
cd "$cache"

pkg="${DEBIAN_KERNEL_PACKAGE:-}"
if [ -z "$pkg" ]; then
  # linux-image-amd64 is the metapackage; its one Depends names the current ABI (e.g. linux-image-6.1.0-56-amd64).
  pkg="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')"
  if [ -z "$pkg" ]; then
    apt-get update -qq >&2
    pkg="$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')"
  fi
fi
[ -n "$pkg" ] || { echo "fetch-debian-kernel: cannot resolve linux-image-amd64's kernel package" >&2; exit 1; }

root="$cache/$pkg"
if [ -f "$root/.extracted" ]; then echo "$root"; exit 0; fi

if ! ls "$cache"/"${pkg}"_*.deb >/dev/null 2>&1; then
  # apt-get download runs as _apt when it can; a root-owned dir it cannot write to only warns.
  apt-get download -q "$pkg" >&2
fi
deb="$(ls "$cache"/"${pkg}"_*.deb | head -n1)"
rm -rf "$root.tmp"
dpkg-deb -x "$deb" "$root.tmp"
rm -rf "$root"
mv "$root.tmp" "$root"
touch "$root/.extracted"
echo "$root"
