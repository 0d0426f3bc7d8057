#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# keel ib_srpt vs in-tree ib_srpt, same guest boot, same brd+iblock backend,
# in-tree ib_srp initiator over rdma_rxe (RDMA CM, IPv4), logged in with 1
# and with 4 channels (ch_count). Not a test: run in the guest by
# `make bench`. Prints IOPS / bandwidth and guest CPU time per I/O for each
# job and the keel/in-tree ratios. The two modules alternate for
# SRPT_BENCH_ROUNDS rounds (default 2) and each keeps its best result, so
# a burst of host load hits both rather than one.
#
#   bench/srpt.sh [seconds per job]
. "$(dirname "$0")/../tests/srpt/rc"
# shellcheck source=tests/common/tap.sh
. "$KEEL_ROOT/tests/common/tap.sh"
# shellcheck source=tests/common/impl.sh
. "$KEEL_ROOT/tests/common/impl.sh"
secs=${1:-10}
rounds=${SRPT_BENCH_ROUNDS:-2}
SRPT_DISK_MB=256
trap srpt_cleanup EXIT

jobs=(
	"randread-4k-qd32:--rw=randread --bs=4k --iodepth=32"
	"randwrite-4k-qd32:--rw=randwrite --bs=4k --iodepth=32"
	"seqread-128k:--rw=read --bs=128k --iodepth=8"
	"seqwrite-128k:--rw=write --bs=128k --iodepth=8"
)

cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $6 + $7 + $8 }' /proc/stat; }
ctx_switches() { awk '/^ctxt / { print $2 }' /proc/stat; }

# run_set label channels:
# "label chN job iops bw_kib ticks_per_io switches_per_io" per job
run_set() {
	local label=$1 ch=$2 j name args d out t0 t1 s0 s1
	d=$(srp_disks | head -1)
	for j in "${jobs[@]}"; do
		name=${j%%:*}; args=${j#*:}
		t0=$(cpu_ticks)
		s0=$(ctx_switches)
		# shellcheck disable=SC2086
		out=$(fio --eta=never --name="$name" --filename="$d" --direct=1 \
			--ioengine=libaio --time_based --runtime="$secs" \
			--numjobs=1 --size=200M --output-format=terse \
			--terse-version=3 $args)
		t1=$(cpu_ticks)
		s1=$(ctx_switches)
		# terse v3: 8=read iops 7=read bw, 49=write iops 48=write bw
		echo "$out" | awk -F';' -v l="$label" -v n="$name" -v ch="ch$ch" \
			-v c=$((t1 - t0)) -v s=$((s1 - s0)) '
			{ iops = $8 + $49; bw = $7 + $48; ios = iops * '"$secs"';
			  printf "%s %s %s %d %d %.3f %.2f\n", l, ch, n, iops, bw,
				 ios ? c * 1000000 / ios : 0, ios ? s / ios : 0 }'
	done
}

one_round() {	# one_round label channels [module path]
	srpt_load "${3:-}" || bail "loading ib_srpt ($1)"
	# shellcheck disable=SC2046
	srpt_config $(srpt_initiator_names) || bail "configfs ($1)"
	ini_up
	srpt_login ipv4 "ch_count=$2" || bail "login ($1, $2 channels)"
	srp_wait_disks 1 30 || bail "no disk ($1)"
	# keel lists its channels in configfs; in-tree has no such file
	local live=unknown
	[ -r "$SRPT_CFS/sessions" ] && live=$(grep -c live "$SRPT_CFS/sessions")
	echo "# $1: $live live channel(s)" >&2
	run_set "$1" "$2"
	ini_down
	srpt_unconfig
	rmmod ib_srpt
}

rdma_up || bail "rdma"
backend_up || bail "backend"
intree=$(impl_ko ib_srpt intree)
[ -n "$intree" ] || bail "no in-tree ib_srpt"
for r in $(seq "$rounds"); do
	for ch in 1 4; do
		one_round intree $ch "$intree"
		one_round keel $ch
	done
done > "$KEEL_OUT/bench.raw"
cat "$KEEL_OUT/bench.raw"
echo "# best of $rounds rounds (median: ratio of the median IOPS);"
echo "# CPU = guest CPU ticks per I/O (x1e6); csw = context switches per I/O"
printf '%-24s %12s %12s %6s %6s  %-22s %s\n' "job" "in-tree IOPS" \
	"keel IOPS" ratio median "CPU in-tree / keel" "csw in-tree / keel"
for ch in 1 4; do
	for j in "${jobs[@]}"; do
		name=${j%%:*}
		awk -v n="$name" -v ch="ch$ch" '
			function median(a, k,  i, j, t) {
				for (i = 2; i <= k; i++)
					for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
						t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
					}
				return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
			}
			$2 == ch && $3 == n && $1 == "intree" { iv[++ni] = $4 }
			$2 == ch && $3 == n && $1 == "keel" { kv[++nk] = $4 }
			$2 == ch && $3 == n && $1 == "intree" && $4 > ii {
				ii = $4; ic = $6; is = $7 }
			$2 == ch && $3 == n && $1 == "keel" && $4 > ki {
				ki = $4; kc = $6; ks = $7 }
			END { im = median(iv, ni); km = median(kv, nk)
			      printf "%-24s %12d %12d %6.2f %6.2f  %-22s %.2f / %.2f\n",
				n " " ch, ii, ki, ii ? ki / ii : 0,
				im ? km / im : 0,
				sprintf("%.0f / %.0f", ic, kc), is, ks }' \
			"$KEEL_OUT/bench.raw"
	done
done
