// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: priority groups, path choice, path failure and
 * reinstatement, queue_if_no_path, and hardware-handler (scsi_dh)
 * initialisation of a group ("pg_init").
 *
 * Locking: mp_map.lock (irq-safe spinlock) protects cur_path, cur_grp,
 * next_grp, the flags word, path->active/fail_count and group->bypassed.
 * The selectors are called without it on the I/O path.
 */
#include <linux/blkdev.h>
#include <linux/jiffies.h>
#include <scsi/scsi_dh.h>

#include "mpath.h"

/**
 * __mp_pg_init_all() - start a pg_init on the current group.
 * @m: the map; m->lock held
 *
 * Queues the scsi_dh activation of every active path of the current
 * group on kmpath_handlerd, after pg_init_delay_msecs when the last
 * attempt asked for a delayed retry.  Nothing starts while activations
 * are still in flight or while pg_init is disabled for a suspend; each
 * call counts against pg_init_retries.
 *
 * Return: the number of activations in flight (0: none started, the
 * caller must not wait for a completion).
 */
int __mp_pg_init_all(struct mp_map *m)
{
	unsigned long delay = 0;
	struct mp_path *p;

	lockdep_assert_held(&m->lock);

	if (atomic_read(&m->pg_init_in_progress) ||
	    test_bit(MPATHF_PG_INIT_DISABLED, &m->flags))
		return 0;

	atomic_inc(&m->pg_init_count);
	clear_bit(MPATHF_PG_INIT_REQUIRED, &m->flags);
	if (!m->cur_grp)
		return 0;

	if (test_bit(MPATHF_PG_INIT_DELAY_RETRY, &m->flags)) {
		unsigned int ms = m->pg_init_delay_msecs;

		if (ms == MP_PG_INIT_DELAY_DEFAULT)
			ms = MP_PG_INIT_DELAY_MSECS;
		delay = msecs_to_jiffies(ms);
	}
	list_for_each_entry(p, &m->cur_grp->paths, node) {
		if (!p->active || !p->has_activate)
			continue;
		if (queue_delayed_work(mp_handler_wq, &p->activate, delay))
			atomic_inc(&m->pg_init_in_progress);
	}
	return atomic_read(&m->pg_init_in_progress);
}

int mp_pg_init_all(struct mp_map *m)
{
	unsigned long irqf;
	int n;

	spin_lock_irqsave(&m->lock, irqf);
	n = __mp_pg_init_all(m);
	spin_unlock_irqrestore(&m->lock, irqf);
	return n;
}

/* m->lock held: make @g current; with a hw handler I/O waits for pg_init */
static void mp_enter_group(struct mp_map *m, struct mp_group *g)
{
	lockdep_assert_held(&m->lock);

	m->cur_grp = g;
	if (m->hw_name) {
		set_bit(MPATHF_PG_INIT_REQUIRED, &m->flags);
		set_bit(MPATHF_QUEUE_IO, &m->flags);
	} else {
		clear_bit(MPATHF_PG_INIT_REQUIRED, &m->flags);
		clear_bit(MPATHF_QUEUE_IO, &m->flags);
	}
	atomic_set(&m->pg_init_count, 0);
}

static struct mp_path *mp_pick_in_group(struct mp_map *m, struct mp_group *g,
					size_t nr_bytes)
{
	struct mp_ps_path *psp = g->sel.type->select(&g->sel, nr_bytes);
	struct mp_path *p;
	unsigned long irqf;

	if (!psp)
		return NULL;
	p = psp_to_path(psp);
	if (unlikely(READ_ONCE(m->cur_grp) != g)) {
		spin_lock_irqsave(&m->lock, irqf);
		m->cur_path = p;
		mp_enter_group(m, g);
		spin_unlock_irqrestore(&m->lock, irqf);
	}
	return p;
}

/*
 * Walk the groups in table order: first those not bypassed, then (as a
 * last resort, with a delayed pg_init) the bypassed ones.
 */
