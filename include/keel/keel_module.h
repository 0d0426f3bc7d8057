/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel_module.h - metadata shared by keel's drop-in storage modules
 *
 * Every keel module loads under the name of its in-tree twin, so neither
 * lsmod nor the module name tells an administrator which build is serving
 * a layer.  Each module therefore carries MODULE_VERSION(KEEL_VERSION): it
 * shows up as "version:" in modinfo and in /sys/module/<name>/version,
 * which the in-tree twins (none of which set a version) leave absent.
 */
#ifndef _KEEL_MODULE_H
#define _KEEL_MODULE_H

/*
 * Release of the keel source tree.  Must match PACKAGE_VERSION in dkms.conf
 * and the upstream part of the version in debian/changelog (the dkms gate
 * checks this).
 */
#define KEEL_VERSION	"0.1.0"

#endif /* _KEEL_MODULE_H */
