#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest half of tools/ablate.sh raid1: DIR VARIANT... where DIR/VARIANT/
# raid1.ko are the builds. Two brd legs of 256 MiB, pre-written; for each
# of ROUNDS rounds: the bare leg, the in-tree raid1, then every variant,
# each on a fresh array, fio 4k randread qd32 for 3 s of guest time (the
# job of make bench's "4k randread qd32", through bench/lib.sh). Prints
# "run NAME ROUND IOPS".
set -uo pipefail
dir=$1
shift
rounds=${KEEL_BENCH_ROUNDS:-2}
md=/dev/md/ablate
modprobe md_mod || exit 1
modprobe brd rd_nr=3 rd_size=262144 || exit 1
for d in /dev/ram0 /dev/ram1 /dev/ram2; do
	dd if=/dev/zero of=$d bs=1M oflag=direct 2> /dev/null
done

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/../../bench/lib.sh"

iops() {	# device [seconds]: make bench's fio job, udev held
	BENCH_RT=${2:-3}
	_bench_fio_args "$1" --rw=randread --bs=4k --iodepth=32 --size=240M
	_bench_quiet fio "${BENCH_ARGS[@]}" --output-format=json 2> /dev/null |
		python3 -c 'import json, sys
j = json.load(sys.stdin)["jobs"][0]
print("%.0f" % (j["read"]["iops"] + j["write"]["iops"]))'
}

one() {	# variant round
	local d n
	if [ "$1" = intree ]; then
		modprobe raid1 || return 1
		# the in-tree module has no version file, keel's has
		[ ! -e /sys/module/raid1/version ] || { echo "ablate: not in-tree"; return 1; }
	else
		insmod "$dir/$1/raid1.ko" || return 1
	fi
	mdadm --create "$md" --run --quiet --level=1 --raid-devices=2 \
		--assume-clean --bitmap=none /dev/ram0 /dev/ram1 < /dev/null \
		> /dev/null 2>&1 || { echo "ablate: $1: no array"; return 1; }
	udevadm settle
	n=$(iops "$(readlink -f "$md")")
	echo "run $1 $2 $n"
	mdadm --stop "$md" > /dev/null 2>&1
	mdadm --zero-superblock /dev/ram0 /dev/ram1
	udevadm settle
	rmmod raid1
}

iops /dev/ram2 1 > /dev/null	# fio's first run pays for loading fio
for r in $(seq "$rounds"); do
	echo "run bare $r $(iops /dev/ram2)"
	for v in intree "$@"; do
		one "$v" "$r" || exit 1
	done
done
