# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# SRP over SoftRoCE, the one bring-up every SRP user in keel shares
# (tests/srpt, tests/vdisk/010-srp-rxe, tools/vm/demo-guest,
# tools/peer/blktests-srp-guest, and the multi-node SAN rig):
#
#   network    srp_net_up IF [IP4/PREFIX]   a netdev (a dummy one is made
#                                            when IF does not exist), up,
#                                            with its IPv6 link-local ready
#              srp_rxe_up IF RXE             rdma_rxe bound to IF, GID 0 ready
#              srp_rig_up IF RXE IP4/PREFIX  both: the single-guest rig
#              srp_rxe_down RXE, srp_net_down IF (dummy netdevs only)
#   target     srp_target_load [PARAMS]      ib_srpt per KEEL_IMPL (impl.sh)
#              lio_iblock_add HBA/NAME DEV [SERIAL]  an iblock backstore
#              srp_fabric_up [CM_PORT]       fabric dir, RDMA CM listener
#              srp_tpg_add PORT LUN...       port + TPG, LUN i -> backstore i
#              srp_acl_add PORT INITIATOR    an ACL mapping every LUN
#              srp_tpg_enable PORT [0|1]
#              srp_target_unconfig           every port, TPG, LUN and ACL
#   initiator  srp_ini_up [ib_srp PARAMS]
#              srp_login RXE DEST [OPTS]     add_target over RDMA CM; DEST is
#                                            an IPv4 address or srp_dest6 IF
#              srp_logout_all, srp_ini_down
#              srp_disks, srp_disks_ready, srp_wait_disks N [SECS],
#              srp_wait_no_disks [SECS], srp_dev_leftovers
#   names      srp_ip6 IF, srp_ip6_full IF, srp_dest6 IF, srp_gid0 RXE,
#              srp_port_guid RXE (the target port name), srp_port_gid RXE,
#              srp_initiator_names IF RXE (every name an initiator on this
#              host may log in with), srp_service_guid
#
# Nothing here assumes the target is local: the target's service GUID is
# SRP_TARGET_GUID when the caller sets it (another node's), else the local
# ib_srpt's; addresses and netdevs are always the caller's. The functions
# return non-zero on failure and print nothing on success; they never
# exit, so every caller keeps its own way of reporting (set -e scripts
# too). Needs tests/common/impl.sh sourced first (srp_target_load).

SRP_CFS=/sys/kernel/config/target
SRP_FABRIC=$SRP_CFS/srpt
: "${SRP_CM_PORT:=5555}"

# ---- network -------------------------------------------------------------

# srp_ip6 IF: IF's IPv6 link-local address once it is usable (not tentative)
srp_ip6() {
	ip -6 -o addr show dev "$1" scope link 2>/dev/null |
		awk '!/tentative/ { sub(/\/.*/, "", $4); print $4; exit }'
}

# srp_ip6_full IF: fe80::1 -> fe80:0000:0000:0000:0000:0000:0000:0001, the
# %pI6 form ib_srpt names an initiator by
srp_ip6_full() {
	local a
	a=$(srp_ip6 "$1")
	[ -n "$a" ] || return 1
	python3 -c 'import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).exploded)' "$a"
}

# srp_dest6 IF: "[fe80::...%ifindex]", an add_target dest for IF's link-local
srp_dest6() {
	local a
	a=$(srp_ip6 "$1")
	[ -n "$a" ] || return 1
	echo "[$a%$(cat "/sys/class/net/$1/ifindex")]"
}

# srp_net_up IF [IP4/PREFIX]
srp_net_up() {
	local nif=$1 addr=${2:-} i
	if ! ip link show "$nif" > /dev/null 2>&1; then
		modprobe dummy numdummies=0 || return 1
		ip link add "$nif" type dummy || return 1
	fi
	ip link set "$nif" up || return 1
	if [ -n "$addr" ]; then
		ip addr replace "$addr" dev "$nif" || return 1
	fi
	for i in $(seq 100); do
		[ -n "$(srp_ip6 "$nif")" ] && return 0
		sleep 0.2
	done
	echo "srp: no IPv6 link-local address on $nif" >&2
	return 1
}

# srp_net_down IF: removes IF if it is a dummy netdev (never a real NIC)
srp_net_down() {
	ip -d link show "$1" 2>/dev/null | grep -qw dummy || return 0
	ip link del "$1"
}

srp_gid0() { cat "/sys/class/infiniband/$1/ports/1/gids/0"; }

