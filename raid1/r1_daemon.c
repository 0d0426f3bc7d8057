// SPDX-License-Identifier: GPL-2.0
/*
 * keel raid1: the array thread (mdX_raid1).
 *
 * It runs md_check_recovery() (superblock updates, starting resync and
 * recovery), sends writes that waited for the bitmap, and works through
 * requests parked on conf->retry:
 *
 *   read failed      -> r1_handle_read_error()      (r1_repair.c)
 *   write failed     -> r1_handle_write_finished()  (r1_repair.c)
 *   write healed     -> r1_handle_write_finished()  (r1_repair.c)
 *   resync block     -> r1_sync_block_write() / r1_sync_write_done()
 *                       (r1_sync.c)
 *
 * Requests whose completion must wait for a superblock update sit on
 * conf->finish until MD_SB_CHANGE_PENDING is clear.
 */
#include <linux/sched.h>
#include <linux/blkdev.h>

#include "raid1_keel.h"

static void r1_finish_deferred(struct r1_array *conf)
{
	struct mddev *mddev = conf->mddev;
	struct r1_req *rq, *tmp;
	LIST_HEAD(done);

	if (list_empty_careful(&conf->finish) ||
	    test_bit(MD_SB_CHANGE_PENDING, &mddev->sb_flags))
		return;

	spin_lock_irq(&conf->lock);
	if (!test_bit(MD_SB_CHANGE_PENDING, &mddev->sb_flags))
		list_splice_init(&conf->finish, &done);
	spin_unlock_irq(&conf->lock);

	list_for_each_entry_safe(rq, tmp, &done, node) {
		list_del(&rq->node);
		r1_gate_unpark(&conf->gate, r1_bucket(rq->sector));
		if (mddev->degraded)
			set_bit(R1F_DEGRADED, &rq->flags);
		if (test_bit(R1F_WRITE_ERR, &rq->flags))
			r1_close_write(rq);
		r1_req_finish(rq);
	}
}

/**
 * r1_daemon() - body of the mdX_raid1 thread
 * @thread: md thread; thread->mddev is the array
 *
 * In-tree: raid1d().
 */
void r1_daemon(struct md_thread *thread)
{
	struct mddev *mddev = thread->mddev;
	struct r1_array *conf = mddev->private;
	struct blk_plug plug;
	struct r1_req *rq;
	struct bio *failed;

	md_check_recovery(mddev);
	r1_finish_deferred(conf);

	blk_start_plug(&plug);
	for (;;) {
		r1_submit_queued(conf);

		spin_lock_irq(&conf->lock);
		failed = bio_list_pop(&conf->failed_reads);
		rq = failed ? NULL :
		     list_first_entry_or_null(&conf->retry, struct r1_req,
					      node);
		if (failed)
			r1_gate_unpark(&conf->gate,
				       r1_bucket(r1_read_sector(failed)));
		if (rq) {
			list_del(&rq->node);
			r1_gate_unpark(&conf->gate, r1_bucket(rq->sector));
		}
		spin_unlock_irq(&conf->lock);
		if (failed)
			rq = r1_read_to_req(conf, failed);
		if (!rq)
			break;

		if (test_bit(R1F_SYNC, &rq->flags)) {
			if (test_bit(R1F_HEALED, &rq->flags) ||
			    test_bit(R1F_WRITE_ERR, &rq->flags))
				r1_sync_write_done(conf, rq);
			else
				r1_sync_block_write(conf, rq);
		} else if (test_bit(R1F_HEALED, &rq->flags) ||
			   test_bit(R1F_WRITE_ERR, &rq->flags)) {
			r1_handle_write_finished(conf, rq);
		} else if (test_bit(R1F_READ_ERR, &rq->flags)) {
			r1_handle_read_error(conf, rq);
		} else {
			WARN_ON_ONCE(1);
		}

		cond_resched();
		if (mddev->sb_flags & ~BIT(MD_SB_CHANGE_PENDING))
			md_check_recovery(mddev);
	}
	blk_finish_plug(&plug);
}
