# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# impl.sh - which implementation a test drives: keel's module or its
# in-tree twin.
#
# KEEL_IMPL=keel (default) loads keel's modules, which tools/vm-run puts in
# /lib/modules/<ver>/updates/ (DKMS: updates/dkms/); KEEL_IMPL=intree loads
# the twin from kernel/ under the same name, for golden comparisons.
# tools/vm-run and `make check` forward KEEL_IMPL into the guest:
#	KEEL_IMPL=intree make check T=tests/vdisk/002-inquiry
#
#	impl_modprobe MODULE [PARAMS...]  load MODULE per KEEL_IMPL; fails if
#	                                  what is loaded is not the one asked for
#	impl_owner MODULE                 "keel" or "intree" for a loaded module
#	is_keel MODULE                    0 when the loaded MODULE is keel's
#	impl_ko MODULE [keel|intree]      the module file of that build
#	keel_only DESC                    0 under keel, else skips DESC
#	keel_modules [dirs|names]         keel's modules from modules.list:
#	                                  "folder module" lines, or one column
#
# The one ownership check is the version file: keel's modules carry
# MODULE_VERSION(KEEL_VERSION), in /sys/module/<name>/version, and the
# in-tree twins carry none (README, include/keel/keel_module.h).
# Needs tap.sh (keel_only prints a skip).

KEEL_IMPL=${KEEL_IMPL:-keel}
case "$KEEL_IMPL" in
keel|intree) ;;
*)
	echo "Bail out! KEEL_IMPL=$KEEL_IMPL: must be keel or intree"
	exit 1
	;;
esac
export KEEL_IMPL

KEEL_VERSION=$(sed -n 's/^#define KEEL_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"${KEEL_ROOT:-.}/include/keel/keel_module.h" 2>/dev/null)

# _impl_sysname MODULE: dm-multipath -> dm_multipath (the /sys/module name)
_impl_sysname() {
	echo "${1//-/_}"
}

impl_owner() {
	local v
	[ -d "/sys/module/$(_impl_sysname "$1")" ] || {
		echo "impl_owner: $1 is not loaded" >&2
		return 1
	}
	v=$(cat "/sys/module/$(_impl_sysname "$1")/version" 2>/dev/null)
	if [ -n "$KEEL_VERSION" ] && [ "$v" = "$KEEL_VERSION" ]; then
		echo keel
	else
		echo intree
	fi
}

is_keel() {
	[ "$(impl_owner "$1" 2>/dev/null)" = keel ]
}

# impl_ko MODULE [IMPL]: keel's file under updates/ or the twin's under
# kernel/ ("-" and "_" are the same in module names)
impl_ko() {
	local name=$1 impl=${2:-$KEEL_IMPL} dir pat
	case "$impl" in
	keel) dir=updates ;;
	*) dir=kernel ;;
	esac
	pat=$(_impl_sysname "$name")
	pat=${pat//_/[-_]}
	find "/lib/modules/$(uname -r)/$dir" -name "$pat.ko*" 2>/dev/null |
		sort | head -1
}

# _impl_load_deps KO: the modules KO depends on; those keel also builds
# come from the same implementation (the in-tree dm-round-robin needs the
# in-tree dm-multipath), the rest from modprobe.
_impl_load_deps() {
	local d
	for d in $(modinfo -F depends "$1" 2>/dev/null | tr , ' '); do
		[ -d "/sys/module/$(_impl_sysname "$d")" ] && continue
		if [ -n "$(impl_ko "$d" keel)" ]; then
			impl_modprobe "$d" || return 1
		else
			modprobe "$d" || return 1
		fi
	done
}

impl_modprobe() {
	local mod=$1 ko owner
	shift
	if [ ! -d "/sys/module/$(_impl_sysname "$mod")" ]; then
		ko=$(impl_ko "$mod")
		if [ -z "$ko" ]; then
			echo "impl_modprobe: no $KEEL_IMPL $mod.ko under /lib/modules/$(uname -r)" >&2
			return 1
		fi
		if [ "$KEEL_IMPL" = keel ]; then
			# depmod ranks updates/ first: modprobe resolves to keel's
			modprobe "$mod" "$@" || return 1
		else
			_impl_load_deps "$ko" || return 1
			insmod "$ko" "$@" || return 1
		fi
	fi
	owner=$(impl_owner "$mod") || return 1
	if [ "$owner" != "$KEEL_IMPL" ]; then
		echo "impl_modprobe: the loaded $mod is $owner's, KEEL_IMPL=$KEEL_IMPL" >&2
		return 1
	fi
}

keel_modules() {
	awk -v col="${1:-}" '!/^#/ && NF {
		if (col == "dirs") print $1
		else if (col == "names") print $2
		else print $1, $2
	}' "${KEEL_ROOT:-.}/modules.list"
}

keel_only() {
	[ "$KEEL_IMPL" = keel ] && return 0
	skip "$1" "keel-only feature (KEEL_IMPL=$KEEL_IMPL)"
	return 1
}
