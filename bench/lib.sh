# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# lib.sh - what every bench/<area>.sh shares: fio runs recorded per job,
# implementation and round, and the report (bench/report.py) that turns
# them into IOPS, cost per I/O and keel/in-tree ratios.
#
#	bench_init AREA            mode, runtime, rounds; the raw file
#	bench_job JOB GOAL TITLE   declares a job; GOAL "half": keel must also
#	                           add at most half the in-tree cost over the
#	                           bare device; "ratio": keel/in-tree only
#	bench_fio JOB IMPL ROUND DEV FIO-ARGS...
#	                           one fio run (4k..1M, libaio, O_DIRECT,
#	                           BENCH_RT seconds of guest time), recorded
#	                           as "JOB IMPL ROUND IOPS MIB/S CSW/IO"
#	                           (context switches per I/O); IMPL is
#	                           bare, floor, intree or keel
#	bench_profile JOB IMPL DEV FIO-ARGS...
#	                           with KEEL_BENCH_PROFILE=1: perf record
#	                           -e cpu-clock -a -g over one more fio run,
#	                           the top of `perf report` kept in
#	                           $BENCH_OUT/profile-JOB-IMPL.txt
#	                           with KEEL_BENCH_SCHED=1 (as well or
#	                           alone): ftrace sched_switch and
#	                           sched_wakeup over one more 1 s fio run,
#	                           switches and wakeups per I/O by task pair
#	                           in $BENCH_OUT/sched-JOB-IMPL.txt;
#	                           KEEL_BENCH_FUNCS="glob ..." and/or
#	                           KEEL_BENCH_EVENTS="sys:event ...": calls
#	                           and event hits per I/O over one more 1 s
#	                           run, in $BENCH_OUT/count-JOB-IMPL.txt
#	bench_rw_jobs SEQ_BS       JOB (fio arguments by job name) and ORDER:
#	                           4k randread / randwrite at qd32, SEQ_BS
#	                           sequential read / write at qd8;
#	                           KEEL_BENCH_JOBS="randread ..." keeps only
#	                           those in ORDER
#	bench_hugepages            fio's buffers in huge pages from here on
#	                           (bench_init calls it)
#	bench_note TEXT            a line printed under the table
#	bench_report               the table (bench/report.py)
#
# Modes (KEEL_BENCH_MODE, set by tools/bench.sh):
#   icount  one vCPU whose clock counts instructions (tools/vm-run
#           --icount): IOPS measure work per I/O, independent of the
#           host. Each job runs KEEL_BENCH_ROUNDS (2) times; the report
#           flags a pair that differs by more than 2 %.
#   smp     two TCG vCPUs on wall-clock time: shows what icount cannot
#           (lock contention, cross-CPU completion) but swings +-30 %
#           between boots; KEEL_BENCH_ROUNDS (3) rounds, medians.
# The implementations alternate inside each round (bare, in-tree, keel),
# so drift over a boot hits all three alike.

BENCH_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

bench_init() {
	BENCH_AREA=$1
	BENCH_MODE=${KEEL_BENCH_MODE:-smp}
	case "$BENCH_MODE" in
	icount)
		BENCH_RT=${KEEL_BENCH_RUNTIME:-3}
		BENCH_ROUNDS=${KEEL_BENCH_ROUNDS:-2}
		;;
	smp)
		BENCH_RT=${KEEL_BENCH_RUNTIME:-8}
		BENCH_ROUNDS=${KEEL_BENCH_ROUNDS:-3}
		;;
	*)
		echo "bench: KEEL_BENCH_MODE must be icount or smp" >&2
		return 1
		;;
	esac
	BENCH_OUT=${KEEL_OUT:-/tmp}/bench-$BENCH_AREA
	rm -rf "$BENCH_OUT"
	mkdir -p "$BENCH_OUT"
	BENCH_RAW=$BENCH_OUT/raw
	{
		echo "area $BENCH_AREA"
		echo "mode $BENCH_MODE"
		echo "runtime $BENCH_RT"
		echo "kernel $(uname -r)"
	} > "$BENCH_RAW"
	bench_hugepages
	echo "bench: $BENCH_AREA, $BENCH_MODE mode, $BENCH_ROUNDS rounds of ${BENCH_RT}s per job"
}

