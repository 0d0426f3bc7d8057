# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# san-node.sh - the seed's SAN, one node's part (runs in a tools/vm-san
# guest, in the jobs of tests/common/san.sh; impl.sh and srp.sh sourced).
# A link's NIC carries the link's name (node-agent), its rdma_rxe device
# is rxe_<link>.
#
# storage node:  two virtio disks -> md RAID1 (internal bitmap) -> LVM LV
#                -> iblock LUN -> ib_srpt, one TPG per link (rxe port)
#	node_storage_up SERIAL INITIATOR...  build it, or assemble it again
#	                after a crash (md resyncs from its bitmap); ACLs for
#	                the INITIATOR names only
#	node_storage_down            the LUN unexported, md stopped
# initiator:     ib_srp over RDMA CM on every link -> multipathd, one map
#                per storage node -> md0 RAID1 over the maps
#	node_ini_up                  ib_srp, multipathd (bounded queueing)
#	node_ini_login LINK DEST6 GUID   add_target to the node at DEST6
#	node_ini_maps N [SECS]       wait for N multipath maps, each with all
#	                             its paths active; prints their names
#	node_md_up MAP...            md0 created over the maps, or assembled
#	node_links                   the links of this node (NIC names)
#
# Timeouts a storage admin picks for md RAID1 over multipath (why:
# Documentation/san.rst): ib_srp fails I/O on a lost path after 5 s
# (fast_io_fail_tmo) and keeps trying to reconnect every 5 s
# (reconnect_delay) for as long as it takes (dev_loss_tmo off), so a
# path that comes back is the same SCSI device and multipathd reinstates
# it; a map with no path left queues for SAN_NO_PATH_RETRY checker
# intervals (default 3 x 5 s) and then fails its I/O, so md drops that leg
# and goes on with the other node's.

SAN_MD=/dev/md/keel
: "${SAN_NO_PATH_RETRY:=3}"

node_links() {
	ip -o link | awk -F': ' '{ print $2 }' | sed 's/@.*//' |
		grep -vE '^(lo|dummy|sit|ip6tnl)' | sort
}

# node_disk I: the node's I-th virtio disk (serial <node>-disk<I>)
node_disk() {
	local d=/dev/disk/by-id/virtio-$(hostname)-disk$1
	[ -b "$d" ] || udevadm settle -t 10
	readlink -f "$d"
}

node_rxe_all() {
	local l
	for l in $(node_links); do
		srp_rxe_up "$l" "rxe_$l" || return 1
	done
}

node_storage_up() {
	local serial=$1 d0 d1 vg l port md=$SAN_MD held
	shift
	d0=$(node_disk 0) && d1=$(node_disk 1) || return 1
	impl_modprobe raid1 || return 1
	udevadm settle -t 30
	held=$(ls "/sys/block/${d0##*/}/holders/" 2> /dev/null | grep -m1 '^md')
	if [ -n "$held" ]; then
		# udev assembled it at boot (mdadm --incremental), as it does
		# after a crash: start it if it waits for a member
		md=/dev/$held
		mdadm --run "$md" > /dev/null 2>&1
		mdadm "$md" --re-add "$d1" > /dev/null 2>&1
	elif mdadm --examine "$d0" > /dev/null 2>&1; then
		# after a crash: the bitmap says what to resync
		mdadm --assemble "$SAN_MD" --run "$d0" "$d1" || return 1
	else
		# two blank disks hold the same (zeroes): no initial resync
		mdadm --create "$SAN_MD" --run --level=1 --raid-devices=2 \
			--metadata=1.2 --bitmap=internal --assume-clean \
			--homehost="$(hostname)" "$d0" "$d1" || return 1
	fi
	# udev's incremental assembly can start it auto-read-only, and then
	# the resync its bitmap asks for after a crash waits for the first
	# write (mdadm --wait waits for ever): a storage node starts it now
	if [ "$(cat "/sys/block/$(basename "$(readlink -f "$md")")/md/array_state" 2> /dev/null)" = read-auto ]; then
		mdadm --readwrite "$md" || return 1
	fi
	vg=keel_$(hostname)
	if ! vgs "$vg" > /dev/null 2>&1; then
		pvcreate -q "$md" && vgcreate -q "$vg" "$md" &&
			lvcreate -q -y -l 100%FREE -n lun0 "$vg" || return 1
	fi
	vgchange -q -ay "$vg" > /dev/null || return 1
	udevadm settle -t 10
	# The LUN holds the initiator's md0 member: after a reboot udev's
	# incremental assembly grabs it (an inactive md on the LV) and the LUN
	# cannot be opened (EBUSY). A storage node says AUTO -all in
	# mdadm.conf; this guest's /etc is the host's, so stop it here.
	for h in /sys/block/"$(basename "$(readlink -f "/dev/$vg/lun0")")"/holders/md*; do
		[ -e "$h" ] && mdadm --stop "/dev/${h##*/}" > /dev/null
	done

	modprobe target_core_mod || return 1
	impl_modprobe target_core_iblock || return 1
	lio_iblock_add iblock_0/lun0 "/dev/$vg/lun0" "$serial" || return 1
	node_rxe_all || return 1
	srp_target_load || return 1
	srp_fabric_up || return 1
	for l in $(node_links); do
		port=$(srp_port_guid "rxe_$l") || return 1
		srp_tpg_add "$port" "$SRP_CFS/core/iblock_0/lun0" || return 1
		for ini in "$@"; do
			srp_acl_add "$port" "$ini" || return 1
		done
		srp_tpg_enable "$port" || return 1
	done
}

