#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# raid1 benchmark (not a test), run in the guest by `make bench`: in-tree
# raid1 and keel's alternately in the same boot, with one bare brd leg as
# the limit below both. Two legs on brd (pre-written); fio 4k randread
# qd32, 4k randwrite qd32, 1M sequential write qd8, and 4k randread at qd32
# and qd1 with one leg behind dm-delay (+5 ms): a balancer that sees the
# slow leg keeps reads off it. The floor for reads is md's linear
# personality on one leg: md core with a personality that only remaps
# (not on 6.12, which has no md linear). bench/lib.sh says how rounds and
# modes work.

. "$(dirname "$0")/../tests/raid1/rc"
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

MB=256
bench_init raid1 || exit 1
FSZ=--size=$((MB - 16))M
J_RR=(--rw=randread --bs=4k --iodepth=32 "$FSZ")
J_RW=(--rw=randwrite --bs=4k --iodepth=32 "$FSZ")
J_SW=(--rw=write --bs=1M --iodepth=8 "$FSZ")
J_D1=(--rw=randread --bs=4k --iodepth=1 "$FSZ")

bench_job randread half "4k randread qd32"
bench_job randwrite ratio "4k randwrite qd32"
bench_job seqwrite ratio "1M seq write qd8"
bench_job slowleg ratio "4k randread qd32, one leg +5 ms"
bench_job slowleg-qd1 ratio "4k randread qd1, one leg +5 ms"

array_on() {	# devices...
	mdadm --create "$R1_MD" --run --quiet --level=1 --raid-devices=2 \
		--assume-clean --bitmap=none "$@" </dev/null \
		>> "$BENCH_OUT/errors" 2>&1 || return 1
	udevadm settle
}

# array_off DEVICES...: stop the array and wipe the legs' superblocks, or
# udev's incremental assembly grabs a leg as soon as it shows up again
# (dm-delay over one)
array_off() {
	r1_stop_all
	mdadm --zero-superblock --force "$@" >> "$BENCH_OUT/errors" 2>&1
	udevadm settle
}

load_impl() {
	r1_stop_all
	rmmod raid1 2>/dev/null
	KEEL_IMPL=$1 r1_load
}

# bench_floor ROUND: 4k randread through md linear on one leg
bench_floor() {
	modprobe linear 2>/dev/null || return 0
	mdadm --create "$R1_MD" --run --quiet --force --level=linear \
		--raid-devices=1 /dev/ram2 </dev/null >> "$BENCH_OUT/errors" 2>&1 ||
		return 0
	udevadm settle
	bench_fio randread floor "$1" "$(mdev)" "${J_RR[@]}"
	array_off /dev/ram2
}

bench_bare() {	# round
	bench_fio randread bare "$1" /dev/ram2 "${J_RR[@]}"
	bench_fio randwrite bare "$1" /dev/ram2 "${J_RW[@]}"
	bench_fio seqwrite bare "$1" /dev/ram2 "${J_SW[@]}"
	[ "$1" = 1 ] && bench_profile randread bare /dev/ram2 "${J_RR[@]}"
}

bench_md() {	# impl round
	local impl=$1 r=$2
	load_impl "$impl" || { echo "bench: cannot load $impl raid1"; return 1; }
	array_on /dev/ram0 /dev/ram1 || return 1
	bench_fio randread "$impl" "$r" "$(mdev)" "${J_RR[@]}"
	bench_fio randwrite "$impl" "$r" "$(mdev)" "${J_RW[@]}"
	bench_fio seqwrite "$impl" "$r" "$(mdev)" "${J_SW[@]}"
	if [ "$r" = 1 ]; then
		bench_profile randread "$impl" "$(mdev)" "${J_RR[@]}"
		bench_profile randwrite "$impl" "$(mdev)" "${J_RW[@]}"
	fi
	array_off /dev/ram0 /dev/ram1
	dm_delay r1tbench /dev/ram0 5 0 >> "$BENCH_OUT/errors" 2>&1
	array_on /dev/mapper/r1tbench /dev/ram1 || return 1
	bench_fio slowleg "$impl" "$r" "$(mdev)" "${J_RR[@]}"
	bench_fio slowleg-qd1 "$impl" "$r" "$(mdev)" "${J_D1[@]}"
	cat "$(mdsys)/keel_raid1/legs" > "$BENCH_OUT/$impl-slowleg-legs" 2>/dev/null
	array_off /dev/mapper/r1tbench /dev/ram1
	dmsetup remove --retry r1tbench
}

modprobe md_mod
modprobe dm-delay
brd_load 3 $MB || { echo "bench: no brd"; exit 1; }
bench_prewrite /dev/ram0 /dev/ram1 /dev/ram2
for round in $(seq "$BENCH_ROUNDS"); do
	bench_bare "$round"
	bench_floor "$round"
	bench_md intree "$round" || exit 1
	bench_md keel "$round" || exit 1
done
r1_cleanup
rmmod raid1 2>/dev/null
brd_unload
[ -s "$BENCH_OUT/errors" ] && sed 's/^/# /' "$BENCH_OUT/errors"
bench_report
