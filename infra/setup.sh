#!/usr/bin/env bash
# Installs what the suite needs on Debian 12 (as root), then builds what it runs:
#   - system packages with apt-get (fio, compilers, libfuse3-dev for passthrough_ll, perf and
#     bpftrace for counting, QEMU and busybox for the VM runner, Chromium for the report's browser test,
#     acl for the ACL conformance cases' setfacl/getfacl);
#   - npm packages with `npm ci`;
#   - our FUSE daemon (infra/daemon) and libfuse's passthrough_ll example, compiled from the source
#     Debian ships in libfuse3-dev into build/ (never copied into the repository).
# With --if-needed it only does the work whose inputs changed since the last successful run (a stamp
# file), so `npm test` can call it every time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
stamp="$root/.setup-stamp"
if_needed=0
[ "${1:-}" = "--if-needed" ] && if_needed=1

packages=(fio build-essential pkg-config libfuse3-dev fuse3 linux-perf bpftrace
  qemu-system-x86 qemu-utils busybox-static cpio xz-utils zstd kmod chromium util-linux psmisc acl)

inputs_hash() {
  cat infra/setup.sh package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1
}

log() { printf 'setup: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (it installs packages with apt-get and the suite mounts file systems)"
  exit 1
fi

build_native() {
  if [ -f infra/daemon/Makefile ]; then
    make -s -C infra/daemon all >&2
  fi
  # libfuse's own example daemon: the reference plain-FUSE daemon the product names.
  local example=/usr/share/doc/libfuse3-dev/examples/passthrough_ll.c
  local out="$root/build/passthrough_ll"
  # The HAVE_ flags are what libfuse's own meson build detects on glibc; without them the example
  # leaves out fallocate and copy_file_range and is a weaker reference than the daemon people mean.
  if [ -f "$example" ] && { [ ! -x "$out" ] || [ "$example" -nt "$out" ] || [ infra/setup.sh -nt "$out" ]; }; then
    mkdir -p "$root/build"
    # shellcheck disable=SC2046
    cc -O2 -Wall -DHAVE_FALLOCATE -DHAVE_COPY_FILE_RANGE -I"$(dirname "$example")" "$example" -o "$out" $(pkg-config --cflags --libs fuse3)
    log "built $out from Debian's $example"
  fi
}

if [ $if_needed -eq 1 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(inputs_hash)" ] && [ -d node_modules ]; then
  build_native
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

log "npm ci"
npm ci --no-audit --no-fund >&2

build_native
inputs_hash > "$stamp"
log "done: fio $(fio --version), node $(node --version), kernel $(uname -r)"
