#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build keel, boot the stock Debian kernel and bring up the
# seed's whole stack with keel's module at each layer where it exists.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
echo "demo: building keel"
make -s modules
echo "demo: keel modules: $(ls raid1/*.ko mpath/*.ko srpt/*.ko vdisk/*.ko 2>/dev/null | grep -v _kunit | tr '\n' ' ')"
mkdir -p results
exec tools/vm-run --timeout 900 --out "$root/results/demo" -- tools/vm/demo-guest
