#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# keel vs in-tree dm-multipath, run in the guest by `make bench`.
#  1. 4 paths over null_blk, fio 4k randread iodepth 32, rq and bio mode,
#     service-time: IOPS for both implementations and the keel/in-tree ratio
#  2. failover pause: 2 scsi_debug paths, fio 4k randread qd1, one path
#     offlined mid-run: the worst completion latency (lower is better)
# The two implementations alternate for MP_BENCH_ROUNDS rounds (default 3)
# and each keeps its best result, so a burst of load on the host hits both
# rather than one.  Not a test: it prints numbers.  BENCH_RUNTIME overrides
# the 8 s runs.
. "$(dirname "$0")/../tests/mpath/rc"

RT=${BENCH_RUNTIME:-8}
nullb_load 4 || { echo "bench: null_blk not available"; exit 1; }
paths=""
for d in nullb0 nullb1 nullb2 nullb3; do paths="$paths $(devnum /dev/$d) 1 1"; done
SZ=$((1 << 21))

fio_json() {	# file runtime iodepth -> "iops clat_max_ms"
	fio --name=b --filename="$1" --direct=1 --rw=randread --bs=4k \
	    --iodepth="$3" --ioengine=libaio --time_based --runtime="$2" \
	    --size=512M --output-format=json 2>/dev/null |
	python3 -c 'import json,sys
j = json.load(sys.stdin)["jobs"][0]["read"]
print("%.0f %.1f" % (j["iops"], j["clat_ns"]["max"] / 1e6))'
}

iops_run() {	# mode-features -> iops
	dmsetup create mpbench --table "0 $SZ multipath $1 0 1 1 service-time 0 4 2$paths" || return 1
	fio_json /dev/mapper/mpbench "$RT" 32 | cut -d' ' -f1
	dmsetup remove mpbench
}

pause_run() {	# -> worst clat in ms during a path offline
	sdebug_paths 64 || return 1
	local n1 n2 res
	n1=$(devnum "${SDEV[0]}") n2=$(devnum "${SDEV[1]}")
	dmsetup create mpbench --table "0 $(sectors "${SDEV[0]}") multipath 0 0 1 1 round-robin 0 2 1 $n1 1 $n2 1"
	( sleep 2; sdev_state "${SDEV[0]}" offline ) &
	res=$(fio_json /dev/mapper/mpbench 5 1)
	wait
	dmsetup remove mpbench
	sdebug_unload
	echo "$res" | cut -d' ' -f2
}

# keep(key value better): R[key] becomes the better of its old and @value
declare -A R
keep() {
	local old=${R[$1]:-}
	[ -n "$2" ] || return 0
	if [ -z "$old" ] || python3 -c "import sys; sys.exit(0 if ($2 $3 $old) else 1)"; then
		R[$1]=$2
	fi
}

ROUNDS=${MP_BENCH_ROUNDS:-3}
for round in $(seq "$ROUNDS"); do
	for impl in intree keel; do
		KEEL_IMPL=$impl mp_load || {
			echo "bench: cannot load $impl dm-multipath"; exit 1; }
		keep $impl.rq "$(iops_run "0")" '>'
		keep $impl.bio "$(iops_run "2 queue_mode bio")" '>'
		keep $impl.pause "$(pause_run)" '<'
		mp_unload
		echo "round $round $impl: rq ${R[$impl.rq]:-} bio ${R[$impl.bio]:-} pause ${R[$impl.pause]:-} (best so far)"
	done
done
nullb_unload

ratio() { python3 -c "print('%.2f' % ($1 / $2 if $2 else 0))"; }
printf '%-34s %12s %12s %8s\n' "mpath benchmark (best of $ROUNDS)" in-tree keel keel/in
printf '%-34s %12s %12s %8s\n' "4k randread qd32 4 paths rq IOPS" \
	"${R[intree.rq]}" "${R[keel.rq]}" "$(ratio "${R[keel.rq]:-0}" "${R[intree.rq]:-0}")"
printf '%-34s %12s %12s %8s\n' "4k randread qd32 4 paths bio IOPS" \
	"${R[intree.bio]}" "${R[keel.bio]}" "$(ratio "${R[keel.bio]:-0}" "${R[intree.bio]:-0}")"
printf '%-34s %12s %12s %8s\n' "failover pause (max clat, ms)" \
	"${R[intree.pause]}" "${R[keel.pause]}" "$(ratio "${R[keel.pause]:-0}" "${R[intree.pause]:-0}")"
