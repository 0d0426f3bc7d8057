#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dm-multipath benchmark (not a test), run in the guest by `make bench`:
# in-tree dm-multipath and keel's alternately in the same boot, 4 paths
# over null_blk, service-time, fio 4k randread qd32, request-based (rq)
# and bio-based maps; the bare device is one of the null_blk paths without
# dm. The floor of the bio-based map is dm-linear on that path: dm core
# with a target that only remaps. Then, smp mode only, the failover pause: 2 scsi_debug paths, fio 4k
# randread qd1, one path offlined mid-run, the worst completion latency.
# bench/lib.sh says how rounds and modes work.
. "$(dirname "$0")/../tests/mpath/rc"
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init mpath || exit 1
J_RR=(--rw=randread --bs=4k --iodepth=32 --size=512M)
bench_job rq half "4k randread qd32, 4 paths, rq"
bench_job bio half "4k randread qd32, 4 paths, bio"

nullb_load 4 || { echo "bench: null_blk not available"; exit 1; }
paths=""
for d in nullb0 nullb1 nullb2 nullb3; do paths="$paths $(devnum /dev/$d) 1 1"; done
SZ=$((1 << 21))

map_run() {	# job impl round features
	dmsetup create mpbench --table \
		"0 $SZ multipath $4 0 1 1 service-time 0 4 2$paths" || return 1
	bench_fio "$1" "$2" "$3" /dev/mapper/mpbench "${J_RR[@]}"
	[ "$3" = 1 ] && bench_profile "$1" "$2" /dev/mapper/mpbench "${J_RR[@]}"
	dmsetup remove mpbench
}

pause_run() {	# -> worst clat in ms during a path offline
	sdebug_paths 64 || return 1
	local n1 n2
	n1=$(devnum "${SDEV[0]}") n2=$(devnum "${SDEV[1]}")
	dmsetup create mpbench --table "0 $(sectors "${SDEV[0]}") multipath 0 0 1 1 round-robin 0 2 1 $n1 1 $n2 1"
	( sleep 2; sdev_state "${SDEV[0]}" offline ) &
	fio --name=b --filename=/dev/mapper/mpbench --direct=1 --rw=randread \
	    --bs=4k --iodepth=1 --ioengine=libaio --time_based --runtime=5 \
	    --size=32M --output-format=json 2>/dev/null |
		python3 -c 'import json, sys
print("%.1f" % (json.load(sys.stdin)["jobs"][0]["read"]["clat_ns"]["max"] / 1e6))'
	wait
	dmsetup remove mpbench
	sdebug_unload
}

for round in $(seq "$BENCH_ROUNDS"); do
	bench_fio rq bare "$round" /dev/nullb0 "${J_RR[@]}"
	bench_fio bio bare "$round" /dev/nullb0 "${J_RR[@]}"
	[ "$round" = 1 ] && bench_profile rq bare /dev/nullb0 "${J_RR[@]}"
	dm_linear mpfloor /dev/nullb0 > /dev/null 2>&1 &&
		bench_fio bio floor "$round" /dev/mapper/mpfloor "${J_RR[@]}"
	dmsetup remove --retry mpfloor 2>/dev/null
	for impl in intree keel; do
		KEEL_IMPL=$impl mp_load || {
			echo "bench: cannot load $impl dm-multipath"; exit 1; }
		map_run rq "$impl" "$round" 0 || exit 1
		map_run bio "$impl" "$round" "2 queue_mode bio" || exit 1
		if [ "$BENCH_MODE" = smp ]; then
			bench_note "round $round $impl: failover pause" \
				"$(pause_run) ms (worst 4k read latency while a path goes offline)"
		fi
		mp_unload
	done
done
nullb_unload
bench_report
