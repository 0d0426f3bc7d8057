#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/ablate.sh AREA [VARIANT...]: what each piece of a keel module's
# I/O path costs, measured by taking it out. Builds one copy of the
# module per variant (tools/ablate/AREA.py lists and applies them; all of
# them by default) for the stock kernel, boots one icount guest
# (tools/vm-run --icount) and runs tools/ablate/AREA-guest.sh there: the
# bare device, the in-tree twin and every variant, alternately, two
# rounds. Under icount a difference in IOPS is a difference in
# instructions per I/O, so "keel - variant" is what the piece costs; a
# perf profile under icount does not repeat (Documentation/testing.rst).
# The variants are measuring devices, not modules: never load one
# elsewhere. Results: results/ablate/AREA/ (report.txt).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
area=${1:?usage: tools/ablate.sh AREA [VARIANT...]}
shift
[ -f "tools/ablate/$area.py" ] || { echo "ablate: no variants for '$area'" >&2; exit 2; }
if [ $# -gt 0 ]; then
	variants=("$@")
else
	mapfile -t variants < <(python3 "tools/ablate/$area.py" list | awk '{ print $1 }')
fi
make -s modules
# the stock kernel's headers, as the Makefile picks them (STOCK_HDRS)
kdir=$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' | sort | tail -1)
[ -n "$kdir" ] || { echo "ablate: no 6.1 headers (make deps)" >&2; exit 1; }
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
out=$root/results/ablate/$area
rm -rf "$out"
mkdir -p "$out/ko"
for v in "${variants[@]}"; do
	src=$root/build/ablate/$area/$v
	rm -rf "$src"
	mkdir -p "$src"
	cp -r Kbuild include "$area" "$src/"
	printf '%s\t%s\n' "$area" "$area" > "$src/modules.list"
	(cd "$src" && python3 "$root/tools/ablate/$area.py" apply "$v")
	echo "ablate: building $area variant $v"
	make -s -C "$kdir" M="$src" KEEL_MDHDR="$root/build/md-headers/$kver" \
		KCFLAGS=-g0 -j"$(nproc)" modules 2>&1 | grep -v 'Skipping BTF' || true
	mkdir -p "$out/ko/$v"
	cp "$src/$area"/*.ko "$out/ko/$v/"
done
tools/vm-run --icount --modules none --timeout 3000 --out "$out/vm" -- \
	"tools/ablate/$area-guest.sh" "$out/ko" "${variants[@]}" |
	tee "$out/guest.log"
python3 - "$out/guest.log" "tools/ablate/$area.py" > "$out/report.txt" <<'PY'
import collections, subprocess, sys
runs = collections.defaultdict(list)
order = []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 4 and f[0] == "run":
        if f[1] not in runs:
            order.append(f[1])
        runs[f[1]].append(float(f[3]))
desc = dict(l.split(None, 1) for l in subprocess.run(
    ["python3", sys.argv[2], "list"], capture_output=True, text=True,
    check=True).stdout.splitlines())
desc["bare"] = "the bare brd leg"
desc["intree"] = "the in-tree module"
if "keel" not in runs:
    sys.exit("ablate: no run of the unchanged module")
us = {k: 1e6 / (sum(v) / len(v)) for k, v in runs.items()}
print("%-12s %9s %8s %9s %7s  %s" % ("variant", "IOPS", "us/IO", "saves us",
                                     "rpt %", "what"))
for k in order:
    v = runs[k]
    rpt = 100.0 * (max(v) - min(v)) / min(v)
    saves = "-" if k in ("bare", "intree", "keel") else "%.3f" % (us["keel"] - us[k])
    print("%-12s %9.0f %8.3f %9s %7.2f  %s" % (k, sum(v) / len(v), us[k], saves,
                                              rpt, desc.get(k, "").strip()))
PY
cat "$out/report.txt"