node_storage_down() {
	srp_target_unconfig
	rmdir "$SRP_CFS"/core/iblock_0/lun0 "$SRP_CFS"/core/iblock_0 2> /dev/null
	vgchange -q -an "keel_$(hostname)" > /dev/null 2>&1
	mdadm --stop "$SAN_MD" 2> /dev/null
	return 0
}

# node_md_stop_bare: stop arrays udev assembled from bare SCSI paths
node_md_stop_bare() {
	local md s
	for md in /sys/block/md*; do
		[ -e "$md" ] || continue
		for s in "$md"/slaves/*; do
			case "${s##*/}" in sd*) mdadm --stop "/dev/${md##*/}" > /dev/null; break ;; esac
		done
	done
}

node_ini_up() {
	local conf=/etc/multipath.conf
	# md0's members appear as bare SCSI paths first: udev's incremental
	# assembly must leave them to multipathd (after a reboot it grabbed
	# them and no map could be built), so no auto-assembly here, as on
	# any host whose arrays sit on multipath (this guest's /etc is a
	# scratch overlay)
	mkdir -p /etc/mdadm
	echo "AUTO -all" > /etc/mdadm/mdadm.conf
	node_md_stop_bare
	node_rxe_all || return 1
	modprobe -a sd_mod sg || return 1
	modprobe ib_srp reconnect_delay=5 fast_io_fail_tmo=5 dev_loss_tmo=off || return 1
	impl_modprobe dm-multipath || return 1
	cat > "$conf" <<-EOF
	defaults {
		find_multipaths no
		user_friendly_names no
		polling_interval 5
	}
	blacklist {
		devnode "^(ram|nullb|loop|md|dm-|vd)"
	}
	devices {
		device {
			vendor "LIO-ORG"
			product ".*"
			path_grouping_policy multibus
			path_checker tur
			no_path_retry $SAN_NO_PATH_RETRY
		}
	}
	EOF
	pgrep -x multipathd > /dev/null || multipathd -s || return 1
}

node_ini_login() {
	local ifi h
	# already logged in over this link (a login is one SCSI host; each
	# link leads to one target)
	for h in /sys/class/scsi_host/host*; do
		[ "$(cat "$h/local_ib_device" 2> /dev/null)" = "rxe_$1" ] && return 0
	done
	ifi=$(cat "/sys/class/net/$1/ifindex") || return 1
	# A rebooted initiator's rxe hands out the same QP numbers as before
	# its crash; the target's IB CM still holds the old connection, takes
	# the login for a stale one and rejects it (ib_srp: "giving up on
	# stale connection", ECONNRESET) while tearing the old one down. The
	# next try gets in.
	for _ in 1 2 3 4 5; do
		SRP_TARGET_GUID=$3 srp_login "rxe_$1" "[$2%$ifi]" 2> "/tmp/login-$1.err" && return 0
		grep -q 'reset by peer' "/tmp/login-$1.err" || break
		sleep 3
	done
	cat "/tmp/login-$1.err" >&2
	return 1
}

# node_ini_maps N [SECS]: N multipath maps, every path of each active
node_ini_maps() {
	local n=$1 end=$((SECONDS + ${2:-60})) maps
	node_md_stop_bare
	multipathd reconfigure > /dev/null 2>&1
	while :; do
		maps=$(dmsetup ls --target multipath 2> /dev/null | awk '{ print $1 }' | sort)
		if [ "$(echo "$maps" | grep -c .)" -ge "$n" ] &&
		   ! multipath -ll 2> /dev/null | grep -qE 'failed|faulty|shaky|ghost'; then
			echo "$maps"
			return 0
		fi
		[ $SECONDS -lt $end ] || break
		sleep 1
	done
	echo "san: expected $n multipath maps with every path active:" >&2
	multipath -ll >&2
	return 1
}

