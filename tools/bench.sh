#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench [T=area] [MODE=icount|smp] [KERNEL=6.1|6.12]: for each area,
# one VM boot running bench/<area>.sh, which measures the bare device, the
# in-tree twin and keel's module alternately and prints cost per I/O and
# keel/in-tree ratios (bench/lib.sh, bench/report.py).
#
# MODE=icount (default): one vCPU whose clock counts instructions, so the
# figures measure work per I/O whatever the host is doing; they repeat
# within a fraction of a percent between rounds and boots, and are the
# ones the documentation quotes. MODE=smp: two vCPUs on wall-clock time,
# for what icount cannot show (lock contention, cross-CPU completion);
# +-30 % between boots on these hosts, so only medians of rounds within
# one boot mean anything. KEEL_BENCH_PROFILE=1 adds a perf profile of
# each job (results/bench/<area>/work/bench-<area>/profile-*.txt).
# Results: results/bench/<area>/, the tables in results/bench/summary.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
kernel=${KERNEL:-stock}
mode=${MODE:-icount}
case "$kernel" in
stock|6.1) kernel=stock; make -s modules ;;
6.12) tools/build-series.sh 6.12 -s ;;
*) echo "bench: KERNEL must be 6.1 or 6.12, not '$kernel'" >&2; exit 2 ;;
esac
case "$mode" in
icount) vmopt=(--icount) ;;
smp) vmopt=() ;;
*) echo "bench: MODE must be icount or smp, not '$mode'" >&2; exit 2 ;;
esac
export KEEL_BENCH_MODE=$mode
areas=()
for b in bench/*.sh; do
	a=$(basename "$b" .sh)
	[ "$a" = lib ] && continue
	[ -n "${1:-}" ] && [ "$a" != "$1" ] && continue
	areas+=("$a")
done
[ ${#areas[@]} -gt 0 ] || { echo "bench: no bench for '${1:-}'" >&2; exit 2; }
mkdir -p results/bench
rc=0
for a in "${areas[@]}"; do
	rm -rf "results/bench/$a"
	echo "=== bench: $a ($mode mode, $kernel kernel)"
	tools/vm-run --kernel "$kernel" --timeout 5400 "${vmopt[@]}" \
		--out "$root/results/bench/$a" -- "bench/$a.sh" || {
		echo "bench: $a failed"; rc=1; }
done
: > results/bench/summary.txt
for a in "${areas[@]}"; do
	f=results/bench/$a/work/bench-$a/report.txt
	[ -f "$f" ] && { cat "$f"; echo; } >> results/bench/summary.txt
done
echo "=== bench: summary (results/bench/summary.txt)"
cat results/bench/summary.txt
exit $rc
