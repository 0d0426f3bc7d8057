#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build keel's modules against the debug kernel tree into build/debug/
# (KEEL_DEBUG_SERIES=6.12: the 6.12 debug kernel, build/debug-6.12/), a
# copy of the sources, so the stock build's objects stay untouched.
# KUnit test modules are built here too: only the debug kernel has KUnit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$("$root/tools/debug-kernel.sh")
out=$root/build/debug
[ "${KEEL_DEBUG_SERIES:-6.1}" = 6.1 ] || out=$out-$KEEL_DEBUG_SERIES
exec "$root/tools/build-tree.sh" "$out" "$dir/src" "$dir/src/drivers/md"