# srp_rxe_up IF RXE
srp_rxe_up() {
	local nif=$1 rxe=$2 i
	modprobe rdma_rxe || return 1
	rdma link show "$rxe/1" > /dev/null 2>&1 ||
		rdma link add "$rxe" type rxe netdev "$nif" || return 1
	for i in $(seq 50); do
		[ -e "/sys/class/infiniband/$rxe/ports/1/gids/0" ] && return 0
		sleep 0.2
	done
	echo "srp: $rxe has no GID 0" >&2
	return 1
}

srp_rxe_down() {
	rdma link show "$1/1" > /dev/null 2>&1 || return 0
	rdma link del "$1"
}

# srp_rig_up IF RXE IP4/PREFIX: the single-guest rig, SoftRoCE on a dummy
srp_rig_up() {
	srp_net_up "$1" "$3" && srp_rxe_up "$1" "$2"
}

# ---- names ---------------------------------------------------------------

# GID fe80:0000:0000:0000:5054:00ff:fe12:3456 -> 5054:00ff:fe12:3456
srp_port_guid() { srp_gid0 "$1" | cut -d: -f5-8; }
# -> 0xfe80000000000000505400fffe123456
srp_port_gid() { echo "0x$(srp_gid0 "$1" | tr -d :)"; }

# srp_initiator_names IF RXE: the names an initiator on IF/RXE logs in with
# (blktests' rule): port GUID, port GID, IPv4 address(es), IPv6 link-local
srp_initiator_names() {
	srp_port_guid "$2"
	srp_port_gid "$2"
	ip -4 -o addr show dev "$1" | awk '{ sub(/\/.*/, "", $4); print $4 }'
	srp_ip6_full "$1"
}

# the target's service GUID without 0x: SRP_TARGET_GUID, else local ib_srpt's
srp_service_guid() {
	local g=${SRP_TARGET_GUID:-}
	[ -n "$g" ] || g=$(cat /sys/module/ib_srpt/parameters/srpt_service_guid) || return 1
	echo "${g#0x}"
}

# ---- target --------------------------------------------------------------

# srp_target_load [PARAMS]: ib_srpt (keel's or in-tree per KEEL_IMPL)
srp_target_load() {
	modprobe ib_uverbs 2> /dev/null
	modprobe -a rdma_cm target_core_mod || return 1
	impl_modprobe ib_srpt "$@"
}

# lio_iblock_add HBA/NAME DEV [SERIAL]: e.g. iblock_0/disk0 on DEV, enabled
lio_iblock_add() {
	local d=$SRP_CFS/core/$1
	mkdir -p "$d" || return 1
	echo "udev_path=$2" > "$d/control" || return 1
	if [ -n "${3:-}" ]; then
		echo "$3" > "$d/wwn/vpd_unit_serial" || return 1
	fi
	echo 1 > "$d/enable"
}

# srp_fabric_up [CM_PORT]: the srpt fabric with its RDMA CM listener
srp_fabric_up() {
	mkdir -p "$SRP_FABRIC" || return 1
	echo "${1:-$SRP_CM_PORT}" > "$SRP_FABRIC/discovery_auth/rdma_cm_port"
}

# srp_tpg_add PORT BACKSTORE...: PORT/PORT with lun_<i> -> i-th backstore
srp_tpg_add() {
	local tpg=$SRP_FABRIC/$1/$1 l=0 b
	shift
	mkdir -p "$tpg" || return 1
	for b in "$@"; do
		mkdir -p "$tpg/lun/lun_$l" || return 1
		ln -sf "$b" "$tpg/lun/lun_$l/$(basename "$b")" || return 1
		l=$((l + 1))
	done
}

# srp_acl_add PORT INITIATOR: an ACL mapping every LUN of the TPG
srp_acl_add() {
	local tpg=$SRP_FABRIC/$1/$1 lun
	for lun in "$tpg"/lun/lun_*; do
		[ -d "$lun" ] || continue
		mkdir -p "$tpg/acls/$2/${lun##*/}" || return 1
		ln -sf "$lun" "$tpg/acls/$2/${lun##*/}/${lun##*/}" || return 1
	done
}

# srp_acl_del PORT INITIATOR (ending that initiator's sessions)
srp_acl_del() {
	local acl=$SRP_FABRIC/$1/$1/acls/$2 m
	for m in "$acl"/lun_*; do
		[ -d "$m" ] || continue
		rm -f "$m"/lun_*
		rmdir "$m" || return 1
	done
	rmdir "$acl"
}

srp_tpg_enable() { echo "${2:-1}" > "$SRP_FABRIC/$1/$1/enable"; }