# bench_hugepages: fio's I/O buffers in hugetlb pages (fio --mem=shmhuge),
# reserved now, before the benchmark's devices take and fragment memory.
# A large I/O is then one physically contiguous buffer in every run, so
# the number of segments per request, and what the layers below pay
# for them, is the same in every run. With ordinary pages that number
# depends on how the kernel happened to back fio's buffer (transparent
# huge pages when it had some free): the 1 MiB jobs through tcm_loop
# moved by 2-3 % between rounds, and by 10 % between THP always and
# never (Documentation/testing.rst). Without huge pages the runs use
# malloc and the report says so.
bench_hugepages() {
	local want=16 got
	echo "$want" > /proc/sys/vm/nr_hugepages 2> /dev/null
	got=$(cat /proc/sys/vm/nr_hugepages 2> /dev/null || echo 0)
	if [ "$got" -ge "$want" ]; then
		BENCH_MEM=shmhuge
		[ -n "${BENCH_RAW:-}" ] && echo "mem hugetlb" >> "$BENCH_RAW"
	else
		BENCH_MEM=malloc
		[ -n "${BENCH_RAW:-}" ] &&
			bench_note "fio buffers in ordinary pages (only $got huge pages): large jobs may move between rounds"
	fi
}

bench_job() {
	echo "job $1 $2 $3" >> "$BENCH_RAW"
}

# shellcheck disable=SC2034 # JOB and ORDER are the caller's
bench_rw_jobs() {
	declare -gA JOB=(
		[randread]="--rw=randread --bs=4k --iodepth=32"
		[randwrite]="--rw=randwrite --bs=4k --iodepth=32"
		[seqread]="--rw=read --bs=$1 --iodepth=8"
		[seqwrite]="--rw=write --bs=$1 --iodepth=8"
	)
	ORDER="randread randwrite seqread seqwrite"
	# KEEL_BENCH_JOBS="randread ...": only those (a quick experiment)
	[ -n "${KEEL_BENCH_JOBS:-}" ] && ORDER=$KEEL_BENCH_JOBS
	return 0
}

bench_note() {
	echo "note $*" >> "$BENCH_RAW"
}

# _bench_fio_args DEV FIO-ARGS...: the common part of every run
_bench_fio_args() {
	local dev=$1
	shift
	BENCH_ARGS=(--name=bench --filename="$dev" --direct=1
		    --ioengine=libaio --time_based --runtime="$BENCH_RT"
		    --numjobs=1 --group_reporting --mem="${BENCH_MEM:-malloc}"
		    "$@")
}

# _bench_quiet CMD...: run CMD with udev's event queue held. udev
# watches block devices: a close after writing (fio's) becomes a change
# event whose rules probe the device (blkid, mdadm --detail), and that
# work ran inside some measured runs and not others: under icount 4k
# writes through md came in two levels 4 % apart (Documentation/
# raid1.rst, "Writes in two levels"). Held, the events wait until the
# run is over.
_bench_quiet() {
	local rc
	udevadm control --stop-exec-queue 2> /dev/null
	"$@"
	rc=$?
	udevadm control --start-exec-queue 2> /dev/null
	udevadm settle 2> /dev/null
	return $rc
}

bench_fio() {
	local job=$1 impl=$2 round=$3 dev=$4 json v c0 c1
	shift 4
	json=$BENCH_OUT/$job-$impl-$round.json
	_bench_fio_args "$dev" "$@"
	# the boot's first fio run pays for loading fio's own pages and
	# libraries (~1 % under icount): one unrecorded second first
	if [ -z "${BENCH_WARM:-}" ]; then
		fio "${BENCH_ARGS[@]}" --runtime=1 > /dev/null 2>&1
		BENCH_WARM=1
	fi
	c0=$(awk '/^ctxt / { print $2 }' /proc/stat)
	if ! _bench_quiet fio "${BENCH_ARGS[@]}" --output-format=json \
		--output="$json" > "$BENCH_OUT/$job-$impl-$round.err" 2>&1; then
		echo "bench: $job $impl round $round: fio failed" >&2
		sed 's/^/bench:   /' "$BENCH_OUT/$job-$impl-$round.err" | head -5 >&2
		return 1
	fi
	c1=$(awk '/^ctxt / { print $2 }' /proc/stat)
	# IOPS, MiB/s and context switches per I/O (all CPUs, whole run)
	v=$(python3 - "$json" "$((c1 - c0))" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
iops = j["read"]["iops"] + j["write"]["iops"]
mib = (j["read"]["bw_bytes"] + j["write"]["bw_bytes"]) / 1048576.0
ios = j["read"]["total_ios"] + j["write"]["total_ios"]
print("%.1f %.1f %.2f" % (iops, mib, int(sys.argv[2]) / ios if ios else 0))
PY
)
	echo "run $job $impl $round $v" >> "$BENCH_RAW"
	echo "bench: round $round $impl $job: ${v%% *} IOPS"
}

