# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# blk.sh - block devices for tests: brd, null_blk and scsi_debug.
#
#	brd_load N MB             /dev/ram0..N-1 of MB MiB each (brd reloaded),
#	                          discard off unless BRD_DISCARD=1
#	brd_unload
#	nullb_load N [PARAM=V...] /dev/nullb0..N-1 from module parameters
#	                          (default 1 GiB, not memory backed: reads give
#	                          zeroes; for tables and selectors, not data)
#	nullb_create NAME MB [ATTR=V...]  /dev/NAME through configfs, memory
#	                          backed (data reads back)
#	nullb_delete NAME
#	nullb_unload              every configfs device, then the module
#	sdebug_load [PARAM=V...]  scsi_debug; its disks in SDEBUG_DISKS
#	sdebug_paths MB           two paths to ONE scsi_debug LU, in SDEV
#	sdebug_unload
#	configfs_mount            /sys/kernel/config, mounted once
#	devnum DEV                major:minor of a block device
#	sectors DEV               its size in 512-byte sectors
#
# Each returns non-zero when the device is not there afterwards, so a test
# can say `brd_load 2 64 || skip_all "no brd"`.

devnum() {
	printf '%d:%d' "$(stat -Lc '0x%t' "$1")" "$(stat -Lc '0x%T' "$1")"
}

sectors() {
	blockdev --getsz "$1"
}

configfs_mount() {
	grep -q ' /sys/kernel/config configfs' /proc/mounts && return 0
	modprobe configfs 2>/dev/null
	mount -t configfs configfs /sys/kernel/config
}

# ---- brd ------------------------------------------------------------

brd_load() {
	local n=$1 mb=$2 i
	[ -d /sys/module/brd ] && rmmod brd 2>/dev/null
	modprobe brd rd_nr="$n" rd_size=$((mb * 1024)) max_part=0 || return 1
	udevadm settle 2>/dev/null
	for i in $(seq 0 $((n - 1))); do
		[ -b "/dev/ram$i" ] || return 1
		# brd discards since 6.12; the tests take brd as the device that
		# cannot (null_blk discard=1 is the one that can), on both kernels
		[ "${BRD_DISCARD:-0}" = 1 ] ||
			echo 0 > "/sys/block/ram$i/queue/discard_max_bytes" 2>/dev/null
	done
}

brd_unload() {
	[ -d /sys/module/brd ] && rmmod brd 2>/dev/null
	return 0
}

# ---- null_blk -------------------------------------------------------

nullb_load() {
	local n=$1 i
	shift
	modprobe null_blk nr_devices="$n" gb=1 queue_mode=2 "$@" >/dev/null 2>&1 ||
		return 1
	udevadm settle 2>/dev/null
	for i in $(seq 0 $((n - 1))); do
		[ -b "/dev/nullb$i" ] || return 1
	done
}

nullb_create() {
	local name=$1 mb=$2 d kv
	shift 2
	configfs_mount || return 1
	[ -d /sys/kernel/config/nullb ] || modprobe null_blk nr_devices=0 ||
		return 1
	d=/sys/kernel/config/nullb/$name
	mkdir "$d" || return 1
	echo "$mb" > "$d/size"
	echo 1 > "$d/memory_backed"
	for kv in "$@"; do
		echo "${kv#*=}" > "$d/${kv%%=*}" || return 1
	done
	echo 1 > "$d/power" || return 1
	udevadm settle 2>/dev/null
	[ -b "/dev/$name" ]
}

nullb_delete() {
	local d=/sys/kernel/config/nullb/$1
	[ -d "$d" ] || return 0
	echo 0 > "$d/power" 2>/dev/null
	rmdir "$d"
}

nullb_unload() {
	local d
	for d in /sys/kernel/config/nullb/*/; do
		[ -d "$d" ] && nullb_delete "$(basename "$d")"
	done
	[ -d /sys/module/null_blk ] && rmmod null_blk 2>/dev/null
	return 0
}

# ---- scsi_debug -----------------------------------------------------

# _sdebug_disks: the scsi_debug disks, /dev/sdX, one per line
_sdebug_disks() {
	local d
	for d in /sys/bus/pseudo/drivers/scsi_debug/adapter*/host*/target*/*:*/block/*; do
		[ -e "$d" ] && echo "/dev/${d##*/}"
	done
}

sdebug_load() {
	local i
	[ -d /sys/module/scsi_debug ] && return 1
	modprobe scsi_debug "$@" || return 1
	udevadm settle 2>/dev/null
	for i in $(seq 50); do
		mapfile -t SDEBUG_DISKS < <(_sdebug_disks)
		[ ${#SDEBUG_DISKS[@]} -gt 0 ] && [ -b "${SDEBUG_DISKS[0]}" ] &&
			return 0
		sleep 0.2
	done
	return 1
}

# Two paths to ONE logical unit: hosts with one target each, sharing one
# store; with vpd_use_hostno=0 they report the same LU name and serial
# (one WWID).  scsi_debug reports TPGS with the ALUA state taken from
# host_no % 3 (0 = active/optimized, 1 = active/non-optimized,
# 2 = standby) and host numbers are reused on reload, so three hosts are
# added and the disk of the standby one is deleted: the two paths left are
# usable, with or without scsi_dh_alua, and every run sees the same state.
sdebug_paths() {
	local mb=${1:-64} h n d
	# no automatic scsi_dh attach: only tables attach handlers
	rmmod scsi_dh_alua 2>/dev/null
	modprobe scsi_debug dev_size_mb="$mb" num_tgts=1 max_luns=1 add_host=3 \
		 vpd_use_hostno=0 delay=0 ndelay=10000 || return 1
	udevadm settle 2>/dev/null
	SDEV=()
	for h in /sys/bus/pseudo/drivers/scsi_debug/adapter*/host*; do
		n=${h##*/host}
		for d in "$h"/target*/*:*/block/*; do
			[ -e "$d" ] || continue
			if [ $((n % 3)) -eq 2 ]; then
				echo 1 > "$(dirname "$(dirname "$d")")/delete"
			else
				SDEV+=("/dev/$(basename "$d")")
			fi
		done
	done
	udevadm settle 2>/dev/null
	[ "${#SDEV[@]}" -ge 2 ]
}

# The disks may still be held for a moment after their last user: retry.
sdebug_unload() {
	local i
	[ -d /sys/module/scsi_debug ] || return 0
	udevadm settle 2>/dev/null
	for i in $(seq 10); do
		rmmod scsi_debug 2>/dev/null && return 0
		sleep 1
	done
	return 1
}
