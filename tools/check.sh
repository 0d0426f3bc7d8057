#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [SUBSET]  -- what `make check [T=SUBSET]` runs.
#
#   (none)             everything: builds, KUnit (debug kernel), runner
#                      self-tests, every area's integration tests (stock)
#   raid1|mpath|...    one area: its KUnit suites and integration tests
#                      (tests/raid1 names the same area)
#   tests/raid1/003-x  one integration test
#   kunit | harness    only the KUnit suites / only the runner self-tests
#
# Environment: KERNELS="stock 6.12 debug" runs the integration tests on
# each of those kernels (default: stock = Debian's 6.1; 6.12 = Debian's
# 6.12; debug = the KASAN/lockdep 6.1; debug-6.12 = the same built from
# linux-source-6.12); KEEL_NO_DEBUG=1 skips the debug kernel (and so
# KUnit) for a quick loop; KEEL_SOAK=1 is passed to the tests;
# KEEL_TIMEOUT_SCALE=N multiplies every test's time limit (soak runs);
# KEEL_IMPL=intree runs the integration tests against the in-tree twins
# (tests/common/impl.sh; tools/vm-run passes it into the guest).
#
# One VM boot per area. Prints a line per test as it ends and finishes
# with "N passed, N failed, N skipped"; exits non-zero on any failure.
# Logs: results/<time>/ (results/latest points there).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=tools/vm/kernels.sh
. tools/vm/kernels.sh

subset=${1:-}
# an area may be named by its folder: tests/dkms, tests/dkms/
case "$subset" in
tests/*/*/) subset=${subset%/} ;;
tests/*/) subset=${subset#tests/}; subset=${subset%/} ;;
tests/*) [ -d "$subset" ] && subset=${subset#tests/} ;;
esac
kernels=${KERNELS:-stock}
# A whole `make check` (no subset, no KERNELS) also runs the 6.12 smoke
# set: every test tagged "# smoke-6.12:" on Debian's 6.12, with keel's
# 6.12 build (Documentation/testing.rst says why not all of them), except
# in a cold run that is short of time (smoke612_skip below).
smoke612=0
if [ -z "$subset" ] && [ -z "${KERNELS:-}" ] &&
   [ -n "$(ls /boot/vmlinuz-6.12.*-amd64 2>/dev/null)" ]; then
	kernels="stock 6.12"
	smoke612=1
fi
check_t0=$(date +%s)
res=$root/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$res"
ln -sfn "$(basename "$res")" "$root/results/latest"

npass=0 nfail=0 nskip=0
failed=()
record() {	# record NAME STATUS SECS [REASON...]
	local name=$1 st=$2 secs=$3
	shift 3
	case "$st" in
	pass) npass=$((npass + 1)); printf 'PASS  %s (%ss)\n' "$name" "$secs" ;;
	skip) nskip=$((nskip + 1)); printf 'SKIP  %s %s\n' "$name" "$*" ;;
	*) nfail=$((nfail + 1)); failed+=("$name")
	   printf 'FAIL  %s (%ss) %s\n' "$name" "$secs" "$*" ;;
	esac
	echo "$st $name $secs $*" >> "$res/summary"
}
finish() {
	# a debug kernel still building in the background is not waited for
	if [ -n "${debug_bg:-}" ] && kill -0 "$debug_bg" 2>/dev/null; then
		kill -- -"$debug_bg" 2>/dev/null
		echo "check: stopped the debug kernel build (not cached)"
	fi
	if [ ${#failed[@]} -gt 0 ]; then
		echo "failed: ${failed[*]}"
	fi
	echo "logs: $res"
	if [ $nskip -gt 0 ]; then
		echo "$npass passed, $nfail failed, $nskip skipped"
	else
		echo "$npass passed, $nfail failed"
	fi
	[ $nfail -eq 0 ]
	exit $?
}

# Which parts run.
want_kunit=0 want_harness=0 want_gates=0 areas=() one_test=
case "$subset" in
"") want_kunit=1; want_harness=1; want_gates=1 ;;
kunit) want_kunit=1 ;;
harness) want_harness=1 ;;
gates) want_gates=1 ;;
tests/harness/*) one_test=${subset%/}; want_harness=1 ;;
tests/gates/*) one_test=${subset%/}; want_gates=1 ;;
tests/*/*) one_test=${subset%/} ;;
*) [ -d "tests/$subset" ] || {
	echo "check: no area or test '$subset'" >&2; exit 2; }
   want_kunit=1 ;;
