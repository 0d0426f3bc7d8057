# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What tools/vm-run (one guest) and tools/vm-san (several guests joined by
# links) share: keel's modules staged for the guest, the job file the
# guest's stage 2 (tools/vm/guest-init) reads, the host-wide VM slots, the
# QEMU command line of a keel guest and its boot watchdog. Sourced after
# tools/vm/kernels.sh and keel_kernel_select.
#
#	vm_modules KERNEL auto|none|"a.ko b.ko"  sets VM_MODS (absolute paths)
#	vm_modules_index OUT             host depmod of the kernel + VM_MODS
#	vm_job_script OUT SCRIPT         the path the guest runs SCRIPT by
#	vm_job_env OUT SCRIPT TIMEOUT [ARGS...]  OUT/job.env (+ the knobs)
#	vm_slots_take N                  N of the KEEL_VM_SLOTS lock files
#	vm_qemu_args OUT MEM SMP APPEND  sets VM_QEMU: the guest's QEMU argv
#	vm_boot_wait OUT PID SECS        0 once stage 2 runs, 1 if it did not
#	                                 in SECS, 2 if PID (the QEMU) ended

# knobs the tests read, passed from the host into every guest
VM_KNOBS="KEEL_IMPL KEEL_SOAK KEEL_SLOW KEEL_RUN_QUARANTINED KEEL_BLKTESTS
	KEEL_DEBUG_TIMEOUT_SCALE KEEL_TIMEOUT_SCALE
	SRPT_FUZZ_CASES SRPT_FUZZ_SEED SRPT_BENCH_ROUNDS SRPT_CYCLES R1_BENCH_ROUNDS
	MP_BENCH_ROUNDS VDISK_BENCH_ROUNDS KEEL_BENCH_MODE KEEL_BENCH_RUNTIME
	KEEL_BENCH_ROUNDS KEEL_BENCH_PROFILE KEEL_BENCH_SCHED KEEL_BENCH_JOBS
	KEEL_BENCH_FUNCS KEEL_BENCH_EVENTS"

vm_modules() {
	local kernel=$1 list=$2 m
	case "$list" in
	auto) list=$(keel_built_modules "$kernel") ;;
	none) list= ;;
	esac
	VM_MODS=
	for m in $list; do
		[ -f "$m" ] || { echo "vm: no such module: $m" >&2; return 2; }
		VM_MODS="$VM_MODS $(realpath "$m")"
	done
	VM_MODS=${VM_MODS# }
}

# depmod over ~4000 modules through 9p takes minutes in a busy TCG guest
# and seconds here: build the module index on the host, for the kernel's
# tree plus keel's drop-ins in updates/keel, and let the guest copy it.
vm_modules_index() {
	local out=$1 kbase stage m
	kbase=${KEEL_MODROOT:+$KEEL_MODROOT}/lib/modules/$KEEL_KVER
	stage=$out/depmod-stage
	rm -rf "$stage" "$out/modules-index"
	mkdir -p "$stage/lib/modules/$KEEL_KVER/updates/keel" "$out/modules-index"
	ln -s "$kbase/kernel" "$stage/lib/modules/$KEEL_KVER/kernel"
	cp "$kbase"/modules.order "$kbase"/modules.builtin* \
		"$stage/lib/modules/$KEEL_KVER/" 2>/dev/null
	for m in $VM_MODS; do
		cp "$m" "$stage/lib/modules/$KEEL_KVER/updates/keel/"
	done
	if depmod -b "$stage" "$KEEL_KVER" 2> "$out/depmod.log"; then
		cp "$stage/lib/modules/$KEEL_KVER"/modules.* "$out/modules-index/"
	else
		echo "vm: host depmod failed, the guest will run it" >&2
		rm -rf "$out/modules-index"
	fi
	rm -rf "$stage"
}

_vm_q() { printf '%q' "$1"; }

