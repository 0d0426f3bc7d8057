// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: the "multipath" target (1.14.0 grammar).
 *
 * This file holds the target_type, suspend/resume, ioctl pass-through,
 * device iteration, the busy test and module setup.  The constructor and
 * destructor are in mpath_table.c, the map/end_io hooks in mpath_io.c,
 * path/group state in mpath_pg.c, the status lines in mpath_status.c,
 * messages in mpath_msg.c.
 */
#include <linux/blkdev.h>
#include <linux/module.h>

#include <keel/keel_module.h>
#include "mpath.h"

struct workqueue_struct *mp_wq;
struct workqueue_struct *mp_handler_wq;
unsigned long mp_nopath_timeout_secs;

/* ---------------------------------------------------------------- */
/* suspend / resume                                                  */
/* ---------------------------------------------------------------- */

/*
 * A flush suspend cannot finish while I/O is held for a missing path, so
 * queueing is switched off (and remembered) until resume.  Bio mode
 * always does this, as in-tree.
 */
static void mp_presuspend(struct dm_target *ti)
{
	struct mp_map *m = ti->private;

	if (m->mode == DM_TYPE_BIO_BASED || !dm_noflush_suspending(ti))
		mp_queue_if_no_path(m, false, true);
}

static void mp_postsuspend(struct dm_target *ti)
{
	struct mp_map *m = ti->private;

	mutex_lock(&m->msg_lock);
	mp_flush_work(m);
	mutex_unlock(&m->msg_lock);
}

static void mp_resume(struct dm_target *ti)
{
	struct mp_map *m = ti->private;
	unsigned long irqf;

	spin_lock_irqsave(&m->lock, irqf);
	if (test_and_clear_bit(MPATHF_SAVED_QUEUE_IF_NO_PATH, &m->flags))
		set_bit(MPATHF_QUEUE_IF_NO_PATH, &m->flags);
	spin_unlock_irqrestore(&m->lock, irqf);
}

/* ---------------------------------------------------------------- */
/* ioctls, device iteration, busy                                    */
/* ---------------------------------------------------------------- */

static int mp_prepare_ioctl(struct dm_target *ti, struct block_device **bdev)
{
	struct mp_map *m = ti->private;
	struct mp_path *p;
	unsigned long irqf;
	int r;

	p = READ_ONCE(m->cur_path);
	if (!p || !mp_flag_locked(m, MPATHF_QUEUE_IO))
		p = mp_choose_path(m, 0);

	if (p) {
		if (!mp_flag_locked(m, MPATHF_QUEUE_IO)) {
			*bdev = p->dev->bdev;
			r = 0;
		} else {
			r = -ENOTCONN;	/* pg_init not done yet */
		}
	} else {
		spin_lock_irqsave(&m->lock, irqf);
		r = test_bit(MPATHF_QUEUE_IF_NO_PATH, &m->flags) ? -ENOTCONN : -EIO;
		spin_unlock_irqrestore(&m->lock, irqf);
	}

	if (r == -ENOTCONN) {
		/* dm core retries; make progress towards a usable path */
		if (!READ_ONCE(m->cur_grp))
			mp_choose_path(m, 0);
		spin_lock_irqsave(&m->lock, irqf);
		if (test_bit(MPATHF_PG_INIT_REQUIRED, &m->flags))
			__mp_pg_init_all(m);
		spin_unlock_irqrestore(&m->lock, irqf);
		dm_table_run_md_queue_async(ti->table);
		mp_kick_queued(m);
	}

	/* only pass ioctls through when the sizes match exactly */
	if (!r && ti->len != bdev_nr_sectors(*bdev))
		return 1;
	return r;
}

static int mp_iterate_devices(struct dm_target *ti,
			      iterate_devices_callout_fn fn, void *data)
{
	struct mp_map *m = ti->private;
	struct mp_group *g;
	struct mp_path *p;
	int r;

	list_for_each_entry(g, &m->groups, node) {
		list_for_each_entry(p, &g->paths, node) {
			r = fn(ti, p->dev, ti->begin, ti->len, data);
			if (r)
				return r;
		}
	}
	return 0;
}

