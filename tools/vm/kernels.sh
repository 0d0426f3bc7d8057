# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Which kernels keel boots, where keel's modules for each are, and the
# initramfs that gets a kernel onto the 9p root. Sourced by tools/*.

keel_root=${keel_root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

# keel_series_kver SERIES: the newest Debian kernel of SERIES (6.1, 6.12)
# in /boot, e.g. 6.12.118+deb12-amd64.
keel_series_kver() {
	local v
	v=$(ls /boot/vmlinuz-"$1".*-amd64 2>/dev/null | sort -V | tail -1)
	v=${v#/boot/vmlinuz-}
	[ -n "$v" ] && echo "$v"
}

# The Debian 6.1 kernel ("stock").
keel_stock_kver() {
	keel_series_kver 6.1
}

# keel_kernel_select stock|6.1|6.12|debug|debug-6.12: sets KEEL_KVER KEEL_BZIMAGE KEEL_MODROOT
# KEEL_BOOT_ALLOWANCE KEEL_APPEND KEEL_KERNEL_NAME.
keel_kernel_select() {
	local dir series
	KEEL_KERNEL_NAME=$1
	case "$1" in
	stock|6.1|6.12)
		series=${1/stock/6.1}
		KEEL_KVER=$(keel_series_kver "$series") || {
			echo "keel: no Debian $series kernel in /boot (make deps)" >&2
			return 1
		}
		KEEL_BZIMAGE=/boot/vmlinuz-$KEEL_KVER
		KEEL_MODROOT=
		KEEL_BOOT_ALLOWANCE=240
		KEEL_APPEND=
		;;
	debug|debug-6.12)
		series=6.1
		[ "$1" = debug-6.12 ] && series=6.12
		dir=$(KEEL_DEBUG_SERIES=$series "$keel_root/tools/debug-kernel.sh" --print) || {
			echo "keel: the $1 kernel is not built (KEEL_DEBUG_SERIES=$series tools/debug-kernel.sh)" >&2
			return 1
		}
		KEEL_KVER=$(cat "$dir/kver")
		KEEL_BZIMAGE=$dir/src/arch/x86/boot/bzImage
		KEEL_MODROOT=$dir/modroot
		KEEL_BOOT_ALLOWANCE=480
		# kmemleak scans are slow under TCG: only on request.
		# Under TCG's -cpu max (5-level paging) KASAN reported a
		# wild-memory-access in an interrupt during cpu_detect() at
		# boot, before any test: debug 6.12 once in 2 boots, debug 6.1
		# once (2026-12-05). Not keel's, but KASAN reports only its
		# first problem and lockdep switches off after one, so the
		# rest of that run was blind: 4-level paging (no5lvl), and
		# every KASAN report (kasan_multi_shot).
		KEEL_APPEND="kmemleak=on no5lvl kasan_multi_shot"
		;;
	*)
		echo "keel: unknown kernel '$1' (stock|6.1|6.12|debug|debug-6.12)" >&2
		return 1
		;;
	esac
	export KEEL_KVER KEEL_BZIMAGE KEEL_MODROOT KEEL_BOOT_ALLOWANCE KEEL_APPEND \
		KEEL_KERNEL_NAME
}

# Where the build puts keel's modules for each kernel: `make` builds in
# the checkout for one kernel (build/inplace-kver says which) and under
# build/<series>/ for the others; the debug kernel's are in build/debug.
keel_module_dir() {
	local kver series
	case "$1" in
	debug|debug-6.12) echo "$keel_root/build/$1"; return ;;
	stock) series=6.1 ;;
	*) series=$1 ;;
	esac
	kver=$(keel_series_kver "$series")
	if [ "$(cat "$keel_root/build/inplace-kver" 2>/dev/null)" = "$kver" ]; then
		echo "$keel_root"
	else
		echo "$keel_root/build/$series"
	fi
}

keel_built_modules() {
	local d
	d=$(keel_module_dir "$1")
	[ -d "$d" ] || return 0
	# the module folders of modules.list
	sed -e '/^[^a-z0-9_]/d' -e 's/[[:space:]].*//' -e "s|^|$d/|" \
		"$keel_root/modules.list" |
		xargs -I{} find {} -maxdepth 1 -name '*.ko' 2>/dev/null |
		sort | tr '\n' ' '
}

# keel_initramfs KVER: prints the path of a (cached) initramfs holding
# busybox, stage 1 and the 9p/overlay modules KVER lacks built in.
keel_initramfs() {
	local kver=$1 moddir want m f key img tmp
	moddir=/lib/modules/$kver
	[ -d "$moddir/kernel" ] || moddir=${KEEL_MODROOT:-/nonexistent}/lib/modules/$kver
	want="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay"
	key=$(cat "$keel_root/tools/vm/initramfs-init" /bin/busybox "$moddir/modules.dep" 2>/dev/null |
		sha256sum | cut -c1-12)
	img=$keel_root/build/vm/initramfs-$kver-$key.cpio.gz
	if [ -f "$img" ]; then
		echo "$img"
		return 0
	fi
	tmp=$(mktemp -d)
	mkdir -p "$tmp"/{bin,sbin,proc,sys,dev,mods,lower,rw,newroot}
	cp /bin/busybox "$tmp/bin/busybox"
	cp "$keel_root/tools/vm/initramfs-init" "$tmp/init"
	: > "$tmp/modules.order"
	for m in $want; do
		f=$(find "$moddir/kernel" -name "$m.ko*" 2>/dev/null | head -1)
		[ -n "$f" ] || continue	# built in
		case "$f" in
		*.xz) xz -dc "$f" > "$tmp/mods/$m.ko" ;;
		*.zst) zstd -qdc "$f" > "$tmp/mods/$m.ko" ;;
		*) cp "$f" "$tmp/mods/$m.ko" ;;
		esac
		echo "$m" >> "$tmp/modules.order"
	done
	mkdir -p "$(dirname "$img")"
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$img.tmp" &&
		mv "$img.tmp" "$img"
	rm -rf "$tmp"
	echo "$img"
}