bench_profile() {
	local job=$1 impl=$2 dev=$3 data
	shift 3
	[ "${KEEL_BENCH_SCHED:-0}" = 1 ] && _bench_sched "$job" "$impl" "$dev" "$@"
	[ -n "${KEEL_BENCH_FUNCS:-}${KEEL_BENCH_EVENTS:-}" ] &&
		_bench_count "$job" "$impl" "$dev" "$@"
	[ "${KEEL_BENCH_PROFILE:-0}" = 1 ] || return 0
	command -v perf > /dev/null || { echo "bench: no perf" >&2; return 0; }
	data=$BENCH_OUT/perf-$job-$impl.data
	_bench_fio_args "$dev" "$@"
	perf record -q -e cpu-clock -a -g -o "$data" -- \
		fio "${BENCH_ARGS[@]}" > /dev/null 2>&1 || return 0
	perf report -i "$data" --stdio --no-children --sort sym \
		--percent-limit 0.5 -g none 2>/dev/null |
		grep -v '^$' | head -80 > "$BENCH_OUT/profile-$job-$impl.txt"
	rm -f "$data"
}

# _bench_trace_on KB: tracefs mounted, tracing off, buffer empty and KB
# per CPU; non-zero without tracefs. BENCH_T is the tracefs root.
BENCH_T=/sys/kernel/tracing
_bench_trace_on() {
	[ -d $BENCH_T/events ] || mount -t tracefs nodev $BENCH_T 2>/dev/null
	[ -d $BENCH_T/events ] || { echo "bench: no tracefs" >&2; return 1; }
	echo 0 > $BENCH_T/tracing_on
	echo > $BENCH_T/trace
	echo "$1" > $BENCH_T/buffer_size_kb
}

# _bench_trace_fio KIND JOB IMPL DEV FIO-ARGS...: one 1 s fio run with
# tracing on; its JSON in $BENCH_OUT/KIND-JOB-IMPL.json, the trace in
# KIND-JOB-IMPL.raw (read before any tracer change empties the buffer)
_bench_trace_fio() {
	local base=$BENCH_OUT/$1-$2-$3 dev=$4
	shift 4
	_bench_fio_args "$dev" "$@" --runtime=1
	echo 1 > $BENCH_T/tracing_on
	fio "${BENCH_ARGS[@]}" --output-format=json --output="$base.json" \
		> /dev/null 2>&1
	echo 0 > $BENCH_T/tracing_on
	cat $BENCH_T/trace > "$base.raw"
	echo > $BENCH_T/trace
}

