#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# raid1 benchmark (not a test): in-tree raid1 and keel's alternately, in
# the same boot, best of R1_BENCH_ROUNDS (default 2) rounds each. Two legs
# on brd; fio 4k randread qd32, 4k randwrite qd32, 1M sequential write, and
# 4k randread with one leg behind dm-delay (+5 ms): on brd at qd32 and at
# qd1 (one reader: in-tree's balancer sees no pending request on either
# leg and takes the first, the delayed one), and at qd32 on null_blk legs
# that complete from a timer (requests queue there, as on real disks).
# Prints IOPS/bandwidth and the keel/in-tree ratios, plus write IOPS as a
# fraction of one bare leg.

. "$(dirname "$0")/../tests/raid1/rc"

RT=${R1_BENCH_RUNTIME:-8}
MB=256
res=$KEEL_OUT/bench
mkdir -p "$res"

# fio_num FILE rw: IOPS (or MiB/s for "bw") from a JSON result
fio_num() {
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
k = sys.argv[2]
if k == "bw":
    print("%.1f" % (j["write"]["bw"] / 1024.0))
else:
    print("%.0f" % j[k]["iops"])
' "$1" "$2"
}

run_fio() {	# name dev rw bs qd -> prints the number
	local name=$1 dev=$2 rw=$3 bs=$4 qd=$5 what=$6
	fio --name="$name" --filename="$dev" --direct=1 --ioengine=libaio \
		--rw="$rw" --bs="$bs" --iodepth="$qd" --runtime="$RT" --time_based \
		--size=$((MB - 16))M --group_reporting --output-format=json \
		--output="$res/$name.json" >> "$res/errors" 2>&1 || { echo 0; return; }
	fio_num "$res/$name.json" "$what"
}

load_impl() {
	r1_stop_all
	rmmod raid1 2>/dev/null
	KEEL_IMPL=$1 r1_load
}

array_on() {	# devices...
	mdadm --create "$R1_MD" --run --quiet --level=1 --raid-devices=2 \
		--assume-clean --bitmap=none "$@" </dev/null >> "$res/errors" 2>&1 || return 1
	udevadm settle
}

bench_one() {	# impl
	local impl=$1 sz
	load_impl "$impl" || { echo "# cannot load $impl raid1"; return 1; }
	brd_load 4 $MB
	array_on /dev/ram0 /dev/ram1
	RR[$impl]=$(best "${RR[$impl]:-0}" "$(run_fio "$impl-randread" "$(mdev)" randread 4k 32 read)")
	RW[$impl]=$(best "${RW[$impl]:-0}" "$(run_fio "$impl-randwrite" "$(mdev)" randwrite 4k 32 write)")
	SW[$impl]=$(best "${SW[$impl]:-0}" "$(run_fio "$impl-seqwrite" "$(mdev)" write 1M 8 bw)")
	r1_stop_all
	# fresh ram disks: the first pair may still be held by md for a moment
	dm_delay r1tbench /dev/ram2 5 0 >> "$res/errors" 2>&1
	array_on /dev/mapper/r1tbench /dev/ram3 || echo "# $impl: no delay array" >> "$res/errors"
	DL[$impl]=$(best "${DL[$impl]:-0}" "$(run_fio "$impl-delay-randread" "$(mdev)" randread 4k 32 read)")
	cat "$(mdsys)/keel_raid1/legs" > "$res/$impl-delay-legs" 2>/dev/null
	D1[$impl]=$(best "${D1[$impl]:-0}" "$(run_fio "$impl-delay-randread-qd1" "$(mdev)" randread 4k 1 read)")
	cat "$(mdsys)/keel_raid1/legs" > "$res/$impl-delay-qd1-legs" 2>/dev/null
	r1_stop_all
	dmsetup remove --retry r1tbench
	brd_unload
	# The same on legs that queue: null_blk completing from a timer
	# after 1 ms (a disk, not brd: the run is bound by latency, not by
	# the emulated CPU), so the fast leg has requests pending too and a
	# balancer that only compares pending counts splits them evenly:
	# at best 2 / (1 + 1 ms / 6 ms) = 1.71 for one that avoids the
	# slow leg.
	# (memory backed, from configfs: md must read its superblocks back)
	nullb_timed r1tnb0 && nullb_timed r1tnb1
	dm_delay r1tbench /dev/r1tnb0 5 0 >> "$res/errors" 2>&1
	array_on /dev/mapper/r1tbench /dev/r1tnb1 || echo "# $impl: no null_blk delay array" >> "$res/errors"
	NL[$impl]=$(best "${NL[$impl]:-0}" "$(run_fio "$impl-nullb-delay-randread" "$(mdev)" randread 4k 32 read)")
	cat "$(mdsys)/keel_raid1/legs" > "$res/$impl-nullb-delay-legs" 2>/dev/null
	r1_stop_all
	dmsetup remove --retry r1tbench
	nullb_unload
}

