#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh [--print]
#
# Build (once) the KASAN/lockdep/kmemleak/KUnit kernel from Debian's
# linux-source-6.1 (KEEL_DEBUG_SERIES=6.12: linux-source-6.12) and cache
# it outside the checkout, keyed by the config fragment and the source
# package version, and patched with tools/debug-kernel-<series>.patches/*
# (fixes to the kernel's own code that keel's tests run into, such as the
# emulated RDMA fabric; never to what keel replaces). Prints the cache
# directory on stdout; it holds:
#   src/                   the configured, built tree (KDIR for keel's debug build)
#   src/arch/x86/boot/bzImage
#   modroot/lib/modules/<kver>/   installed modules
#   kver                   the kernel release string
# --print only prints the directory if the kernel is already built.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/debug-kernel.config
series=${KEEL_DEBUG_SERIES:-6.1}
srcpkg=linux-source-$series
tarball=/usr/src/$srcpkg.tar.xz
cache_root=${KEEL_CACHE:-/var/cache/keel}/debug-kernel

sver=$(dpkg-query -W -f='${Version}' "$srcpkg" 2>/dev/null || true)
[ -n "$sver" ] && [ -f "$tarball" ] || {
	echo "debug-kernel: $srcpkg is not installed (make deps)" >&2
	exit 1
}
patches=()
for p in "$here/debug-kernel-$series.patches"/*.patch; do
	[ -f "$p" ] && patches+=("$p")
done
# An unpatched build keeps the key it always had.
key=$( { cat "$frag"; echo "$sver"; [ ${#patches[@]} -eq 0 ] || cat "${patches[@]}"; } |
	sha256sum | cut -c1-16)
dir=$cache_root/$sver-$key

if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi
[ "${1:-}" = "--print" ] && exit 1

mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9
if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi

log=$cache_root/build-$key.log
echo "debug-kernel: building linux-source $sver with keel's fragment (key $key)" >&2
echo "debug-kernel: log in $log; takes ~20 minutes on 2 cores" >&2
start=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir"
# Symbols of the fragment a series no longer has (md-faulty left in 6.8):
# tools/debug-kernel-<series>.absent, one CONFIG_ name a line. They only
# relax the check below; the built config is the same, so they are not
# part of the cache key.
absent=$here/debug-kernel-$series.absent
# Not `( ... ) || handler`: errexit is off inside a subshell whose status
# is tested, so a failed step would go on and the kernel be cached.
set +e
(
	set -e
	tar -C "$dir" -xJf "$tarball"
	mv "$dir/$srcpkg" "$dir/src"
	cd "$dir/src"
	for p in ${patches[@]+"${patches[@]}"}; do
		echo "applying ${p##*/}"
		patch -p1 -s --no-backup-if-mismatch < "$p"
	done
	make -s defconfig
	make -s kvm_guest.config
	scripts/kconfig/merge_config.sh -m .config "$frag" >/dev/null
	make -s olddefconfig
	# Every line of the fragment must have survived olddefconfig: a symbol
	# that silently fell out (a dependency missing) means a weaker kernel.
	bad=0
	while IFS= read -r line; do
		sym=${line#\# }; sym=${sym%%[= ]*}
		if [ -f "$absent" ] && grep -qxF "$sym" "$absent"; then
			grep -q "^$sym=" .config && { echo "present but listed absent: $sym"; bad=1; }
			continue
		fi
		case "$line" in
		CONFIG_*=*) grep -qxF "$line" .config || { echo "missing: $line"; bad=1; } ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			grep -q "^$sym=" .config && { echo "still set: $sym"; bad=1; } ;;
		esac
	done < "$frag"
	[ $bad -eq 0 ]
	nice -n 5 make -j"$(nproc)" bzImage modules
	make -s INSTALL_MOD_PATH="$dir/modroot" INSTALL_MOD_STRIP=1 modules_install
	make -s kernelrelease > "$dir/kver"
	# drop intermediate objects of the vmlinux build we never need again,
	# keep what an external module build needs (M=).
) > "$log" 2>&1
rc=$?
set -e
if [ $rc -ne 0 ]; then
	echo "debug-kernel: build failed; last lines of $log:" >&2
	tail -30 "$log" >&2
	exit 1
fi
touch "$dir/.done"
echo "debug-kernel: built in $(( $(date +%s) - start )) s" >&2
echo "$dir"
