# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# san.sh - drive the guests of a tools/vm-san run from the host (the SAN
# tests in tests/san/ and tools/demo.sh run on the host, not in a guest).
#
#	san_nodes                      the nodes, in topology order
#	san_links [NODE]               every link, or NODE's
#	san_peer LINK NODE             the node at LINK's other end
#	san_mac LINK NODE              NODE's MAC on LINK
#	san_ip6 LINK NODE              NODE's IPv6 link-local address on LINK
#	san_run NODE CMD [ARG...]      CMD in NODE (cwd: the checkout), its
#	                               output here, its exit status returned
#	san_sh NODE SCRIPT             bash SCRIPT in NODE, the same way
#	san_bg NODE NAME SCRIPT        start SCRIPT in NODE and return at once
#	san_wait NODE NAME [SECS]      wait for it: its exit status (124 when
#	                               SECS ran out, 255 when the node died)
#	san_done NODE NAME             0 once it ended
#	san_out NODE NAME              its output so far
#	san_link LINK up|down          plug or pull the cable (both ends:
#	                               QMP set_link, the guests see carrier)
#	san_kill NODE                  power cut: QEMU killed (its kernel log
#	                               is scanned first, when it still answers)
#	san_boot NODE...               boot them (again; disks, MACs and links
#	                               as before) and wait until each is ready
#	san_up NODE                    0 when NODE's agent is running
#	san_klog_mark TEXT             TEXT into every running node's kernel log
#	san_klog_clear, san_klog NODE  clear every node's log / print NODE's
#
# Jobs run under bash with tests/common/{impl,blk,srp,san-node}.sh sourced
# and KEEL_OUT=/keel-out/work (the node's <run>/<node>/work here); the
# knobs the host exported (KEEL_IMPL, KEEL_SOAK, ...) are set there too.
# SAN_RUN is the run's folder (tools/vm-san sets it). Functions return
# non-zero on failure and never exit.

# shellcheck disable=SC1091
. "$SAN_RUN/san.env"
: "${SAN_JOB_TIMEOUT:=900}"

san_nodes() { echo "$SAN_NODES"; }

san_links() {
	local l ends
	for l in $SAN_LINKS; do
		ends=SAN_LINK_$l
		if [ -z "${1:-}" ]; then
			echo "$l"
			continue
		fi
		case " ${!ends} " in *" $1 "*) echo "$l" ;; esac
	done
}

san_peer() {
	local ends=SAN_LINK_$1
	set -- ${!ends} "$2"
	if [ "$1" = "$3" ]; then echo "$2"; else echo "$1"; fi
}

_san_idx() {
	local l=SAN_LIDX_$1 n=SAN_NIDX_$2
	[ -n "${!l:-}" ] && [ -n "${!n:-}" ] || return 1
	echo "${!l} ${!n}"
}

san_mac() {
	local i
	i=$(_san_idx "$1" "$2") || return 1
	set -- $i
	printf '52:54:00:00:%02x:%02x\n' "$1" "$2"
}

san_ip6() {
	local i
	i=$(_san_idx "$1" "$2") || return 1
	set -- $i
	printf 'fe80::5054:ff:fe00:%x\n' $(( $1 * 256 + $2 ))
}

_san_seq=0
# _san_submit NODE NAME SCRIPT: queue a job (NAME unique in this run)
_san_submit() {
	local d=$SAN_RUN/$1/cmd
	[ -d "$d" ] || { echo "san: no node $1" >&2; return 1; }
	rm -f "$d/$2".*
	{
		echo "# job $2 for node $1"
		echo "export KEEL_OUT=/keel-out/work"
		echo 'mkdir -p "$KEEL_OUT"'
		echo '. tests/common/impl.sh; . tests/common/blk.sh; . tests/common/fio.sh'
		echo '. tests/common/kernel.sh; . tests/common/srp.sh'
		echo '. tests/common/san-node.sh'
		printf '%s\n' "$3"
	} > "$d/$2.tmp" && mv "$d/$2.tmp" "$d/$2.job"
}

san_done() { [ -e "$SAN_RUN/$1/cmd/$2.rc" ]; }

san_out() { cat "$SAN_RUN/$1/cmd/$2.out" 2>/dev/null; }

