/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel ib_srpt: the kernel API differences between Debian's 6.1 and 6.12.
 *
 * The rest of srpt/ is written once, against the names used here; only
 * this header knows which kernel it is being built for. Keep it to what
 * actually differs (see Documentation/srpt.rst, "6.1 and 6.12").
 */
#ifndef _SRPT_COMPAT_H
#define _SRPT_COMPAT_H


/* 6.12 moved the unaligned accessors from <asm/> to <linux/>. */
#ifdef KEEL_API_6_12
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * 6.7 let a fabric choose whether target_submit() runs the command in the
 * caller's context or queues it to LIO's submission workqueue, and made
 * queueing the default. srpt submits from its completion thread, which may
 * sleep, so it asks for direct submission: the behaviour 6.1 always had
 * and the one 6.12's in-tree ib_srpt asks for too.
 */
#ifdef KEEL_API_6_12
#define SRPT_SUBMIT_TYPE_OPS				\
	.default_submit_type	= TARGET_DIRECT_SUBMIT,	\
	.direct_submit_supp	= 1,
#else
#define SRPT_SUBMIT_TYPE_OPS
#endif

#endif /* _SRPT_COMPAT_H */
