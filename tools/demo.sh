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
# KERNEL=6.12: Debian's 6.12 in every guest (default: Debian's 6.1)
kernel=${KERNEL:-stock}
case "$kernel" in
stock|6.1) kernel=stock; series=6.1 ;;
6.12) series=6.12 ;;
*) echo "demo: KERNEL must be 6.1 or 6.12, not '$kernel'" >&2; exit 2 ;;
esac
# shellcheck source=tools/vm/kernels.sh
. tools/vm/kernels.sh
echo "demo: building keel for $series"
if [ "$series" = 6.1 ]; then
	make -s modules KVER="$(keel_stock_kver)"
else
	tools/build-series.sh 6.12 -s
fi
echo "demo: keel modules: $(keel_built_modules "$kernel" | tr ' ' '\n' | grep -v _kunit | tr '\n' ' ')"
mkdir -p results
if [ "${1:-}" = --single ]; then
	exec tools/vm-run --kernel "$kernel" --timeout 900 --out "$root/results/demo" \
		-- tools/vm/demo-guest
fi
rm -rf "$root/results/demo-san"
exec tools/vm-san --kernel "$kernel" --timeout 1500 --out "$root/results/demo-san" \
	-- tools/vm/demo-san