static struct mp_path *mp_scan_groups(struct mp_map *m, size_t nr_bytes)
{
	struct mp_group *g;
	struct mp_path *p;
	unsigned long irqf;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		bool want_bypassed = pass == 1;

		list_for_each_entry(g, &m->groups, node) {
			if (g->bypassed != want_bypassed)
				continue;
			p = mp_pick_in_group(m, g, nr_bytes);
			if (!p)
				continue;
			if (want_bypassed) {
				spin_lock_irqsave(&m->lock, irqf);
				set_bit(MPATHF_PG_INIT_DELAY_RETRY, &m->flags);
				spin_unlock_irqrestore(&m->lock, irqf);
			}
			return p;
		}
	}
	return NULL;
}

/**
 * mp_choose_path() - pick the path for the next I/O.
 * @m:        the map.
 * @nr_bytes: size of the I/O (selector hint).
 *
 * Honours a pending switch_group, then stays in the current group while it
 * has a usable path, else scans all groups.  Clears cur_grp/cur_path when
 * nothing is usable.
 *
 * Return: the path or NULL.
 */
struct mp_path *mp_choose_path(struct mp_map *m, size_t nr_bytes)
{
	struct mp_group *g;
	struct mp_path *p;
	unsigned long irqf;

	if (!atomic_read(&m->nr_valid)) {
		spin_lock_irqsave(&m->lock, irqf);
		clear_bit(MPATHF_QUEUE_IO, &m->flags);
		spin_unlock_irqrestore(&m->lock, irqf);
		goto none;
	}

	if (READ_ONCE(m->next_grp)) {
		spin_lock_irqsave(&m->lock, irqf);
		g = m->next_grp;
		m->next_grp = NULL;
		spin_unlock_irqrestore(&m->lock, irqf);
		if (g) {
			p = mp_pick_in_group(m, g, nr_bytes);
			if (p)
				return p;
		}
	}

	g = READ_ONCE(m->cur_grp);
	if (g) {
		p = mp_pick_in_group(m, g, nr_bytes);
		if (p)
			return p;
	}

	p = mp_scan_groups(m, nr_bytes);
	if (p)
		return p;
none:
	spin_lock_irqsave(&m->lock, irqf);
	m->cur_path = NULL;
	m->cur_grp = NULL;
	spin_unlock_irqrestore(&m->lock, irqf);
	return NULL;
}

void mp_event_work(struct work_struct *work)
{
	struct mp_map *m = container_of(work, struct mp_map, event_work);

	dm_table_event(m->ti->table);
}

/* Let I/O waiting for a path go again (or fail, when queueing is off). */
void mp_kick_queued(struct mp_map *m)
{
	if (m->mode == DM_TYPE_REQUEST_BASED)
		blk_mq_kick_requeue_list(dm_disk(dm_table_get_md(m->ti->table))->queue);
	else if (m->mode == DM_TYPE_BIO_BASED)
		queue_work(mp_wq, &m->bio_work);
}

/**
 * mp_queue_if_no_path() - switch queue_if_no_path.
 * @m:        the map.
 * @on:       new value.
 * @save_old: remember the old value (flush suspend), restored on resume.
 *
 * Turning it off releases queued I/O so that it can fail.
 */
void mp_queue_if_no_path(struct mp_map *m, bool on, bool save_old)
{
	unsigned long irqf;
	bool cur, saved;

	spin_lock_irqsave(&m->lock, irqf);
	cur = test_bit(MPATHF_QUEUE_IF_NO_PATH, &m->flags);
	saved = test_bit(MPATHF_SAVED_QUEUE_IF_NO_PATH, &m->flags);
	if (save_old) {
		if (!cur && saved)
			DMERR("%s: QIFNP disabled but saved as enabled, saving again loses state, not saving!",
			      dm_table_device_name(m->ti->table));
		else
			assign_bit(MPATHF_SAVED_QUEUE_IF_NO_PATH, &m->flags, cur);
	} else if (!on && saved) {
		/* an explicit fail_if_no_path also wins over a saved value */
		clear_bit(MPATHF_SAVED_QUEUE_IF_NO_PATH, &m->flags);
	}
	assign_bit(MPATHF_QUEUE_IF_NO_PATH, &m->flags, on);
	spin_unlock_irqrestore(&m->lock, irqf);

	if (!on) {
		dm_table_run_md_queue_async(m->ti->table);
		mp_kick_queued(m);
	}
}

