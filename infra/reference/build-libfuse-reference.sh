#!/usr/bin/env bash
# Builds libfuse's passthrough_hp, with FUSE over io_uring, from a libfuse source tree you supply
# (a git checkout or an extracted release tarball, libfuse 3.18 or newer), so a bench run can hold
# our daemon's ring (fuse-uring) against libfuse's own ring server (issue 17; see README.md here).
#
#   build-libfuse-reference.sh SRC_DIR [OUT_DIR]
#
# OUT_DIR defaults to build/reference/libfuse-<version>/ in the project (git-ignored). Nothing is
# installed: the binary runs from OUT_DIR, finding its own libfuse3.so through meson's build rpath.
# The path of the built passthrough_hp is the only thing printed on stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

log() { printf 'build-libfuse-reference: %s\n' "$*" >&2; }
fail() {
  log "$1"
  [ $# -gt 1 ] && log "$2"
  exit 1
}

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  log "usage: $0 SRC_DIR [OUT_DIR]"
  log "  SRC_DIR  a libfuse source tree (3.18+), e.g. git clone https://github.com/libfuse/libfuse"
  log "  OUT_DIR  build directory (default: build/reference/libfuse-<version> in the project)"
  exit 2
fi

src_arg=$1
if [ -f "$src_arg" ]; then
  fail "$src_arg is a file; this script takes a source directory" "Extract the tarball first: mkdir DIR && tar -xf $src_arg -C DIR --strip-components=1"
fi
[ -d "$src_arg" ] || fail "source directory $src_arg does not exist"
src=$(cd "$src_arg" && pwd)

# libfuse is a reference we build beside the project, never part of it.
case "$src/" in
  "$root/build/"*) ;;
  "$root/"*) fail "$src is inside the project; keep libfuse's source outside it (the project must never contain libfuse code)" ;;
esac

[ -f "$src/meson.build" ] && grep -q "^project('libfuse3'" "$src/meson.build" ||
  fail "$src is not a libfuse 3 source tree (no meson.build with project('libfuse3'))"
version=$(sed -n "s/^ *version: *'\([^']*\)'.*/\1/p" "$src/meson.build" | head -n 1)
[[ $version =~ ^([0-9]+)\.([0-9]+) ]] || fail "cannot read libfuse's version from $src/meson.build (found '$version')"
major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
if [ "$major" -ne 3 ] || [ "$minor" -lt 18 ] || [ ! -f "$src/lib/fuse_uring.c" ] ||
  ! grep -q "enable-io-uring" "$src/meson_options.txt"; then
  fail "libfuse $version in $src has no FUSE-over-io_uring support (lib/fuse_uring.c and the enable-io-uring option came in 3.18)" \
    "Use a libfuse 3.18+ release or a current checkout."
fi

missing=()
for tool in meson ninja c++ pkg-config; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
# libfuse's meson quietly leaves io_uring out without these; 3.18.x also wants libnuma for it.
libraries=(liburing)
grep -q "dependency('numa'" "$src/meson.build" && libraries+=(numa)
for library in "${libraries[@]}"; do
  pkg-config --exists "$library" 2>/dev/null || missing+=("$library (pkg-config $library)")
done
if [ ${#missing[@]} -gt 0 ]; then
  list=$(printf '%s, ' "${missing[@]}")
  fail "missing ${list%, }: libfuse would build without io_uring, or not at all" \
    "Install the reference tools: sudo bash $root/infra/setup.sh --reference-tools"
fi

out=${2:-$root/build/reference/libfuse-$version}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Only the library and the examples: libfuse's tests and utilities (fusermount3, mount.fuse3) are not
# needed to run passthrough_hp as root, and installing the utilities would need setuid root.
# debugoptimized is libfuse's default: -O2, as our daemon is built.
options=(-Dbuildtype=debugoptimized -Denable-io-uring=true -Dexamples=true -Dtests=false -Dutils=false)
if [ -f "$out/meson-private/coredata.dat" ]; then
  meson setup --reconfigure "${options[@]}" "$out" "$src" >&2
else
  meson setup "${options[@]}" "$out" "$src" >&2
fi

# meson may find liburing without what libfuse's check needs (SQE128): then it quietly builds without
# io_uring, and -o io_uring would be ignored. That must not pass as a reference ring server.
# (meson writes a true flag as a bare "#define HAVE_URING", a false one as #undef.)
grep -Eq '^#define HAVE_URING( 1)?$' "$out/fuse_config.h" ||
  fail "libfuse $version configured without io_uring support (liburing without SQE128?); see $out/meson-logs/meson-log.txt" \
    "Install the reference tools: sudo bash $root/infra/setup.sh --reference-tools"

ninja -C "$out" example/passthrough_hp >&2

binary=$out/example/passthrough_hp
[ -x "$binary" ] || fail "ninja finished but $binary is missing"
# It must load the libfuse3.so built beside it, not a system one (Debian's libfuse3.so.3 has no ring).
library=$(ldd "$binary" | awk '/libfuse3\.so/ { print $3 }')
case "$library" in
  "$out"/*) ;;
  *) fail "$binary loads libfuse from '${library:-nowhere}', not from $out/lib" ;;
esac
library=$(realpath "$library")
log "libfuse $version with io_uring: $binary (libfuse from $library)"
printf '%s\n' "$binary"
