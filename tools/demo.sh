#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build keel, boot the seed's SAN in three guests of the stock
# Debian kernel (tools/vm-san: an initiator, storage nodes a and b) and
# run it with keel's module at each layer where it exists.
# make demo-single (tools/demo.sh --single): the whole stack in one guest
# (rdma_rxe on dummy netdevs), quicker.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
echo "demo: building keel"
make -s modules
echo "demo: keel modules: $(ls raid1/*.ko mpath/*.ko srpt/*.ko vdisk/*.ko 2>/dev/null | grep -v _kunit | tr '\n' ' ')"
mkdir -p results
if [ "${1:-}" = --single ]; then
	exec tools/vm-run --timeout 900 --out "$root/results/demo" -- tools/vm/demo-guest
fi
rm -rf "$root/results/demo-san"
exec tools/vm-san --timeout 1500 --out "$root/results/demo-san" -- tools/vm/demo-san