# nullb_timed NAME: /dev/NAME, a memory-backed null_blk of MB + 64 MiB
# completing from a timer after 1 ms
nullb_timed() {
	nullb_create "$1" $((MB + 64)) queue_mode=2 irqmode=2 \
		completion_nsec=1000000 hw_queue_depth=256 >> "$res/errors" 2>&1
}

best() { python3 -c "import sys; print(max(sys.argv[1:], key=float))" "$@"; }

ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / b if b else 0))" "$1" "$2"; }

declare -A RR RW SW DL D1 NL
modprobe md_mod
modprobe dm-delay
brd_load 2 $MB
BARE=$(run_fio bare-randwrite /dev/ram0 randwrite 4k 32 write)
brd_unload
# Emulated CPUs are noisy (other guests share the host): alternate the two
# modules for R1_BENCH_ROUNDS rounds and keep each one's best result.
for round in $(seq "${R1_BENCH_ROUNDS:-2}"); do
	bench_one intree
	bench_one keel
done
r1_cleanup
rmmod raid1 2>/dev/null

[ -s "$res/errors" ] && sed 's/^/# /' "$res/errors"
printf '%-28s %12s %12s %8s %s\n' test in-tree keel ratio goal
printf '%-28s %12s %12s %8s %s\n' "4k randread qd32 (IOPS)" "${RR[intree]}" "${RR[keel]}" "$(ratio "${RR[keel]}" "${RR[intree]}")" ">=1.10"
printf '%-28s %12s %12s %8s %s\n' "4k randwrite qd32 (IOPS)" "${RW[intree]}" "${RW[keel]}" "$(ratio "${RW[keel]}" "${RW[intree]}")" ">=1.00"
printf '%-28s %12s %12s %8s %s\n' "1M seq write (MiB/s)" "${SW[intree]}" "${SW[keel]}" "$(ratio "${SW[keel]}" "${SW[intree]}")" ">=1.00"
printf '%-28s %12s %12s %8s %s\n' "4k randread, leg +5ms (IOPS)" "${DL[intree]}" "${DL[keel]}" "$(ratio "${DL[keel]}" "${DL[intree]}")" ">=2.0"
printf '%-28s %12s %12s %8s %s\n' "  same, qd1 (IOPS)" "${D1[intree]}" "${D1[keel]}" "$(ratio "${D1[keel]}" "${D1[intree]}")" ">=2.0"
printf '%-28s %12s %12s %8s %s\n' "  same, null_blk legs (IOPS)" "${NL[intree]}" "${NL[keel]}" "$(ratio "${NL[keel]}" "${NL[intree]}")" ">=2.0"
printf '%-28s %12s %12s %8s %s\n' "randwrite vs bare leg" "$(ratio "${RW[intree]}" "$BARE")" "$(ratio "${RW[keel]}" "$BARE")" "" ">=0.90 (bare $BARE IOPS)"