# srp_target_unconfig: takes down whatever srpt configfs holds, also a
# partial setup
srp_target_unconfig() {
	local d
	[ -d "$SRP_FABRIC" ] || return 0
	for d in "$SRP_FABRIC"/*/*/acls/*/lun_*; do
		[ -d "$d" ] || continue
		rm -f "$d"/lun_* 2> /dev/null
		rmdir "$d"
	done
	for d in "$SRP_FABRIC"/*/*/acls/*; do
		[ -d "$d" ] && rmdir "$d"
	done
	for d in "$SRP_FABRIC"/*/*/lun/lun_*; do
		[ -d "$d" ] || continue
		find "$d" -maxdepth 1 -type l -delete
		rmdir "$d"
	done
	for d in "$SRP_FABRIC"/*/*; do
		[ -d "$d/lun" ] && rmdir "$d"
	done
	for d in "$SRP_FABRIC"/*; do
		case "$d" in */discovery_auth) continue ;; esac
		[ -d "$d" ] && rmdir "$d"
	done
	rmdir "$SRP_FABRIC"
}

# ---- initiator -----------------------------------------------------------

srp_ini_up() {
	modprobe -a sd_mod sg && modprobe ib_srp "$@"
}

# srp_add_target RXE PARAMS: write an add_target line for ib_srp.  ib_srp
# keeps a deleted target port on its list until its remove work has
# freed the channels, which is after the SCSI disk is gone, and until
# then refuses the same target port with EEXIST ("Already connected").
# That window belongs to the initiator, so a relogin right after
# srp_wait_no_disks retries for up to 10 s on EEXIST only; every other
# error is returned at once.
srp_add_target() {
	local f=/sys/class/infiniband_srp/srp-$1-1/add_target err end=$((SECONDS + 10))
	while :; do
		err=$( { echo "$2" > "$f"; } 2>&1) && return 0
		case "$err" in
		*"File exists"*) [ $SECONDS -lt $end ] || break ;;
		*) break ;;
		esac
		sleep 0.2
	done
	echo "$err" >&2
	return 1
}

# srp_login RXE DEST [OPTS]: log in through RXE to the target at DEST (an
# IPv4 address, or srp_dest6's form), port SRP_CM_PORT
srp_login() {
	local g
	g=$(srp_service_guid) || return 1
	srp_add_target "$1" "id_ext=$g,ioc_guid=$g,dest=$2:$SRP_CM_PORT${3:+,$3}"
}

srp_logout_all() {
	local p
	for p in /sys/class/srp_remote_ports/*/delete; do
		[ -e "$p" ] && echo 1 > "$p"
	done
	return 0
}

# SCSI disks reached through ib_srp, one per line (/dev/sdX).
srp_disks() {
	local h d
	for h in /sys/class/scsi_host/host*; do
		[ "$(cat "$h/proc_name" 2> /dev/null)" = ib_srp ] || continue
		for d in /sys/class/scsi_disk/"${h##*/host}":*; do
			[ -e "$d" ] || continue
			ls "$d/device/block" 2> /dev/null | sed 's|^|/dev/|'
		done
	done
}

# The SRP disks whose /dev node exists: sysfs lists a disk a moment
# before devtmpfs has its node (longer on the debug kernel), and a fio
# started in that moment creates a regular file in its place.
srp_disks_ready() {
	local d
	for d in $(srp_disks); do
		[ -b "$d" ] && echo "$d"
	done
}

# srp_wait_disks N [SECS]: wall-clock bounded (TCG makes loops slow)
srp_wait_disks() {
	local n=$1 end=$((SECONDS + ${2:-30}))
	while [ $SECONDS -lt $end ]; do
		if [ "$(srp_disks_ready | wc -l)" -ge "$n" ]; then
			udevadm settle -t 10 2> /dev/null
			return 0
		fi
		sleep 0.5
	done
	return 1
}

srp_wait_no_disks() {
	local end=$((SECONDS + ${1:-30}))
	while [ $SECONDS -lt $end ]; do
		[ -z "$(srp_disks)" ] && return 0
		sleep 0.5
	done
	return 1
}

# A fio that opens /dev/sdX after the disk went away creates a regular
# file in devtmpfs, and the node of the next disk of that name cannot be
# made; remove such leftovers so that they cannot spoil a later run.
srp_dev_leftovers() {
	local f
	for f in /dev/sd*; do
		[ -f "$f" ] || continue
		echo "# removing regular file $f left where a disk node was"
		rm -f "$f"
	done
}

srp_ini_down() {
	srp_logout_all
	srp_wait_no_disks 20
	srp_dev_leftovers > /dev/null
	modprobe -r ib_srp 2> /dev/null
	modprobe -r scsi_transport_srp 2> /dev/null
	return 0
}
