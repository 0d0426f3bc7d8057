#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-series.sh SERIES [MAKE ARGS...]
#
# Build keel's modules for Debian's newest installed kernel of SERIES
# (6.1, 6.12) under build/SERIES/, with md's headers from the matching
# linux-source-SERIES. `make` runs it for every supported kernel it does
# not build in the checkout; `make check KERNELS=6.12` runs it for 6.12.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
series=$1
shift
hdrs=$(ls -d /usr/src/linux-headers-"$series".*-amd64 2>/dev/null | sort -V | tail -1)
if [ -z "$hdrs" ]; then
	echo "keel: no linux-headers-$series.*-amd64 installed (make deps)" >&2
	exit 1
fi
kver=${hdrs#/usr/src/linux-headers-}
"$root/tools/md-headers.sh" "$hdrs" "$root/build/md-headers/$kver"
exec "$root/tools/build-tree.sh" "$root/build/$series" "$hdrs" \
	"$root/build/md-headers/$kver" "$@"