# vm_job_script OUT SCRIPT: the path the guest runs SCRIPT by. A script
# from a scratch folder (/tmp, /var/tmp) is copied next to the job, so the
# run does not depend on its creator keeping it around; one of the
# checkout's own is not, even when the checkout is a clone under /tmp:
# it finds its neighbours (bench/lib.sh, tests/*/rc) by its own path.
vm_job_script() {
	local out=$1 script=$2
	case "$script" in
	"$keel_root"/*) ;;
	/tmp/*|/var/tmp/*)
		cp "$script" "$out/job-script" || return 1
		script=/keel-out/job-script
		;;
	esac
	echo "$script"
}

# vm_job_env OUT SCRIPT TIMEOUT [ARGS...]: what the guest runs; a caller
# appends its own lines (exports) to OUT/job.env afterwards
vm_job_env() {
	local out=$1 script=$2 timeout=$3 v
	shift 3
	{
		echo "KEEL_ROOT=$(_vm_q "$keel_root")"
		echo "KEEL_CWD=$(_vm_q "$keel_root")"
		echo "KEEL_KERNEL=$(_vm_q "$KEEL_KERNEL_NAME")"
		echo "KEEL_SCRIPT=$(_vm_q "$script")"
		echo "KEEL_ARGS=$(_vm_q "$*")"
		echo "KEEL_TIMEOUT=$(_vm_q "$timeout")"
		echo "KEEL_MODULES=$(_vm_q "$VM_MODS")"
		echo "KEEL_MODROOT=$(_vm_q "$KEEL_MODROOT")"
		for v in $VM_KNOBS; do
			[ -n "${!v:-}" ] && echo "export $v=$(_vm_q "${!v}")"
		done
	} > "$out/job.env"
}

# At most KEEL_VM_SLOTS (2) VMs at once on these 2-core machines: the
# slots are lock files, taken first come first served; held on fds 8 and 9
# until the caller exits. KEEL_VM_NOLOCK=1 skips them.
vm_slots_take() {
	local want=$1 slots=${KEEL_VM_SLOTS:-2} got waited=0 i
	[ -n "${KEEL_VM_NOLOCK:-}" ] && return 0
	[ "$want" -le "$slots" ] || want=$slots
	while :; do
		got=0
		for i in $(seq "$slots"); do
			if [ $got -eq 0 ]; then
				exec 8>"/var/lock/keel-vm.$i.lock"
				if flock -n 8; then
					got=1
					[ "$want" -le 1 ] && break
					continue
				fi
				exec 8>&-
			else
				exec 9>"/var/lock/keel-vm.$i.lock"
				flock -n 9 && { got=2; break; }
				exec 9>&-
			fi
		done
		[ $got -ge "$want" ] && return 0
		# a partial grab is given back, so that two waiters cannot
		# each hold one slot of the two they need
		exec 8>&- 9>&-
		[ $waited -eq 0 ] && echo "vm: waiting for $want free VM slot(s)" >&2
		waited=1
		sleep 3
	done
}

# vm_qemu_args OUT MEM SMP APPEND: a keel guest booting KEEL_BZIMAGE onto
# the host root (read-only 9p) with OUT as its writable /keel-out, its
# console on stdio; callers add devices and run "${VM_QEMU[@]}".
# SMP "icount" is one vCPU whose clock counts instructions (one guest
# nanosecond per instruction, idle time skipped): guest time then measures
# the work done, whatever the host's load (make bench's default mode).
# With icount, -smp 2 hangs at boot ("Booting SMP configuration").
vm_qemu_args() {
	local out=$1 mem=$2 smp=$3 append=$4 initrd cpu
	initrd=$(keel_initramfs "$KEEL_KVER") || return 1
	if [ "$smp" = icount ]; then
		cpu=(-accel tcg,thread=single -icount shift=0,sleep=off -smp 1)
	else
		cpu=(-accel tcg,thread=multi -smp "$smp")
	fi
	VM_QEMU=(qemu-system-x86_64
		"${cpu[@]}" -cpu max -m "$mem"
		-nodefaults -display none -no-reboot
		-pidfile "$out/qemu.pid"
		-kernel "$KEEL_BZIMAGE" -initrd "$initrd"
		-append "console=ttyS0 quiet loglevel=4 panic=-1 keel.init=$keel_root/tools/vm/guest-init $KEEL_APPEND $append"
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
		-virtfs "local,path=$out,mount_tag=keelout,security_model=none"
		-chardev stdio,id=ser0,signal=off -serial chardev:ser0)
}

# vm_boot_wait OUT PID SECS: a guest that never reaches stage 2 within the
# boot allowance (an early TCG timer hang, seen under heavy load) is the
# machine's fault, not the script's: callers boot it once more.
vm_boot_wait() {
	local out=$1 pid=$2 i
	for i in $(seq "$3"); do
		grep -q '^keel-vm: stage 2 ' "$out/console.log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || return 2
		sleep 1
	done
	return 1
}