san_up() {
	local pid
	pid=$(cat "$SAN_RUN/$1/qemu.pid" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null && [ -e "$SAN_RUN/$1/cmd/ready" ]
}

san_wait() {
	local node=$1 name=$2 end=$((SECONDS + ${3:-$SAN_JOB_TIMEOUT}))
	local d=$SAN_RUN/$1/cmd
	while [ ! -e "$d/$name.rc" ]; do
		if ! san_up "$node" && [ ! -e "$d/$name.rc" ]; then
			echo "san: $node went away while running $name" >&2
			return 255
		fi
		[ $SECONDS -lt $end ] || return 124
		sleep 0.2
	done
	return "$(cat "$d/$name.rc")"
}

san_bg() {
	_san_submit "$1" "$2" "$3"
}

san_sh() {
	local name rc
	_san_seq=$((_san_seq + 1))
	name=sh-$$-$_san_seq
	_san_submit "$1" "$name" "$2" || return 1
	san_wait "$1" "$name"
	rc=$?
	san_out "$1" "$name"
	[ $rc -eq 124 ] && echo "san: $1: job timed out: $2" >&2
	return $rc
}

san_run() {
	local node=$1
	shift
	san_sh "$node" "$(printf '%q ' "$@")"
}

# _san_qmp NODE JSON: one QMP command, its answer printed
_san_qmp() {
	python3 - "$SAN_RUN/$1/qmp.sock" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(20)
s.connect(sys.argv[1])
f = s.makefile('rw')
def answer():
    while True:
        m = json.loads(f.readline())
        if 'return' in m or 'error' in m:
            return m
f.readline()
f.write('{"execute": "qmp_capabilities"}\n'); f.flush(); answer()
f.write(sys.argv[2] + '\n'); f.flush()
m = answer()
print(json.dumps(m))
sys.exit(1 if 'error' in m else 0)
PY
}

san_link() {
	local l=$1 up ends n
	case "$2" in up) up=true ;; down) up=false ;; *) return 2 ;; esac
	ends=SAN_LINK_$l
	for n in ${!ends}; do
		san_up "$n" || continue
		_san_qmp "$n" "{\"execute\": \"set_link\", \"arguments\": {\"name\": \"nic-$l\", \"up\": $up}}" > /dev/null || {
			echo "san: set_link $l on $n failed" >&2
			return 1
		}
	done
	echo "san: link $l $2 at $(date +%T)"
}

# san_kill NODE: a power cut. The kernel log of the boot that ends is kept
# as <node>/dmesg-boot.N and scanned, when the node still answers.
san_kill() {
	local nd=$SAN_RUN/$1 pid k
	k=$(ls "$nd"/dmesg-boot.* 2>/dev/null | wc -l)
	if san_up "$1"; then
		SAN_JOB_TIMEOUT=30 san_run "$1" dmesg > "$nd/dmesg-boot.$k" 2>&1
		"$KEEL_ROOT/tools/vm/splats" < "$nd/dmesg-boot.$k" > "$nd/splats-boot.$k"
	fi
	pid=$(cat "$nd/qemu.pid" 2>/dev/null) || return 0
	kill -9 "$pid" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	# the boot's pipeline notes QEMU's end in qemu.rc: let it, before a
	# new boot of the node clears it
	for _ in $(seq 50); do
		[ -e "$nd/qemu.rc" ] && break
		sleep 0.1
	done
	rm -f "$nd/qemu.pid"
	echo "san: $1 killed at $(date +%T)"
}

# san_boot NODE...: boots them in parallel; one more boot for a node that
# did not reach stage 2 within the boot allowance (a TCG timer hang)
san_boot() {
	local n t0=$SECONDS pending=() attempt ok=0 st
	declare -A tries shown
	for n in "$@"; do
		"$SAN_RUN/$n/boot.sh" || return 1
		tries[$n]=1
		pending+=("$n")
		echo "san: $n booting"
	done
	while [ ${#pending[@]} -gt 0 ]; do
		local still=()
		for n in "${pending[@]}"; do
			if [ -e "$SAN_RUN/$n/cmd/ready" ]; then
				echo "san: $n ready after $((SECONDS - t0))s"
				continue
			fi
			st=booting
			if grep -q '^keel-vm: stage 2 ' "$SAN_RUN/$n/console.log" 2>/dev/null; then
				st=up
				[ -z "${shown[$n]:-}" ] &&
					echo "san: $n kernel up after $((SECONDS - t0))s, setting up"
				shown[$n]=1
			fi
			if [ ! -e "$SAN_RUN/$n/qemu.rc" ] && { [ $st = up ] ||
			   [ $((SECONDS - t0)) -lt $((KEEL_BOOT_ALLOWANCE * tries[$n])) ]; }; then
				still+=("$n")
				continue
			fi
			attempt=${tries[$n]}
			if [ "$attempt" -ge 2 ] || [ $st = up ]; then
				echo "san: $n did not come up:" >&2
				tail -15 "$SAN_RUN/$n/console.log" | sed "s/^/san: $n: /" >&2
				ok=1
				continue
			fi
			echo "san: $n did not boot in ${KEEL_BOOT_ALLOWANCE}s, booting again" >&2
			kill -9 "$(cat "$SAN_RUN/$n/qemu.pid" 2>/dev/null)" 2>/dev/null
			sleep 1
			"$SAN_RUN/$n/boot.sh" || return 1
			tries[$n]=$((attempt + 1))
			still+=("$n")
		done
		pending=("${still[@]}")
		[ ${#pending[@]} -gt 0 ] && sleep 1
	done
	return $ok
}

san_klog_mark() {
	local n
	for n in $SAN_NODES; do
		san_up "$n" && san_sh "$n" "echo $(printf %q "$1") > /dev/kmsg"
	done
	return 0
}

san_klog_clear() {
	local n
	for n in $SAN_NODES; do
		san_up "$n" && san_run "$n" dmesg -C
	done
	return 0
}

san_klog() { san_run "$1" dmesg; }
