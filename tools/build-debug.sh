#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build keel's modules against the debug kernel tree into build/debug/
# (a copy of the sources, so the stock build's objects stay untouched).
# KUnit test modules are built here too: only the debug kernel has KUnit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$("$root/tools/debug-kernel.sh")
out=$root/build/debug
mkdir -p "$out"
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	--exclude '*.mod*' --exclude 'modules.order' --exclude 'Module.symvers' \
	"$root/Kbuild" "$root/modules.list" "$root/include" "$out/"
for d in $(awk '!/^#/ && NF { print $1 }' "$root/modules.list"); do
	if [ -f "$root/$d/Kbuild" ]; then
		# modules.order of a stock build names the stock .ko files
		rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
			--exclude '*.mod' --exclude '*.mod.c' --exclude 'modules.order' \
			--exclude 'Module.symvers' "$root/$d" "$out/"
	else
		rm -rf "${out:?}/$d"
	fi
done
make -C "$dir/src" M="$out" KEEL_MDHDR="$dir/src/drivers/md" -j"$(nproc)" modules
