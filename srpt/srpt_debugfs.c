// SPDX-License-Identifier: GPL-2.0
/*
 * keel ib_srpt: debugfs (directory ib_srpt/) - the session list, the test
 * knobs and fault injection. Nothing here is needed to serve I/O; the
 * knobs and faults exist so that tests can reach races and error paths
 * (Documentation/srpt.rst, "Test knobs").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/fault-inject.h>
#include <linux/delay.h>
#include "srpt.h"

/*
 * debugfs ib_srpt/sessions: the same lines as configfs target/srpt/sessions,
 * but never cut at one page (a configfs attribute holds ~35 channels).
 */
static struct dentry *srpt_debugfs;

static void srpt_line_to_seq(void *arg, const char *line)
{
	seq_puts(arg, line);
}

static int srpt_sessions_show(struct seq_file *m, void *unused)
{
	srpt_walk_sessions(srpt_line_to_seq, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(srpt_sessions);

/*
 * debugfs ib_srpt/test_*: knobs for tests that must put an event into a
 * race window (Documentation/srpt.rst, "Test knobs"). They sit on control
 * paths only (login, RTU, release) and cost a READ_ONCE when unset.
 *   test_delay_release_ms: the release work sleeps this long after the
 *			    completion thread has stopped, before the session,
 *			    CM id, QP and CQ go away
 *   test_delay_login_ms:   a login sleeps this long once admitted (counted
 *			    in live_chans, nexus found), before its channel
 *			    is created
 *   test_delay_rtu_ms:	    an IB CM RTU sleeps this long between reading
 *			    the QP attributes and moving the QP to RTS
 *   test_fail_qp_err:	    the next N moves of a channel's QP to the error
 *			    state fail, as on a device that refuses them (the
 *			    drain watchdog then releases the channel)
 */
static u32 srpt_delays[SRPT_NR_DELAYS];
static atomic_t srpt_qp_err_fails = ATOMIC_INIT(0);

/**
 * srpt_test_delay() - sleep on a control path if a test asked for it
 * @which: the knob (debugfs ib_srpt/test_delay_*_ms)
 * @name:  channel or session name for the log line
 *
 * Costs one READ_ONCE while the knob is 0, its default.
 */
void srpt_test_delay(enum srpt_test_delay which, const char *name)
{
	u32 ms = READ_ONCE(srpt_delays[which]);

	if (likely(!ms))
		return;
	/* srpt_chan_close() also runs where it must not sleep */
	if (!preemptible())
		return;
	pr_info("%s: test delay of %u ms\n", name, ms);
	msleep(ms);
}

/**
 * srpt_test_qp_err_fails() - is this move of a QP to the error state to fail
 *
 * Counts debugfs ib_srpt/test_fail_qp_err down by one per call.
 *
 * Return: true while the count was above zero.
 */
bool srpt_test_qp_err_fails(void)
{
	if (likely(!atomic_read(&srpt_qp_err_fails)))
		return false;
	return atomic_dec_if_positive(&srpt_qp_err_fails) >= 0;
}

static int srpt_qp_err_get(void *data, u64 *val)
{
	*val = atomic_read(&srpt_qp_err_fails);
	return 0;
}

static int srpt_qp_err_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	atomic_set(&srpt_qp_err_fails, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(srpt_qp_err_fops, srpt_qp_err_get, srpt_qp_err_set,
			 "%llu\n");

static void srpt_debugfs_test_knobs(void)
{
	debugfs_create_u32("test_delay_release_ms", 0600, srpt_debugfs,
			   &srpt_delays[SRPT_DELAY_RELEASE]);
	debugfs_create_u32("test_delay_login_ms", 0600, srpt_debugfs,
			   &srpt_delays[SRPT_DELAY_LOGIN]);
	debugfs_create_u32("test_delay_rtu_ms", 0600, srpt_debugfs,
			   &srpt_delays[SRPT_DELAY_RTU]);
	debugfs_create_u32("test_delay_close_ms", 0600, srpt_debugfs,
			   &srpt_delays[SRPT_DELAY_CLOSE]);
	debugfs_create_file_unsafe("test_fail_qp_err", 0600, srpt_debugfs,
				   NULL, &srpt_qp_err_fops);
}

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
/*
 * debugfs ib_srpt/fail_<what>: completions that a real HCA should never
 * lose, lost on purpose so that tests reach the paths that cope with it.
 * Each is a standard fault_attr directory (probability, times, ...).
 *   fail_table_read:  a descriptor table READ; its command stays in
 *                     FETCH_TABLE until the channel is released
 *   fail_drain_flush: the drain marker's flush; srpt_drain_watchdog
 *                     releases the channel after SRPT_DRAIN_TIMEOUT_SECS
 */
static struct fault_attr srpt_faults[SRPT_NR_FAULTS] = {
	[0 ... SRPT_NR_FAULTS - 1] = FAULT_ATTR_INITIALIZER,
};

static const char *const srpt_fault_names[SRPT_NR_FAULTS] = {
	[SRPT_FAULT_TABLE_READ]	 = "fail_table_read",
	[SRPT_FAULT_DRAIN_FLUSH] = "fail_drain_flush",
};

/**
 * srpt_inject() - is this completion to be lost (fault injection)
 * @which: fault, debugfs ib_srpt/fail_*
 *
 * Return: what should_fail() decides for that fault_attr.
 */
bool srpt_inject(enum srpt_fault which)
{
	return should_fail(&srpt_faults[which], 1);
}

static void srpt_debugfs_faults(void)
{
	int i;

	for (i = 0; i < SRPT_NR_FAULTS; i++)
		fault_create_debugfs_attr(srpt_fault_names[i], srpt_debugfs,
					  &srpt_faults[i]);
}
#else
static void srpt_debugfs_faults(void)
{
}
#endif

/**
 * srpt_debugfs_init() - create debugfs ib_srpt/ and everything in it
 *
 * Failures only cost the debugfs files (debugfs_create_* tolerate an
 * error dentry), never the module.
 */
void srpt_debugfs_init(void)
{
	srpt_debugfs = debugfs_create_dir("ib_srpt", NULL);
	debugfs_create_file("sessions", 0444, srpt_debugfs, NULL,
			    &srpt_sessions_fops);
	srpt_debugfs_faults();
	srpt_debugfs_test_knobs();
}

/**
 * srpt_debugfs_exit() - remove debugfs ib_srpt/
 */
void srpt_debugfs_exit(void)
{
	debugfs_remove_recursive(srpt_debugfs);
}
