#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench [T=area]: in ONE VM boot, run each area's bench/<area>.sh,
# which measures the in-tree twin and keel's module back to back and prints
# keel/in-tree ratios. Timings under TCG are noisy: only ratios from the
# same boot mean anything. Output is kept in results/bench/.
# KERNEL=6.12: on Debian's 6.12, against 6.12's in-tree twins.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
kernel=${KERNEL:-stock}
case "$kernel" in
stock|6.1) kernel=stock; make -s modules ;;
6.12) tools/build-series.sh 6.12 -s ;;
*) echo "bench: KERNEL must be 6.1 or 6.12, not '$kernel'" >&2; exit 2 ;;
esac
benches=()
for b in bench/*.sh; do
	[ -f "$b" ] || continue
	a=$(basename "$b" .sh)
	[ -n "${1:-}" ] && [ "$a" != "$1" ] && continue
	benches+=("$b")
done
[ ${#benches[@]} -gt 0 ] || { echo "bench: no bench scripts"; exit 0; }
rm -rf results/bench
mkdir -p results/bench
cat > results/bench/run.sh <<'S'
#!/bin/bash
rc=0
for b in "$@"; do
	echo "=== bench: $b"
	bash "$b" || { echo "bench: $b failed"; rc=1; }
done
exit $rc
S
tools/vm-run --kernel "$kernel" --timeout 5400 --out "$root/results/bench" \
	-- results/bench/run.sh "${benches[@]}"
