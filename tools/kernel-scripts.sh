#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print a folder holding the kernel's own review scripts (checkpatch.pl with
# its data files, kernel-doc) from the installed linux-source-6.1, extracted
# once into the cache.
set -euo pipefail
sver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
dir=${KEEL_CACHE:-/var/cache/keel}/kernel-scripts/$sver
if [ ! -f "$dir/.done" ]; then
	mkdir -p "$dir"
	tar -C "$dir" --strip-components=1 -xJf /usr/src/linux-source-6.1.tar.xz \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch \
		linux-source-6.1/scripts/kernel-doc
	touch "$dir/.done"
fi
echo "$dir"
