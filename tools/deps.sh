#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package that keel's build, demo and tests need.
# Idempotent: a second run with everything present does nothing but
# check. Run as root (CI and the developer machines are root).
set -euo pipefail

PKGS=(
	build-essential make gcc bc bison flex libelf-dev libssl-dev dwarves
	kmod cpio xz-utils rsync python3 perl git patch
	qemu-system-x86 busybox-static
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	# Debian 12's 6.12 kernel, from its own archive (bookworm-security):
	# the VMs boot it, keel builds for it, md's headers come from its source
	linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12
	mdadm multipath-tools dmsetup lvm2 e2fsprogs xfsprogs psmisc
	rdma-core ibverbs-utils rdmacm-utils libibverbs-dev librdmacm-dev
	targetcli-fb python3-rtslib-fb sg3-utils lsscsi fio udev iproute2
	sparse dkms dh-dkms debhelper devscripts fakeroot
	# make bench KEEL_BENCH_PROFILE=1: perf inside the guest
	linux-perf
	# blktests' srp group, run by tools/peer/blktests-srp
	gawk lsof g++
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Do not let package scripts start daemons (multipathd, udev, targetclid)
# on the build host: every test runs inside a VM.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	"${missing[@]}" >/dev/null
# Debian's grub boots the newest kernel by default: say so rather than
# touch the boot configuration of the machine (README, "Kernels").
case " ${missing[*]} " in *" linux-image-6.12-amd64 "*)
	if [ -d /boot/grub ] && [ "$(uname -r | cut -d. -f1,2)" != 6.12 ]; then
		echo "deps: note: linux-image-6.12-amd64 is now installed for keel's VMs and"
		echo "      builds; grub will offer it first at the next boot. To keep"
		echo "      booting $(uname -r), set GRUB_DEFAULT in /etc/default/grub"
		echo "      and run update-grub."
	fi
esac
echo "deps: done"