void mp_nopath_timer_fn(struct timer_list *t)
{
	struct mp_map *m = from_timer(m, t, nopath_timer);

	DMWARN("queue_if_no_path timeout on %s, failing queued IO",
	       dm_table_device_name(m->ti->table));
	mp_queue_if_no_path(m, false, false);
}

/* m->lock held: all paths down and queueing: bound the wait if asked to */
void mp_nopath_timer_arm(struct mp_map *m)
{
	unsigned long secs = m->no_path_timeout;

	lockdep_assert_held(&m->lock);

	if (!secs)
		secs = READ_ONCE(mp_nopath_timeout_secs);
	if (secs && !atomic_read(&m->nr_valid) &&
	    test_bit(MPATHF_QUEUE_IF_NO_PATH, &m->flags))
		mod_timer(&m->nopath_timer, jiffies + secs * HZ);
}

void mp_nopath_timer_stop(struct mp_map *m)
{
	del_timer_sync(&m->nopath_timer);
}

/**
 * mp_fail_path() - take a path out of use.
 * @p: the path.
 *
 * Idempotent.  Sends PATH_FAILED and schedules a table event.
 *
 * Return: 0.
 */
int mp_fail_path(struct mp_path *p)
{
	struct mp_map *m = p->grp->map;
	unsigned long irqf;

	spin_lock_irqsave(&m->lock, irqf);
	if (p->active) {
		DMWARN("%s: Failing path %s.",
		       dm_table_device_name(m->ti->table), p->dev->name);
		p->grp->sel.type->fail(&p->grp->sel, &p->psp);
		p->active = false;
		p->fail_count++;
		atomic_dec(&m->nr_valid);
		if (m->cur_path == p)
			m->cur_path = NULL;
		dm_path_uevent(DM_UEVENT_PATH_FAILED, m->ti, p->dev->name,
			       atomic_read(&m->nr_valid));
		schedule_work(&m->event_work);
		mp_nopath_timer_arm(m);
	}
	spin_unlock_irqrestore(&m->lock, irqf);
	return 0;
}

/**
 * mp_reinstate_path() - put a failed path back into use.
 * @p: the path.
 *
 * Restarts queued I/O when this is the first usable path and re-runs the
 * hardware handler when the path joins the active group.
 *
 * Return: 0.
 */
int mp_reinstate_path(struct mp_path *p)
{
	struct mp_map *m = p->grp->map;
	bool restart = false;
	unsigned long irqf;

	spin_lock_irqsave(&m->lock, irqf);
	if (p->active)
		goto unlock;

	DMWARN("%s: Reinstating path %s.",
	       dm_table_device_name(m->ti->table), p->dev->name);
	p->grp->sel.type->reinstate(&p->grp->sel, &p->psp);
	p->active = true;
	if (atomic_inc_return(&m->nr_valid) == 1) {
		m->cur_path = NULL;
		restart = true;
	} else if (m->hw_name && m->cur_grp == p->grp && p->has_activate) {
		if (queue_work(mp_handler_wq, &p->activate.work))
			atomic_inc(&m->pg_init_in_progress);
	}
	dm_path_uevent(DM_UEVENT_PATH_REINSTATED, m->ti, p->dev->name,
		       atomic_read(&m->nr_valid));
	schedule_work(&m->event_work);
unlock:
	spin_unlock_irqrestore(&m->lock, irqf);

	if (restart) {
		dm_table_run_md_queue_async(m->ti->table);
		mp_kick_queued(m);
	}
	mp_nopath_timer_stop(m);
	return 0;
}

