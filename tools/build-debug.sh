#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build keel's modules against the debug kernel tree into build/debug/
# (a copy of the sources, so the stock build's objects stay untouched).
# KUnit test modules are built here too: only the debug kernel has KUnit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$("$root/tools/debug-kernel.sh")
exec "$root/tools/build-tree.sh" "$root/build/debug" "$dir/src" "$dir/src/drivers/md"
