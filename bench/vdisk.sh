#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vdisk benchmark (not a test): run inside the guest by tools/bench.sh.
# Same boot, same brd backing device, tcm_loop initiator: in-tree iblock
# first, then keel's, each with fio 4k randread / randwrite at qd32 and
# 1 MiB sequential read / write; prints IOPS / MiB/s and keel/in-tree
# ratios (> 1.00: keel is faster). Each job alternates in-tree, keel,
# in-tree, keel ... VDISK_BENCH_ROUNDS times (default 2) and keeps the
# best of each, so a one-off stall under TCG does not decide.
#
#   VDISK_BENCH_RUNTIME  seconds per fio job (default 8)
#   VDISK_BENCH_ROUNDS   rounds per implementation (default 2)
#   VDISK_BENCH_SIZE     brd size in MiB (default 512)
. "$(dirname "$0")/../tests/vdisk/rc"

runtime=${VDISK_BENCH_RUNTIME:-8}
rounds=${VDISK_BENCH_ROUNDS:-2}
size=${VDISK_BENCH_SIZE:-512}
out=${KEEL_OUT:-/tmp}/vdisk-bench
mkdir -p "$out"

jobs=(
	"randread-4k-qd32:--rw=randread --bs=4k --iodepth=32"
	"randwrite-4k-qd32:--rw=randwrite --bs=4k --iodepth=32"
	"seqread-1m:--rw=read --bs=1m --iodepth=8"
	"seqwrite-1m:--rw=write --bs=1m --iodepth=8"
)

setup() {	# setup <impl>
	KEEL_IMPL=$1
	vd_load || { echo "bench: cannot load $1 iblock"; return 1; }
	vd_create bench "udev_path=/dev/ram0" || return 1
	vd_export bench || return 1
	echo none > "/sys/block/${VD_SD#/dev/}/queue/scheduler" 2>/dev/null
}

teardown() {
	vd_unexport
	vd_destroy bench 2>/dev/null
	# the HBA and the fabric dir pin the backend and tcm_loop modules
	rmdir "$HBA" "$CFS/loopback" 2>/dev/null
	vd_unload
}

# metric <job> <impl> <round>: IOPS for 4k jobs, MiB/s for 1M ones
metric() {
	local f=$out/$1-$2-$3.json
	fio --name="$1" --filename="$VD_SD" --direct=1 --ioengine=libaio \
	    --time_based --runtime="$runtime" --ramp_time=1 --size=256m \
	    --numjobs=1 --group_reporting --output-format=json \
	    --output="$f" ${4} > /dev/null 2>&1 || { echo 0; return; }
	python3 - "$f" "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
side = j["read"] if j["read"]["io_bytes"] else j["write"]
if "1m" in sys.argv[2]:
    print("%.1f" % (side["bw_bytes"] / 1048576.0))
else:
    print("%.0f" % side["iops"])
PY
}

brd_load 1 "$size" || exit 1
# touch every page once so neither side pays brd's first allocation
dd if=/dev/zero of=/dev/ram0 bs=1M count="$size" oflag=direct 2>/dev/null

declare -A best
for r in $(seq "$rounds"); do
	for impl in intree keel; do
		setup "$impl" || { teardown; exit 1; }
		for j in "${jobs[@]}"; do
			name=${j%%:*}
			v=$(metric "$name" "$impl" "$r" "${j#*:}")
			k=$name/$impl
			if [ -z "${best[$k]:-}" ] ||
			   python3 -c "import sys; sys.exit(0 if $v > ${best[$k]} else 1)"; then
				best[$k]=$v
			fi
			echo "round $r $impl $name: $v"
		done
		teardown
	done
done

echo
printf '%-20s %12s %12s %8s\n' job in-tree keel ratio
for j in "${jobs[@]}"; do
	name=${j%%:*}
	a=${best[$name/intree]}
	b=${best[$name/keel]}
	unit=IOPS
	case $name in *1m*) unit=MiB/s ;; esac
	ratio=$(python3 -c "print('%.2f' % ($b / $a) if $a else 'n/a')")
	printf '%-20s %12s %12s %8s  (%s)\n' "$name" "$a" "$b" "$ratio" "$unit"
done
brd_unload