/*
 * Busy only when I/O could be mapped but every usable path of the group
 * that would be used is busy; when I/O must be queued or failed by the
 * target, dm core has to hand it over, so report "not busy".
 */
static int mp_busy(struct dm_target *ti)
{
	struct mp_map *m = ti->private;
	struct mp_group *g, *next;
	bool any_active = false;
	struct mp_path *p;
	unsigned long irqf;

	if (atomic_read(&m->pg_init_in_progress))
		return true;

	if (!atomic_read(&m->nr_valid)) {
		bool queue_if_no_path;

		spin_lock_irqsave(&m->lock, irqf);
		queue_if_no_path = test_bit(MPATHF_QUEUE_IF_NO_PATH, &m->flags);
		spin_unlock_irqrestore(&m->lock, irqf);
		if (queue_if_no_path)
			return m->mode != DM_TYPE_REQUEST_BASED;
	}

	g = READ_ONCE(m->cur_grp);
	next = READ_ONCE(m->next_grp);
	if (unlikely(!READ_ONCE(m->cur_path) && next))
		g = next;
	if (!g)
		return false;

	list_for_each_entry(p, &g->paths, node) {
		if (!p->active)
			continue;
		any_active = true;
		if (!blk_lld_busy(bdev_get_queue(p->dev->bdev)))
			return false;
	}
	return any_active;
}

static struct target_type mp_target = {
	.name = "multipath",
	.version = {1, 14, 0},
	.features = DM_TARGET_SINGLETON | DM_TARGET_IMMUTABLE |
		    DM_TARGET_PASSES_INTEGRITY,
	.module = THIS_MODULE,
	.ctr = mp_ctr,
	.dtr = mp_dtr,
	.clone_and_map_rq = mp_clone_and_map,
	.release_clone_rq = mp_release_clone,
	.rq_end_io = mp_rq_end_io,
	.map = mp_map_bio,
	.end_io = mp_bio_end_io,
	.presuspend = mp_presuspend,
	.postsuspend = mp_postsuspend,
	.resume = mp_resume,
	.status = mp_status,
	.message = mp_message,
	.prepare_ioctl = mp_prepare_ioctl,
	.iterate_devices = mp_iterate_devices,
	.busy = mp_busy,
};

static int __init mp_init(void)
{
	int r = -ENOMEM;

	mp_wq = alloc_workqueue("kmpathd", WQ_MEM_RECLAIM, 0);
	if (!mp_wq) {
		DMERR("failed to create workqueue kmpathd");
		goto out;
	}
	/* scsi_dh activations get their own, ordered, queue */
	mp_handler_wq = alloc_ordered_workqueue("kmpath_handlerd",
						WQ_MEM_RECLAIM);
	if (!mp_handler_wq) {
		DMERR("failed to create workqueue kmpath_handlerd");
		goto free_wq;
	}
	mp_stats_init();
	r = dm_register_target(&mp_target);
	if (r < 0) {
		DMERR("request-based register failed %d", r);
		r = -EINVAL;
		goto free_all;
	}
	return 0;
free_all:
	mp_stats_exit();
	destroy_workqueue(mp_handler_wq);
free_wq:
	destroy_workqueue(mp_wq);
out:
	return r;
}

static void __exit mp_exit(void)
{
	dm_unregister_target(&mp_target);
	mp_stats_exit();
	destroy_workqueue(mp_handler_wq);
	destroy_workqueue(mp_wq);
}

module_init(mp_init);
module_exit(mp_exit);

module_param_named(queue_if_no_path_timeout_secs, mp_nopath_timeout_secs,
		   ulong, 0644);
MODULE_PARM_DESC(queue_if_no_path_timeout_secs,
		 "No available paths queue IO timeout in seconds");

MODULE_DESCRIPTION(DM_NAME " multipath target (keel)");
MODULE_AUTHOR("keel developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KEEL_VERSION);
