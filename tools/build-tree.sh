#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-tree.sh OUT KDIR MDHDR [MAKE ARGS...]
#
# Build keel's modules against the kernel tree KDIR in OUT, a copy of the
# sources, so that builds for several kernels (6.1 in the checkout, 6.12
# and the debug kernel under build/) never share an object file. MDHDR is
# where md's private headers for that kernel are (tools/md-headers.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$1 kdir=$2 mdhdr=$3
shift 3
mkdir -p "$out"
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	--exclude '*.mod*' --exclude 'modules.order' --exclude 'Module.symvers' \
	"$root/Kbuild" "$root/modules.list" "$root/include" "$out/"
for d in $(awk '!/^#/ && NF { print $1 }' "$root/modules.list"); do
	if [ -f "$root/$d/Kbuild" ]; then
		# modules.order of another build names that build's .ko files
		rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
			--exclude '*.mod' --exclude '*.mod.c' --exclude 'modules.order' \
			--exclude 'Module.symvers' "$root/$d" "$out/"
	else
		rm -rf "${out:?}/$d"
	fi
done
make -C "$kdir" M="$out" KEEL_MDHDR="$mdhdr" -j"$(nproc)" "$@" modules