esac
if [ -z "$one_test" ] && [ "$subset" != kunit ] && [ "$subset" != harness ] &&
   [ "$subset" != gates ]; then
	for d in tests/*/; do
		a=$(basename "$d")
		case "$a" in harness|gates) continue ;; esac
		[ -n "$subset" ] && [ "$a" != "$subset" ] && continue
		areas+=("$a")
	done
fi
[ "${KEEL_NO_DEBUG:-0}" = 1 ] && want_kunit=0
case "${KEEL_IMPL:-keel}" in
keel) ;;
intree) echo "check: KEEL_IMPL=intree: integration tests drive the in-tree modules" ;;
*) echo "check: KEEL_IMPL must be keel or intree, not '$KEEL_IMPL'" >&2; exit 2 ;;
esac

area_tests() {
	find "tests/$1" -maxdepth 1 -type f -name '[0-9][0-9][0-9]-*' -perm -u+x | sort
}

# ---- builds -------------------------------------------------------------
# 6.1 in the checkout (the modules the stock kernel's tests load), 6.12
# under build/6.12 when a 6.12 run is asked for.
t0=$(date +%s)
if make -s modules KVER="$(keel_stock_kver)" > "$res/build-stock.log" 2>&1; then
	record build/stock pass $(( $(date +%s) - t0 ))
else
	tail -20 "$res/build-stock.log"
	record build/stock fail $(( $(date +%s) - t0 )) "see build-stock.log"
	finish
fi
ok612=1 ok612d=1
case " $kernels " in *" 6.12 "*)
	t0=$(date +%s)
	if tools/build-series.sh 6.12 -s > "$res/build-6.12.log" 2>&1; then
		record build/6.12 pass $(( $(date +%s) - t0 ))
	else
		tail -20 "$res/build-6.12.log"
		record build/6.12 fail $(( $(date +%s) - t0 )) "see build-6.12.log"
		ok612=0
	fi
esac
case " $kernels " in *" debug-6.12 "*)
	t0=$(date +%s)
	if ! KEEL_DEBUG_SERIES=6.12 tools/debug-kernel.sh --print > /dev/null 2>&1; then
		echo "check: building the 6.12 debug kernel (cached afterwards; ~30 min cold)"
	fi
	if KEEL_DEBUG_SERIES=6.12 tools/debug-kernel.sh > "$res/build-debug-6.12-kernel.log" 2>&1 &&
	   KEEL_DEBUG_SERIES=6.12 tools/build-debug.sh > "$res/build-debug-6.12.log" 2>&1; then
		record build/debug-6.12 pass $(( $(date +%s) - t0 ))
	else
		tail -20 "$res/build-debug-6.12-kernel.log" "$res/build-debug-6.12.log" 2>/dev/null
		record build/debug-6.12 fail $(( $(date +%s) - t0 )) "see build-debug-6.12*.log"
		ok612d=0
	fi
esac

# The debug kernel (KUnit, and KERNELS=debug). Cached, it is ready in
# seconds. Cold, it takes 20-36 minutes of both cores; when only KUnit
# needs it, it builds in the background at the lowest CPU priority while
# the stock kernel's gates and guests run (they leave a core idle much
# of the time), and KUnit runs last instead of first
# (Documentation/testing.rst, CI budget).
need_debug=$want_kunit
debug_in_kernels=0
case " $kernels " in *" debug "*) need_debug=1; debug_in_kernels=1 ;; esac
debug_ok=0 debug_bg=
debug_t0=$(date +%s)
debug_finish() {	# debug_finish KERNEL-BUILD-STATUS
	if [ "$1" = 0 ] &&
	   tools/build-debug.sh > "$res/build-debug.log" 2>&1; then
		record build/debug pass $(( $(date +%s) - debug_t0 ))
		debug_ok=1
	else
		tail -20 "$res/build-debug-kernel.log" "$res/build-debug.log" 2>/dev/null
		record build/debug fail $(( $(date +%s) - debug_t0 )) "see build-debug*.log"
	fi
}
if [ "$need_debug" = 1 ]; then
	if tools/debug-kernel.sh --print > /dev/null 2>&1; then
		tools/debug-kernel.sh > "$res/build-debug-kernel.log" 2>&1
		debug_finish $?
	elif [ "$debug_in_kernels" = 0 ] && [ "${KEEL_DEBUG_FG:-0}" != 1 ]; then
		echo "check: building the debug kernel in the background (cached afterwards; ~20-36 min cold); KUnit runs last"
		# own process group: finish() stops the whole build on an early exit
		setsid nice -n 19 tools/debug-kernel.sh \
			> "$res/build-debug-kernel.log" 2>&1 &
		debug_bg=$!
	else
		echo "check: building the debug kernel (cached afterwards; ~20 min cold)"
		tools/debug-kernel.sh > "$res/build-debug-kernel.log" 2>&1
		debug_finish $?
	fi
fi

# Stream a vm-run: print KEEL-RESULT lines as they come, keep the rest.
# Sets vm_rc and vm_names (tests reported).
run_vm() {	# run_vm LOGNAME vm-run-args...  (runner=vm-san: its args)
	local logname=$1 line name st secs reason
	shift
	vm_names=" "
	while IFS= read -r line; do
		echo "$line" >> "$res/$logname.console"
		case "$line" in
		KEEL-RESULT\ *)
			read -r _ name st secs reason <<< "$line"
			record "$name${ktag:-}" "$st" "$secs" "$reason"
			vm_names="$vm_names$name "
			;;
		"  "*": "*) echo "$line" ;;	# failure details from run-tests
		"keel-vm: WARNING"*|"keel-vm:   "*|"keel-vm: lockdep"*)
			echo "$line" ;;		# a problem while the guest booted
		esac
	done < <(tools/"${runner:-vm-run}" --out "$res/$logname.vm" "$@" 2>&1; echo "KEEL-VMRC $?")
	vm_rc=$(sed -n 's/^KEEL-VMRC //p' "$res/$logname.console" | tail -1)
	if [ "$vm_rc" != 0 ]; then
		grep -E '^vm-(run|san): ' "$res/$logname.console" | head -30
	fi
}

# ---- KUnit on the debug kernel -----------------------------------------
run_kunit() {
	local kmods=() f a m name st secs reason
	[ "$want_kunit" = 1 ] && [ "$debug_ok" = 1 ] || return 0
	for f in build/debug/*/*_kunit.ko; do
		[ -f "$f" ] || continue
		a=$(basename "$(dirname "$f")")
		[ -n "$subset" ] && [ "$subset" != kunit ] && [ "$a" != "$subset" ] && continue
		kmods+=("$(basename "$f" .ko)")
	done
	if [ ${#kmods[@]} -gt 0 ]; then
		echo "check: KUnit: ${kmods[*]} (debug kernel)"
		run_vm kunit --kernel debug --timeout $((120 * ${#kmods[@]})) \
			-- tools/vm/run-kunit "${kmods[@]}"
		for m in "${kmods[@]}"; do
			f=$res/kunit.vm/work/kunit/$m.ktap
			if [ -f "$f" ]; then
				while read -r _ name st secs reason; do
					record "$name" "$st" "$secs" "$reason"
				done < <(python3 tools/ktap.py "$m" "$f")
			else
				record "kunit/$m" fail 0 "no kernel log (vm rc $vm_rc)"
			fi
		done
	fi
}
# KUnit first when its kernel is ready; after the areas when it builds
[ -z "$debug_bg" ] && run_kunit

# ---- host-side areas: kernel-style gates, runner self-tests ------------
run_host_area() {	# run_host_area AREA [TEST]
	local t n rc t0
	for t in tests/$1/[0-9][0-9][0-9]-*; do
		[ -x "$t" ] || continue
		[ -n "${2:-}" ] && [ "$t" != "$2" ] && continue
		n=$1/$(basename "$t")
		t0=$(date +%s)
		KEEL_OUT=$res/$n.d bash "$t" > "$res/${n//\//_}.log" 2>&1
		rc=$?
		if [ $rc -eq 77 ] || { [ $rc -eq 0 ] &&
		   grep -q '^1\.\.0 # SKIP' "$res/${n//\//_}.log"; }; then
			record "$n" skip 0 "$(grep -m1 -i skip "$res/${n//\//_}.log")"
		elif [ $rc -eq 0 ] && ! grep -aq '^not ok' "$res/${n//\//_}.log"; then
			record "$n" pass $(( $(date +%s) - t0 ))
		else
			grep -aE '^not ok|^Bail out!' "$res/${n//\//_}.log" | head -10 |
				sed "s|^|  $n: |"
			tail -10 "$res/${n//\//_}.log" | sed "s|^|  $n: |"
			record "$n" fail $(( $(date +%s) - t0 )) "exit $rc"
		fi
	done
}
[ "$want_gates" = 1 ] && run_host_area gates "$one_test"
[ "$want_harness" = 1 ] && run_host_area harness "$one_test"
# a host-side test asked for alone boots no area
case "$one_test" in tests/harness/*|tests/gates/*) finish ;; esac

# ---- integration tests, one VM boot per area and kernel ----------------
run_area() {	# run_area LABEL KERNEL TEST...
	local label=$1 kernel=$2 total=120 t lim scale=1 runner
	shift 2
	# results on another kernel than the stock one are named test@kernel
	ktag=@$kernel
	[ "$kernel" = stock ] && ktag=
	# tools/vm/run-tests stretches test limits on the debug kernel
	case "$kernel" in debug*) scale=${KEEL_DEBUG_TIMEOUT_SCALE:-4} ;; esac
	# ... and on every kernel by KEEL_TIMEOUT_SCALE (soak runs)
	scale=$((scale * ${KEEL_TIMEOUT_SCALE:-1}))
	for t in "$@"; do
		lim=$(sed -n 's/^# timeout: *\([0-9][0-9]*\).*/\1/p' "$t" | head -1)
		total=$((total + ${lim:-300} * scale + 15))
	done
	echo "check: $label on the $kernel kernel: $# test(s)"
	# tests/<area>/topology: the area's tests drive several guests from
	# the host (tools/vm-san); else one guest runs them (tools/vm-run)
	runner=vm-run
	[ -f "tests/$label/topology" ] && runner=vm-san
	# tests/<area>/vm-args: extra vm-run options for the area's boot
	# shellcheck disable=SC2046
	run_vm "$label-$kernel" --kernel "$kernel" --timeout "$total" \
		$(cat "tests/$label/vm-args" 2>/dev/null) \
		-- tools/vm/run-tests "$@"
	# A test the guest never reported: the VM died under it.
	for t in "$@"; do
		n=${t#tests/}
		case "$vm_names" in *" $n "*) ;; *)
			record "$n$ktag" fail 0 "no result: the VM died or hung (vm rc $vm_rc)" ;;
		esac
	done
}

# Cold cache: the debug kernel's build is the run's biggest cost. The 6.12
# smoke set (~8 min) runs only if that build is done and the run is still
# inside KEEL_SMOKE612_BY minutes (default 60): measured cold, a fast
# machine got there at 55 min, a slow one at ~80 (Documentation/testing.rst,
# CI budget). Prints why it is skipped, or nothing.
smoke612_skip() {
	local by=${KEEL_SMOKE612_BY:-60} took
	[ -n "$debug_bg" ] || return 0
	took=$(( ($(date +%s) - check_t0) / 60 ))
	if kill -0 "$debug_bg" 2>/dev/null; then
		echo "cold cache: the debug kernel is still building (${took} min in); KERNELS=\"stock 6.12\" runs the 6.12 smoke set"
	elif [ "$took" -ge "$by" ]; then
		echo "cold cache: ${took} min in, past ${by} (CI budget); KERNELS=\"stock 6.12\" runs the 6.12 smoke set"
	fi
}

for kernel in $kernels; do
	if [ "$kernel" = debug ] && [ "$debug_ok" != 1 ]; then
		continue
	fi
	[ "$kernel" = 6.12 ] && [ "$ok612" != 1 ] && continue
	[ "$kernel" = debug-6.12 ] && [ "$ok612d" != 1 ] && continue
	if [ -n "$one_test" ]; then
		run_area "$(basename "$(dirname "$one_test")")" "$kernel" "$one_test"
		continue
	fi
	for a in "${areas[@]}"; do
		if [ "$kernel" = 6.12 ] && [ "$smoke612" = 1 ]; then
			mapfile -t ts < <(area_tests "$a" | xargs -r grep -l '^# smoke-6.12:')
			why=$(smoke612_skip)
			if [ -n "$why" ]; then
				for t in "${ts[@]}"; do
					record "${t#tests/}@6.12" skip 0 "$why"
				done
				continue
			fi
		else
			mapfile -t ts < <(area_tests "$a")
		fi
		[ ${#ts[@]} -gt 0 ] || continue
		run_area "$a" "$kernel" "${ts[@]}"
	done
done

if [ -n "$debug_bg" ]; then
	echo "check: waiting for the debug kernel build"
	wait "$debug_bg"
	rc=$?
	debug_bg=
	debug_finish $rc
	run_kunit
fi
finish
