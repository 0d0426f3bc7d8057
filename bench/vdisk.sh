#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vdisk benchmark (not a test), run in the guest by `make bench`: the
# in-tree iblock backend and keel's alternately in the same boot, on the
# same pre-written brd device behind tcm_loop (/dev/sdX); the bare device
# is the brd device itself. The floor is LIO's rd_mcp backend with
# rd_nullio=1 behind the same tcm_loop LUN: the SCSI stack, tcm_loop and
# target core with a backend that does no I/O at all. fio 4k randread / randwrite at qd32, 1 MiB
# sequential read / write at qd8. bench/lib.sh says how rounds and modes
# work. VDISK_BENCH_SIZE: brd size in MiB (default 512).
. "$(dirname "$0")/../tests/vdisk/rc"
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

size=${VDISK_BENCH_SIZE:-512}
bench_init vdisk || exit 1

bench_rw_jobs 1m
bench_job randread half "4k randread qd32"
bench_job randwrite half "4k randwrite qd32"
bench_job seqread half "1M seq read qd8"
bench_job seqwrite half "1M seq write qd8"

setup() {	# impl
	KEEL_IMPL=$1 vd_load || { echo "bench: cannot load $1 iblock"; return 1; }
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

run_all() {	# impl round dev
	local j
	for j in $ORDER; do
		# shellcheck disable=SC2086
		bench_fio "$j" "$1" "$2" "$3" ${JOB[$j]} --size=256m || return 1
		# shellcheck disable=SC2086
		[ "$2" = 1 ] && bench_profile "$j" "$1" "$3" ${JOB[$j]} --size=256m
	done
	return 0
}

# floor_run ROUND: the jobs on an rd_mcp nullio LUN behind tcm_loop
floor_run() {
	local iblock_hba=$HBA
	# rd_mcp is part of target_core_mod
	configfs_mount && modprobe target_core_mod && modprobe tcm_loop ||
		return 0
	HBA=$CFS/core/rd_mcp_1
	if mkdir -p "$HBA/null" &&
	   echo "rd_pages=65536,rd_nullio=1" > "$HBA/null/control" &&
	   echo 1 > "$HBA/null/enable" && vd_export null; then
		echo none > "/sys/block/${VD_SD#/dev/}/queue/scheduler" 2>/dev/null
		run_all floor "$1" "$VD_SD"
	else
		echo "bench: no rd_mcp nullio floor" >&2
	fi
	vd_unexport
	rmdir "$HBA/null" "$HBA" "$CFS/loopback" 2>/dev/null
	HBA=$iblock_hba
	vd_unload
}

brd_load 1 "$size" || exit 1
bench_prewrite /dev/ram0
for round in $(seq "$BENCH_ROUNDS"); do
	run_all bare "$round" /dev/ram0 || exit 1
	floor_run "$round"
	for impl in intree keel; do
		setup "$impl" || { teardown; exit 1; }
		run_all "$impl" "$round" "$VD_SD" || { teardown; exit 1; }
		teardown
	done
done
brd_unload
bench_report
