# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# dm.sh - device-mapper fixtures: slow, flaky and failing devices.
#
#	dm_linear NAME DEV                 /dev/mapper/NAME, all of DEV
#	dm_delay NAME DEV READ_MS [WRITE_MS]
#	                                   reads (and writes: WRITE_MS, else
#	                                   READ_MS) delayed
#	dm_flakey NAME DEV UP DOWN [FEATURE...]
#	                                   up for UP s, then failing for DOWN s
#	                                   (FEATURE: error_writes, drop_writes)
#	dm_dev NAME                        the dm-N name behind /dev/mapper/NAME
#	dm_remove_all PREFIX               every map whose name starts so
#
# Each loads its target module and returns non-zero when the map is not
# there afterwards.

dm_linear() {
	dmsetup create "$1" --table "0 $(blockdev --getsz "$2") linear $2 0"
}

dm_delay() {
	local name=$1 dev=$2 r=$3 w=${4:-} sz
	modprobe dm-delay 2>/dev/null
	sz=$(blockdev --getsz "$dev") || return 1
	if [ -n "$w" ]; then
		dmsetup create "$name" --table "0 $sz delay $dev 0 $r $dev 0 $w"
	else
		dmsetup create "$name" --table "0 $sz delay $dev 0 $r"
	fi
}

dm_flakey() {
	local name=$1 dev=$2 up=$3 down=$4 sz
	shift 4
	modprobe dm-flakey 2>/dev/null
	sz=$(blockdev --getsz "$dev") || return 1
	dmsetup create "$name" \
		--table "0 $sz flakey $dev 0 $up $down${1:+ $# $*}"
}

dm_dev() {
	basename "$(readlink -f "/dev/mapper/$1")"
}

dm_remove_all() {
	local m
	for m in $(dmsetup ls 2>/dev/null | awk -v p="$1" 'index($1, p) == 1 { print $1 }'); do
		dmsetup remove --retry "$m" 2>/dev/null
	done
	return 0
}
