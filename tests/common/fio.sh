# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# fio.sh - fio runs whose failure is a test failure.
#
#	fio_run NAME FIO-ARGS...     fio --name=NAME, report in
#	                             $KEEL_OUT/fio-NAME.log (stderr, where a
#	                             bad block is described, in .err); on
#	                             failure the error and verify lines go
#	                             to stdout as "# " comments; returns
#	                             fio's status
#	fio_verify_io DEV NAME FIO-ARGS...
#	                             fio_run on DEV with O_DIRECT, libaio and
#	                             crc32c verification of every block
#	                             written (--verify_only re-checks a
#	                             region written before under NAME)
#
# Verification is fatal: the first bad block ends the run with an error.
#
# A write is never issued while an earlier one to the same blocks is still
# in flight (--serialize_overlap): storage may complete two such writes in
# either order, RAID1 legs each in their own, so what the block holds is
# not defined. A time_based run wraps around its region, and when a path
# holds some writes for a minute (a pulled cable, until ib_srp's reset)
# fio reaches those blocks again: the old write, retried after the new
# one, left old data on one leg and a verify read from it failed (CI,
# san/002).

FIO_VERIFY_OPTS=(--direct=1 --ioengine=libaio --verify=crc32c
		 --verify_fatal=1 --do_verify=1 --serialize_overlap=1)

fio_run() {
	local name=$1 out rc
	shift
	out=${KEEL_OUT:-/tmp}/fio-$name
	fio --name="$name" --output="$out.log" "$@" >/dev/null 2>"$out.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "# fio $name failed (rc $rc)"
		# a bad block's offset, header and checksums come on stderr
		grep -aiE 'err|verify|bad|crc|offset|expected|received' \
			"$out.err" "$out.log" 2>/dev/null | head -12 | sed 's/^/# /'
	fi
	return $rc
}

fio_verify_io() {
	local dev=$1 name=$2
	shift 2
	fio_run "$name" --filename="$dev" "${FIO_VERIFY_OPTS[@]}" "$@"
}
