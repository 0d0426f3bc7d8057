#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# keel ib_srpt vs in-tree ib_srpt, same guest boot, same brd+iblock backend,
# in-tree ib_srp initiator over rdma_rxe (RDMA CM, IPv4). Not a test: run in
# the guest by `make bench`. Prints IOPS / bandwidth and guest CPU time per
# I/O for each job and the keel/in-tree ratios.
#
#   tests/srpt/bench.sh [seconds per job]
. "$(dirname "$0")/rc"
secs=${1:-15}
SRPT_DISK_MB=256
trap srpt_cleanup EXIT

jobs=(
	"randread-4k-qd32:--rw=randread --bs=4k --iodepth=32"
	"randwrite-4k-qd32:--rw=randwrite --bs=4k --iodepth=32"
	"seqread-128k:--rw=read --bs=128k --iodepth=8"
	"seqwrite-128k:--rw=write --bs=128k --iodepth=8"
)

cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $6 + $7 + $8 }' /proc/stat; }

# run_set label: prints "label job iops bw_kib ticks_per_io" per job
run_set() {
	local label=$1 j name args d out t0 t1 ios
	d=$(srp_disks | head -1)
	for j in "${jobs[@]}"; do
		name=${j%%:*}; args=${j#*:}
		t0=$(cpu_ticks)
		# shellcheck disable=SC2086
		out=$(fio --eta=never --name="$name" --filename="$d" --direct=1 \
			--ioengine=libaio --time_based --runtime="$secs" \
			--size=200M --output-format=terse --terse-version=3 $args)
		t1=$(cpu_ticks)
		# terse v3: 8=read iops 7=read bw, 49=write iops 48=write bw
		echo "$out" | awk -F';' -v l="$label" -v n="$name" -v c=$((t1 - t0)) '
			{ iops = $8 + $49; bw = $7 + $48;
			  printf "%s %s %d %d %.3f\n", l, n, iops, bw,
				 iops ? c * 1000000 / (iops * '"$secs"') : 0 }'
	done
}

one_round() {	# one_round label [module path]
	srpt_load "${2:-}" || die "loading ib_srpt ($1)"
	# shellcheck disable=SC2046
	srpt_config $(srpt_initiator_names) || die "configfs ($1)"
	ini_up
	srpt_login ipv4 || die "login ($1)"
	wait_disks 1 30 || die "no disk ($1)"
	run_set "$1"
	ini_down
	srpt_unconfig
	rmmod ib_srpt
}

rdma_up || die "rdma"
backend_up || die "backend"
intree=$(srpt_intree_path)
[ -n "$intree" ] || die "no in-tree ib_srpt"
{
	one_round intree "$intree"
	one_round keel
} > "$KEEL_OUT/bench.raw"
cat "$KEEL_OUT/bench.raw"
echo "# job                 in-tree IOPS   keel IOPS  ratio  CPU-ticks/IO(x1e6) in-tree/keel"
for j in "${jobs[@]}"; do
	name=${j%%:*}
	awk -v n="$name" '
		$2 == n && $1 == "intree" { ii = $3; ic = $5 }
		$2 == n && $1 == "keel" { ki = $3; kc = $5 }
		END { printf "%-20s %12d %11d  %5.2f  %8.2f / %-8.2f\n", n, ii, ki,
			ii ? ki / ii : 0, ic, kc }' "$KEEL_OUT/bench.raw"
done
