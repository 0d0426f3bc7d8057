# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# kernel.sh - the kernel's files and log, as check commands.
#
#	write_file FILE VALUE...   echo VALUE > FILE (sysfs, configfs, proc);
#	                           fails as the write does
#	dmesg_has [-i] ERE         the kernel log has a line matching ERE
#	dmesg_clean                the kernel log has no oops, BUG, WARNING,
#	                           KASAN report or hung task
#
#	check "serialisation on" write_file "$(mdsys)/serialize_policy" 1
#	check_not "enable without a device" write_file "$dev/enable" 1

write_file() {
	local f=$1
	shift
	echo "$*" > "$f"
}

dmesg_has() {
	local opt=
	[ "$1" = -i ] && { opt=-i; shift; }
	dmesg | grep -qE $opt -- "$1"
}

dmesg_clean() {
	! dmesg | grep -Eq 'BUG:|Oops|WARNING:|KASAN|hung_task|general protection'
}
