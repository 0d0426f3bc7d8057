// SPDX-License-Identifier: GPL-2.0
/*
 * keel raid1: the array thread (mdX_raid1).
 *
 * It runs md_check_recovery() (superblock updates, starting resync and
 * recovery), sends writes that waited for the bitmap, and works through
 * requests parked on conf->retry:
 *
 *   read failed      -> freeze, repair the range from a good copy,
 *                       thaw, read again from a leg that can serve it
 *   write failed     -> rewrite block by block, record bad blocks where
 *                       that fails (or fail the leg), then complete the
 *                       request once the superblock says so
 *   write healed     -> clear the bad block records that were overwritten
 *   resync block     -> compare / write the block to the targets
 *
 * Requests whose completion must wait for a superblock update sit on
 * conf->finish until MD_SB_CHANGE_PENDING is clear.
 */
#include <linux/sched.h>
#include <linux/blkdev.h>

#include "raid1_keel.h"

/*
 * Rewrite a failed write in bad-block sized pieces; the pieces that still
 * fail are recorded as bad blocks. Returns false if that cannot be
 * recorded (no bad block log, or it is full).
 */
static bool r1_narrow_write_error(struct r1_req *rq, int slot)
{
	struct mddev *mddev = rq->mddev;
	struct r1_array *conf = mddev->private;
	struct md_rdev *rdev = conf->legs[slot].rdev;
	struct bio *src = test_bit(R1F_BEHIND, &rq->flags) ? rq->behind :
							      rq->master;
	sector_t pos = rq->sector, end = rq->sector + rq->sectors;
	int piece;
	bool ok = true;

	if (rdev->badblocks.shift < 0)
		return false;

	piece = roundup(1 << rdev->badblocks.shift,
			bdev_logical_block_size(rdev->bdev) >> 9);
	while (pos < end) {
		sector_t stop = roundup(pos + 1, (sector_t)piece);
		struct bio *wbio;

		if (stop > end)
			stop = end;
		wbio = bio_alloc_clone(rdev->bdev, src, GFP_NOIO,
				       &mddev->bio_set);
		wbio->bi_opf = REQ_OP_WRITE;
		wbio->bi_iter.bi_sector = rq->sector;
		wbio->bi_iter.bi_size = rq->sectors << 9;
		bio_trim(wbio, pos - rq->sector, stop - pos);
		wbio->bi_iter.bi_sector += rdev->data_offset;
		if (submit_bio_wait(wbio) < 0)
			ok = rdev_set_badblocks(rdev, pos, stop - pos, 0) && ok;
		bio_put(wbio);
		pos = stop;
	}
	return ok;
}

static void r1_write_fixup(struct r1_array *conf, struct r1_req *rq)
{
	struct mddev *mddev = conf->mddev;
	bool failed = false;
	unsigned long flags;
	int i;

	for (i = 0; i < r1_slots(conf); i++) {
		struct md_rdev *rdev = conf->legs[i].rdev;

		if (rq->bios[i] == R1_LEG_HEALED) {
			rdev_clear_badblocks(rdev, rq->sector, rq->sectors, 0);
			rdev_dec_pending(rdev, mddev);
			rq->bios[i] = NULL;
		} else if (rq->bios[i]) {
			failed = true;
			if (!r1_narrow_write_error(rq, i)) {
				md_error(mddev, rdev);
				/* the leg misses data: keep the bitmap bits */
				set_bit(R1F_DEGRADED, &rq->flags);
			}
			rdev_dec_pending(rdev, mddev);
		}
	}
	if (!failed) {
		r1_req_finish(rq);
		return;
	}
	/* Complete only after the superblock has recorded the failure. */
	spin_lock_irqsave(&conf->lock, flags);
	list_add_tail(&rq->node, &conf->finish);
	r1_gate_park(&conf->gate, r1_bucket(rq->sector));
	spin_unlock_irqrestore(&conf->lock, flags);
	md_wakeup_thread(mddev->thread);
}

static void r1_read_retry(struct r1_array *conf, struct r1_req *rq)
{
	struct mddev *mddev = conf->mddev;
	int slot = rq->read_leg;
	struct md_rdev *rdev = conf->legs[slot].rdev;

	clear_bit(R1F_READ_ERR, &rq->flags);
	bio_put(rq->bios[slot]);
	rq->bios[slot] = NULL;

	if (!md_is_rdwr(mddev)) {
		/* cannot repair: just never read this leg for this request */
		rq->bios[slot] = R1_LEG_BLOCKED;
	} else if (test_bit(FailFast, &rdev->flags)) {
		md_error(mddev, rdev);
	} else {
		/* we hold one admitted, unparked request: this one */
		r1_freeze(conf, 1);
		r1_fix_read_error(conf, slot, rq->sector, rq->sectors);
		r1_thaw(conf);
	}
	rdev_dec_pending(rdev, mddev);

	r1_gate_leave(&conf->gate, r1_bucket(rq->sector));
	r1_read_request(mddev, rq->master, rq->sectors, rq);
}

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
			r1_write_fixup(conf, rq);
		} else if (test_bit(R1F_READ_ERR, &rq->flags)) {
			r1_read_retry(conf, rq);
		} else {
			WARN_ON_ONCE(1);
		}

		cond_resched();
		if (mddev->sb_flags & ~BIT(MD_SB_CHANGE_PENDING))
			md_check_recovery(mddev);
	}
	blk_finish_plug(&plug);
}
