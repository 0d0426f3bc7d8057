#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ib_srpt benchmark (not a test), run in the guest by `make bench`: the
# in-tree ib_srpt and keel's alternately in the same boot, on the same
# in-tree iblock LUN over pre-written brd, with the in-tree ib_srp
# initiator logged in over rdma_rxe (RDMA CM, IPv4, one channel; smp mode
# also four). The bare device is that same LUN through tcm_loop instead of
# SRP, so +cost is what SRP over rxe adds. fio 4k randread / randwrite at
# qd32, 128k sequential read / write at qd8. bench/lib.sh says how rounds
# and modes work.
. "$(dirname "$0")/../tests/srpt/rc"
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034 # read by backend_up (tests/srpt/rc)
SRPT_DISK_MB=256
bench_init srpt || exit 1
trap 'loop_down; srpt_cleanup' EXIT

bench_rw_jobs 128k
CHANNELS=1
[ "$BENCH_MODE" = smp ] && CHANNELS="1 4"
for ch in $CHANNELS; do
	sfx=
	[ "$ch" = 1 ] || sfx=-${ch}ch
	bench_job "randread$sfx" ratio "4k randread qd32, $ch ch"
	bench_job "randwrite$sfx" ratio "4k randwrite qd32, $ch ch"
	bench_job "seqread$sfx" ratio "128k seq read qd8, $ch ch"
	bench_job "seqwrite$sfx" ratio "128k seq write qd8, $ch ch"
done

run_all() {	# impl round dev [suffix]
	local j
	for j in $ORDER; do
		# shellcheck disable=SC2086
		bench_fio "$j${4:-}" "$1" "$2" "$3" ${JOB[$j]} --size=200M ||
			return 1
		# shellcheck disable=SC2086
		[ "$2" = 1 ] && [ -z "${4:-}" ] &&
			bench_profile "$j" "$1" "$3" ${JOB[$j]} --size=200M
	done
	return 0
}

# loop_up: the backstore as LUN 0 of a tcm_loop target; LOOP_SD is /dev/sdX
TL=$SRP_CFS/loopback/naa.5001405c0ffee0b1
loop_up() {
	local addr h t
	modprobe tcm_loop || return 1
	mkdir -p "$TL/tpgt_1/lun/lun_0" || return 1
	echo "${TL##*/}" > "$TL/tpgt_1/nexus" || return 1
	ln -s "$SRPT_BACKSTORE" "$TL/tpgt_1/lun/lun_0/bench" || return 1
	addr=$(cat "$TL/tpgt_1/address")
	h=${addr%%:*}
	t=${addr##*:}
	for _ in $(seq 50); do
		LOOP_SD=$(ls "/sys/class/scsi_device/$h:0:$t:0/device/block/" \
			2>/dev/null | head -1)
		[ -n "$LOOP_SD" ] && [ -b "/dev/$LOOP_SD" ] && break
		sleep 0.2
		udevadm settle 2>/dev/null
	done
	[ -n "$LOOP_SD" ] || return 1
	LOOP_SD=/dev/$LOOP_SD
}

loop_down() {
	[ -d "$TL" ] || return 0
	rm -f "$TL/tpgt_1/lun/lun_0/bench"
	rmdir "$TL/tpgt_1/lun/lun_0" 2>/dev/null
	echo NULL > "$TL/tpgt_1/nexus" 2>/dev/null
	rmdir "$TL/tpgt_1" "$TL" "${TL%/*}" 2>/dev/null
	rmmod tcm_loop 2>/dev/null
	return 0
}

srp_run() {	# impl round channels
	local path='' sfx='' d
	[ "$1" = intree ] && path=$intree
	[ "$3" = 1 ] || sfx=-${3}ch
	srpt_load "$path" || { echo "bench: loading $1 ib_srpt"; return 1; }
	[ "$(impl_owner ib_srpt)" = "$1" ] ||
		{ echo "bench: the loaded ib_srpt is not $1's"; return 1; }
	# shellcheck disable=SC2046
	srpt_config $(srpt_initiator_names) || { echo "bench: configfs ($1)"; return 1; }
	ini_up
	srpt_login ipv4 "ch_count=$3" || { echo "bench: login ($1, $3 ch)"; return 1; }
	srp_wait_disks 1 30 || { echo "bench: no disk ($1)"; return 1; }
	d=$(srp_disks | head -1)
	echo none > "/sys/block/${d#/dev/}/queue/scheduler" 2>/dev/null
	run_all "$1" "$2" "$d" "$sfx" || return 1
	ini_down
	srpt_unconfig
	rmmod ib_srpt
}

rdma_up || { echo "bench: rdma"; exit 1; }
backend_up || { echo "bench: backend"; exit 1; }
bench_prewrite /dev/ram0
intree=$(impl_ko ib_srpt intree)
[ -n "$intree" ] || { echo "bench: no in-tree ib_srpt"; exit 1; }
for round in $(seq "$BENCH_ROUNDS"); do
	loop_up || { echo "bench: tcm_loop"; exit 1; }
	echo none > "/sys/block/${LOOP_SD#/dev/}/queue/scheduler" 2>/dev/null
	run_all bare "$round" "$LOOP_SD" || exit 1
	loop_down
	for ch in $CHANNELS; do
		srp_run intree "$round" "$ch" || exit 1
		srp_run keel "$round" "$ch" || exit 1
	done
done
bench_report