node_md_up() {
	local m devs=()
	impl_modprobe raid1 || return 1
	for m in "$@"; do
		devs+=("/dev/mapper/$m")
	done
	if [ -e /dev/md0 ] && mdadm --detail /dev/md0 > /dev/null 2>&1; then
		return 0
	fi
	if mdadm --examine "${devs[0]}" > /dev/null 2>&1; then
		# assembled arrays start auto-read-only and would keep the
		# resync their bitmap asks for pending until the first write
		mdadm --assemble /dev/md0 --run "${devs[@]}" &&
			mdadm --readwrite /dev/md0
	else
		# 1 MiB bitmap chunks: a re-add copies what changed, at that grain
		mdadm --create /dev/md0 --run --level=1 --raid-devices=2 \
			--metadata=1.2 --bitmap=internal --bitmap-chunk=1024 \
			--assume-clean \
			--homehost=keel-initiator "${devs[@]}"
	fi
}

# node_map_of SERIAL: the multipath map whose LUN has that unit serial
node_map_of() {
	local m s
	for m in $(dmsetup ls --target multipath 2> /dev/null | awk '{ print $1 }'); do
		for s in /sys/block/"$(basename "$(readlink -f "/dev/mapper/$m")")"/slaves/*; do
			[ -e "$s/device/vpd_pg80" ] || continue
			if tail -c +5 "$s/device/vpd_pg80" | tr -d '\0' | grep -qx "$1"; then
				echo "$m"
				return 0
			fi
			break
		done
	done
	return 1
}

# node_paths MAP: how many of MAP's paths dm-multipath has active (the
# kernel's view, "A" in the status line; multipathd's checker may lag it)
node_paths() {
	dmsetup status "$1" 2> /dev/null | grep -oE '[0-9]+:[0-9]+ [AF] ' | grep -c ' A '
}

# node_wait_paths MAP OP N SECS: wait until node_paths MAP OP N (-eq, -lt,
# ...) holds; prints the seconds it took; fails (and shows MAP) after SECS
node_wait_paths() {
	local t0=$SECONDS
	while ! [ "$(node_paths "$1")" "$2" "$3" ]; do
		if [ $((SECONDS - t0)) -ge "$4" ]; then
			echo "san: $1: $(node_paths "$1") active paths after ${4}s, wanted $2 $3" >&2
			multipath -ll "$1" >&2
			return 1
		fi
		sleep 0.5
	done
	echo $((SECONDS - t0))
}

# node_md_wait DEV REGEX SECS: wait until DEV's "State :" matches REGEX;
# prints the seconds it took
node_md_wait() {
	local t0=$SECONDS st
	while :; do
		st=$(mdadm --detail "$1" 2> /dev/null | sed -n 's/^ *State : //p')
		echo "$st" | grep -qE "$2" && break
		if [ $((SECONDS - t0)) -ge "$3" ]; then
			echo "san: $1 is '$st' after ${3}s, wanted /$2/" >&2
			cat /proc/mdstat >&2
			return 1
		fi
		sleep 0.5
	done
	echo $((SECONDS - t0))
}

# node_bitmap_dirty DEV: "DIRTY TOTAL" chunks of the md bitmap on member DEV
node_bitmap_dirty() {
	mdadm -X "$1" 2> /dev/null |
		sed -n 's/^ *Bitmap : \([0-9]*\) bits (chunks), \([0-9]*\) dirty.*/\2 \1/p'
}

# node_md_check DEV: a full "check" pass; prints mismatch_cnt
node_md_check() {
	local md
	md=$(basename "$(readlink -f "$1")")
	mdadm --wait "$1" > /dev/null 2>&1
	echo check > "/sys/block/$md/md/sync_action" || return 1
	sleep 1
	mdadm --wait "$1" > /dev/null 2>&1
	cat "/sys/block/$md/md/mismatch_cnt"
}

# node_md_whole [DEV]: every member of md0 (or DEV) active, none failed
# since assembly (a failed leg would have been kicked out and stay so)
node_md_whole() {
	local d=${1:-/dev/md0}
	mdadm --detail "$d" | grep -qE '^ *Active Devices : 2$' &&
		mdadm --detail "$d" | grep -qE '^ *Failed Devices : 0$'
}

# node_dev_written DEV: sectors written to DEV since it appeared
node_dev_written() {
	awk '{ print $7 }' "/sys/block/$(basename "$(readlink -f "$1")")/stat"
}