void mp_bypass_group(struct mp_map *m, struct mp_group *g, bool on)
{
	unsigned long irqf;

	spin_lock_irqsave(&m->lock, irqf);
	g->bypassed = on;
	m->cur_path = NULL;
	m->cur_grp = NULL;
	spin_unlock_irqrestore(&m->lock, irqf);
	schedule_work(&m->event_work);
}

/* Retry budget left?  Then ask for another pg_init. */
static bool mp_pg_init_retry_allowed(struct mp_map *m)
{
	unsigned long irqf;
	bool ok;

	spin_lock_irqsave(&m->lock, irqf);
	ok = atomic_read(&m->pg_init_count) <= m->pg_init_retries &&
	     !test_bit(MPATHF_PG_INIT_DISABLED, &m->flags);
	if (ok)
		set_bit(MPATHF_PG_INIT_REQUIRED, &m->flags);
	spin_unlock_irqrestore(&m->lock, irqf);
	return ok;
}

/**
 * mp_pg_init_done() - completion of one path's activation.
 * @data:   the &struct mp_path
 * @result: SCSI_DH_* from scsi_dh_activate(), or SCSI_DH_DEV_OFFLINED
 *          when the path's queue is dying
 *
 * Maps @result to the path's fate as in-tree: OK (or NOSYS without a
 * handler) keeps it; TEMP_BUSY bypasses the group; RETRY, IMM_RETRY and
 * RES_TEMP_UNAVAIL ask for another pg_init while pg_init_retries allows,
 * else fail the path; anything else fails it.  The last completion of
 * the group either starts the requested retry or releases the held I/O
 * (clears MPATHF_QUEUE_IO) and wakes mp_flush_work().
 */
static void mp_pg_init_done(void *data, int result)
{
	struct mp_path *p = data;
	struct mp_group *g = p->grp;
	struct mp_map *m = g->map;
	bool delay = false;
	unsigned long irqf;

	switch (result) {
	case SCSI_DH_OK:
		break;
	case SCSI_DH_NOSYS:
		if (!m->hw_name) {
			result = SCSI_DH_OK;
			break;
		}
		DMERR("Could not failover the device: Handler scsi_dh_%s Error %d.",
		      m->hw_name, result);
		mp_fail_path(p);
		break;
	case SCSI_DH_DEV_TEMP_BUSY:
		/* controller busy (firmware update?): try another group */
		mp_bypass_group(m, g, true);
		break;
	case SCSI_DH_RETRY:
		delay = true;
		fallthrough;
	case SCSI_DH_IMM_RETRY:
	case SCSI_DH_RES_TEMP_UNAVAIL:
		if (!mp_pg_init_retry_allowed(m))
			mp_fail_path(p);
		result = SCSI_DH_OK;
		break;
	default:	/* SCSI_DH_DEV_OFFLINED and everything else */
		mp_fail_path(p);
		break;
	}

	spin_lock_irqsave(&m->lock, irqf);
	if (result != SCSI_DH_OK) {
		if (m->cur_path == p) {
			DMERR("Could not failover device. Error %d.", result);
			m->cur_path = NULL;
			m->cur_grp = NULL;
		}
	} else if (!test_bit(MPATHF_PG_INIT_REQUIRED, &m->flags)) {
		g->bypassed = false;
	}

	if (atomic_dec_return(&m->pg_init_in_progress) > 0)
		goto unlock;	/* other paths of the group still activating */

	if (test_bit(MPATHF_PG_INIT_REQUIRED, &m->flags)) {
		assign_bit(MPATHF_PG_INIT_DELAY_RETRY, &m->flags, delay);
		if (__mp_pg_init_all(m))
			goto unlock;
	}
	clear_bit(MPATHF_QUEUE_IO, &m->flags);
	mp_kick_queued(m);
	wake_up(&m->pg_init_wait);
unlock:
	spin_unlock_irqrestore(&m->lock, irqf);
}