# _bench_sched JOB IMPL DEV FIO-ARGS...: who switches to whom, and who
# wakes whom, per I/O, over one 1 s fio run under ftrace. Kernel
# threads are named without their number (kworker/0:1H -> kworker/H).
_bench_sched() {
	local job=$1 impl=$2 base=$BENCH_OUT/sched-$1-$2 e
	_bench_trace_on 4096 || return 0
	for e in sched_switch sched_wakeup; do
		echo 1 > $BENCH_T/events/sched/$e/enable
	done
	_bench_trace_fio sched "$@"
	for e in sched_switch sched_wakeup; do
		echo 0 > $BENCH_T/events/sched/$e/enable
	done
	python3 - "$base.json" "$base.raw" > "$base.txt" <<'PY'
import collections, json, re, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
ios = (j["read"]["total_ios"] + j["write"]["total_ios"]) or 1
def name(c):
	c = re.sub(r"/\d+:\d+", "/", c)
	return re.sub(r"-\d+$", "", c)
sw, wk = collections.Counter(), collections.Counter()
lost = 0
for line in open(sys.argv[2]):
	if "LOST" in line:
		lost += 1
	m = re.search(r"sched_switch: prev_comm=(.*?) prev_pid.*next_comm=(.*?) next_pid", line)
	if m:
		sw[(name(m.group(1)), name(m.group(2)))] += 1
		continue
	m = re.match(r"\s*(.*?)-\d+\s+\[.*sched_wakeup: comm=(.*?) pid", line)
	if m:
		wk[(name(m.group(1)), name(m.group(2)))] += 1
print("%d I/Os traced%s" % (ios, ", events LOST" if lost else ""))
print("switches per I/O: %.2f" % (sum(sw.values()) / ios))
for (a, b), n in sw.most_common(15):
	print("  %6.2f  %s -> %s" % (n / ios, a, b))
print("wakeups per I/O: %.2f" % (sum(wk.values()) / ios))
for (a, b), n in wk.most_common(15):
	print("  %6.2f  %s wakes %s" % (n / ios, a, b))
PY
	rm -f "$base.json" "$base.raw"
}

# _bench_count JOB IMPL DEV FIO-ARGS...: calls of the kernel functions
# KEEL_BENCH_FUNCS names (ftrace filter globs, e.g. ":mod:NAME" for a
# module's) and hits of the trace events KEEL_BENCH_EVENTS names
# (sys:event), per I/O, over one 1 s fio run; block events are split by
# device (major,minor). Trace few and rare things: when the buffer
# (64 MiB) wraps, the oldest events are lost and the counts are low.
_bench_count() {
	local job=$1 impl=$2 base=$BENCH_OUT/count-$1-$2 f e
	_bench_trace_on 65536 || return 0
	echo > $BENCH_T/set_ftrace_filter
	for f in ${KEEL_BENCH_FUNCS:-}; do
		echo "$f" >> $BENCH_T/set_ftrace_filter 2>/dev/null ||
			echo "bench: no function matches $f" >&2
	done
	[ -n "${KEEL_BENCH_FUNCS:-}" ] && echo function > $BENCH_T/current_tracer
	for e in ${KEEL_BENCH_EVENTS:-}; do
		echo 1 > "$BENCH_T/events/${e/://}/enable" 2>/dev/null ||
			echo "bench: no event $e" >&2
	done
	_bench_trace_fio count "$@"
	echo nop > $BENCH_T/current_tracer
	echo > $BENCH_T/set_ftrace_filter
	echo 0 > $BENCH_T/events/enable
	python3 - "$base.json" "$base.raw" > "$base.txt" <<'PY'
import collections, json, re, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
ios = (j["read"]["total_ios"] + j["write"]["total_ios"]) or 1
n = collections.Counter()
lost = False
for line in open(sys.argv[2]):
	if line.startswith("#"):
		continue
	if "LOST" in line:
		lost = True
	m = re.search(r"\]\s+\S+\s+[\d.]+: (\w+) <-", line)
	if m:
		n[m.group(1) + "()"] += 1
		continue
	m = re.search(r"[\d.]+: (\w+): (\d+,\d+)?", line)
	if m:
		n[m.group(1) + (" " + m.group(2) if m.group(2) else "")] += 1
print("%d I/Os traced%s" % (ios, ", events LOST" if lost else ""))
for k, v in sorted(n.items(), key=lambda kv: -kv[1]):
	print("  %8.2f  %s" % (v / ios, k))
PY
	rm -f "$base.json" "$base.raw"
}

bench_report() {
	python3 "$BENCH_LIB_DIR/report.py" "$BENCH_RAW" |
		tee "$BENCH_OUT/report.txt"
}

# bench_prewrite DEV...: every block written once, so first-touch page
# allocation in brd or null_blk is not counted in any job
bench_prewrite() {
	local d
	for d in "$@"; do
		dd if=/dev/zero of="$d" bs=1M oflag=direct 2>/dev/null
	done
	return 0
}
