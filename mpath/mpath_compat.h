/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel dm-multipath: the kernel API differences between Debian's 6.1 and
 * 6.12.
 *
 * The rest of mpath/ is written once, against the names used here; only
 * this header knows which kernel it is being built for. Keep it to what
 * actually differs (see Documentation/mpath.rst, "6.1 and 6.12").
 */
#ifndef _MPATH_COMPAT_H
#define _MPATH_COMPAT_H


/* 6.11 split bio_integrity() and friends out of <linux/bio.h>. */
#ifdef KEEL_API_6_12
#include <linux/bio-integrity.h>
#endif

#endif /* _MPATH_COMPAT_H */