void mp_activate_or_offline(struct mp_path *p)
{
	struct request_queue *q = bdev_get_queue(p->dev->bdev);

	if (p->active && !blk_queue_dying(q))
		scsi_dh_activate(q, mp_pg_init_done, p);
	else
		mp_pg_init_done(p, SCSI_DH_DEV_OFFLINED);
}

void mp_activate_work(struct work_struct *work)
{
	struct mp_path *p = container_of(to_delayed_work(work),
					 struct mp_path, activate);

	mp_activate_or_offline(p);
}

static int mp_dh_attach_q(void *q, const char *name)
{
	return scsi_dh_attach(q, name);
}

static const char *mp_dh_name_q(void *q)
{
	return scsi_dh_attached_handler_name(q, GFP_KERNEL);
}

static const struct mp_dh_ops mp_scsi_dh_ops = {
	.attach		= mp_dh_attach_q,
	.attached_name	= mp_dh_name_q,
};

/**
 * mp_setup_scsi_dh() - attach the table's hardware handler to a path.
 * @m:        the map (hw_name/hw_params may be replaced, see below).
 * @bdev:     the path's block device.
 * @attached: name of a handler already attached (kmalloc'ed or NULL);
 *            ownership moves to @m when the map adopts it.
 * @error:    table error string.
 *
 * With retain_attached_hw_handler (or when attaching says -EBUSY) an
 * already attached handler wins and replaces the table's handler name,
 * which is then what the table echo shows. See mp_dh_attach().
 *
 * Return: 0 or a negative errno.
 */
int mp_setup_scsi_dh(struct mp_map *m, struct block_device *bdev,
		     const char **attached, char **error)
{
	struct request_queue *q = bdev_get_queue(bdev);
	const char *table_name = m->hw_name;
	int r;

	r = mp_dh_attach(&mp_scsi_dh_ops, q, &m->hw_name, &m->hw_params,
			 attached,
			 mp_flag_locked(m, MPATHF_RETAIN_ATTACHED_HW_HANDLER),
			 error);
	if (r == -EBUSY) {
		DMERR_LIMIT("%pg: hardware handler %s still busy after %d attempts, table refused",
			    bdev, m->hw_name ? m->hw_name : "(none)",
			    MP_DH_ATTACH_TRIES);
		return r;
	}
	if (r)
		return r;
	if (m->hw_name != table_name)
		DMINFO("retaining handler %s on device %pg", m->hw_name, bdev);
	if (m->hw_name && m->hw_params) {
		r = scsi_dh_set_params(q, m->hw_params);
		if (r < 0) {
			*error = "unable to set hardware handler parameters";
			return r;
		}
	}
	return 0;
}

static void mp_wait_for_pg_init_completion(struct mp_map *m)
{
	wait_event(m->pg_init_wait, !atomic_read(&m->pg_init_in_progress));
}

/* Drain pg_init, queued bios and the event work (suspend, destroy). */
void mp_flush_work(struct mp_map *m)
{
	unsigned long irqf;

	if (m->hw_name && atomic_read(&m->pg_init_in_progress)) {
		spin_lock_irqsave(&m->lock, irqf);
		if (atomic_read(&m->pg_init_in_progress) &&
		    !test_and_set_bit(MPATHF_PG_INIT_DISABLED, &m->flags)) {
			spin_unlock_irqrestore(&m->lock, irqf);
			flush_workqueue(mp_handler_wq);
			mp_wait_for_pg_init_completion(m);
			spin_lock_irqsave(&m->lock, irqf);
			clear_bit(MPATHF_PG_INIT_DISABLED, &m->flags);
		}
		spin_unlock_irqrestore(&m->lock, irqf);
	}
	if (m->mode == DM_TYPE_BIO_BASED)
		flush_work(&m->bio_work);
	flush_work(&m->event_work);
}
