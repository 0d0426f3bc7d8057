# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tap.sh - the one TAP vocabulary of keel's tests (tests/<area>/NNN-name).
#
# Sourced by every area's rc.  A test states what it proves in a
# DESCRIPTION="..." line near its top, prints one result per check and
# ends with tap_done:
#
#	ok DESC                   ok N - DESC
#	not_ok DESC [WHY...]      not ok N - DESC, then one "# WHY" line each
#	check DESC CMD [ARG...]   runs CMD (an argv, never a string to eval):
#	                          exit 0 -> ok, else not ok with the last lines
#	                          of its output; returns CMD's status
#	check_not DESC CMD...     ok when CMD fails; returns 0 then
#	skip DESC WHY             ok N - DESC # SKIP WHY
#	skip_all WHY              1..0 # SKIP WHY, exit 0 (the runner counts a skip)
#	bail WHY                  Bail out! WHY, exit 1 (EXIT traps still run)
#	log MSG...                # MSG...
#	tap_done                  1..N; exit 0 when nothing failed, else 1
#
# A check of more than one condition is a shell function of the test:
#	disk_back() { [ -b "/dev/$1" ] && grep -q "$1" /proc/partitions; }
#	check "disk is back" disk_back sdb
#
# TAP_N counts the results so far, TAP_FAILED the failures.  The output of
# every check also goes to $KEEL_OUT/checks.log.

# Sourced twice (an area's rc and a fixture that sources it too), the
# counters must survive: they start at zero once.
if [ -z "${_tap_loaded:-}" ]; then
	_tap_loaded=1
	TAP_N=0
	TAP_FAILED=0
	_tap_described=
fi
TAP_TAIL=${TAP_TAIL:-15}

# The DESCRIPTION line goes out once, before the first result.
_tap_describe() {
	[ -n "$_tap_described" ] && return
	_tap_described=1
	[ -n "${DESCRIPTION:-}" ] && echo "# $DESCRIPTION"
	return 0
}

log() {
	echo "# $*"
}

ok() {
	_tap_describe
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1"
}

not_ok() {
	local desc=$1 why
	shift
	_tap_describe
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $desc"
	for why in "$@"; do
		[ -n "$why" ] && printf '%s\n' "$why" | sed 's/^/# /'
	done
	return 0
}

skip() {
	_tap_describe
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP ${2:-}"
}

# _tap_run CMD...: run CMD in this shell (so that a function can set
# variables), its output kept in $_tap_out; returns CMD's status.
_tap_run() {
	local dir=${KEEL_OUT:-/tmp} rc
	[ -d "$dir" ] || mkdir -p "$dir" 2>/dev/null || dir=/tmp
	_tap_out=$dir/.tap-check.$$
	"$@" > "$_tap_out" 2>&1
	rc=$?
	{
		echo "== $* (exit $rc)"
		cat "$_tap_out"
	} >> "$dir/checks.log" 2>/dev/null
	return $rc
}

# _tap_verdict WANT DESC CMD...: run CMD; ok when its status is zero
# (WANT=pass) or non-zero (WANT=fail), else not ok with its last lines.
# Returns CMD's status.
_tap_verdict() {
	local want=$1 desc=$2 rc got
	shift 2
	_tap_run "$@"
	rc=$?
	got=pass
	[ $rc -eq 0 ] || got=fail
	if [ $got = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc" "$* exited $rc, expected a $want" \
			"$(tail -n "$TAP_TAIL" "$_tap_out" 2>/dev/null)"
	fi
	rm -f "$_tap_out"
	return $rc
}

check() {
	_tap_verdict pass "$@"
}

check_not() {
	! _tap_verdict fail "$@"
}

skip_all() {
	_tap_describe
	echo "1..0 # SKIP $*"
	exit 0
}

bail() {
	_tap_describe
	echo "Bail out! $*"
	exit 1
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ] && exit 0
	exit 1
}
