// SPDX-License-Identifier: GPL-2.0
/*
 * keel raid1: the write path.
 *
 * A write is cloned to every working leg (and replacement), clipped to
 * what the legs can take around known bad blocks. With a write-intent
 * bitmap the data writes must not reach the legs before the bitmap bits
 * that cover them are on disk, so write clones are collected on the
 * caller's plug (or on conf->queued_writes, flushed by raid1d) and only
 * sent after r1_bitmap_unplug(). Write-behind copies the payload so that
 * write-mostly legs may lag; write serialisation keeps overlapping writes
 * to one member in order.
 */
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/interval_tree_generic.h>
#include <trace/events/block.h>

#include "raid1_keel.h"

/* Which slot does this clone belong to? */
static int r1_clone_slot(struct r1_req *rq, struct bio *bio)
{
	struct r1_array *conf = rq->mddev->private;
	int i;

	for (i = 0; i < r1_slots(conf); i++)
		if (rq->bios[i] == bio)
			return i;
	WARN_ON_ONCE(1);
	return 0;
}

/*
 * Write serialisation (serialize_policy, or write-behind with
 * CollisionCheck): overlapping writes to one rdev are issued one at a time
 * so that the legs cannot end up with different "last writer". In-tree:
 * check_and_add_serial(), wait_for_serialization(), remove_serial().
 */
#define R1_SER_START(n)	((n)->start)
#define R1_SER_LAST(n)	((n)->last)
INTERVAL_TREE_DEFINE(struct serial_info, node, sector_t, _subtree_last,
		     R1_SER_START, R1_SER_LAST, static inline, r1_ser);

static bool r1_ser_try(struct serial_in_rdev *ser, struct serial_info *si,
		       sector_t first, sector_t last)
{
	unsigned long flags;
	bool clash;

	spin_lock_irqsave(&ser->serial_lock, flags);
	clash = r1_ser_iter_first(&ser->serial_rb, first, last);
	if (!clash) {
		si->start = first;
		si->last = last;
		r1_ser_insert(si, &ser->serial_rb);
	}
	spin_unlock_irqrestore(&ser->serial_lock, flags);
	return !clash;
}

static void r1_ser_begin(struct md_rdev *rdev, struct r1_req *rq)
{
	struct mddev *mddev = rdev->mddev;
	struct serial_in_rdev *ser;
	struct serial_info *si;

	if (!rdev->serial || !mddev->serial_info_pool)
		return;
	ser = &rdev->serial[r1_bucket(rq->sector)];
	si = mempool_alloc(mddev->serial_info_pool, GFP_NOIO);
	wait_event(ser->serial_io_wait,
		   r1_ser_try(ser, si, rq->sector,
			      rq->sector + rq->sectors - 1));
}

static void r1_ser_end(struct md_rdev *rdev, sector_t first, sector_t last)
{
	struct mddev *mddev = rdev->mddev;
	struct serial_in_rdev *ser;
	struct serial_info *si;
	unsigned long flags;

	if (!rdev->serial || !mddev->serial_info_pool)
		return;
	ser = &rdev->serial[r1_bucket(first)];
	spin_lock_irqsave(&ser->serial_lock, flags);
	for (si = r1_ser_iter_first(&ser->serial_rb, first, last); si;
	     si = r1_ser_iter_next(si, first, last)) {
		if (si->start == first && si->last == last) {
			r1_ser_remove(si, &ser->serial_rb);
			mempool_free(si, mddev->serial_info_pool);
			break;
		}
	}
	spin_unlock_irqrestore(&ser->serial_lock, flags);
	wake_up(&ser->serial_io_wait);
}

static bool r1_serialized(struct r1_req *rq, struct md_rdev *rdev)
{
	if (test_bit(R1F_BEHIND, &rq->flags))
		return test_bit(CollisionCheck, &rdev->flags);
	return r1_serialize_policy(rq->mddev);
}

/* The bitmap for this write is on disk (or there is none): send it. */
static void r1_send_write(struct bio *clone)
{
	struct r1_req *rq = clone->bi_private;
	struct r1_array *conf = rq->mddev->private;
	struct md_rdev *rdev = conf->legs[r1_clone_slot(rq, clone)].rdev;

	clone->bi_next = NULL;
	if (test_bit(Faulty, &rdev->flags))
		bio_io_error(clone);
	else if (bio_op(clone) == REQ_OP_DISCARD &&
		 !bdev_max_discard_sectors(clone->bi_bdev))
		bio_endio(clone);	/* leg cannot discard: nothing to do */
	else
		submit_bio_noacct(clone);
}

static void r1_send_list(struct r1_array *conf, struct bio *bio)
{
	r1_bitmap_unplug(conf->mddev);
	r1_gate_kick(&conf->gate);
	while (bio) {
		struct bio *next = bio->bi_next;

		r1_send_write(bio);
		bio = next;
		cond_resched();
	}
}

/**
 * r1_submit_queued() - push out the writes queued for the bitmap
 * @conf: array
 *
 * Called by raid1d and, through r1_drain_queued(), by a freezer while it
 * waits. Flushes the bitmap first. In-tree: flush_pending_writes().
 *
 * Context: process context, may sleep; sets the task running.
 */
void r1_submit_queued(struct r1_array *conf)
{
	struct blk_plug plug;
	struct bio *list;

	spin_lock_irq(&conf->lock);
	list = bio_list_get(&conf->queued_writes);
	spin_unlock_irq(&conf->lock);
	if (!list)
		return;
	/*
	 * We may be called from inside a wait_event() loop; the bitmap
	 * flush below sleeps, so run as a normal task until it is done.
	 */
	__set_current_state(TASK_RUNNING);
	blk_start_plug(&plug);
	r1_send_list(conf, list);
	blk_finish_plug(&plug);
}

void r1_drain_queued(void *arg)
{
	r1_submit_queued(arg);
}

struct r1_plug {
	struct blk_plug_cb cb;
	struct bio_list bios;
};

static void r1_unplug(struct blk_plug_cb *cb, bool from_schedule)
{
	struct r1_plug *plug = container_of(cb, struct r1_plug, cb);
	struct mddev *mddev = cb->data;
	struct r1_array *conf = mddev->private;

	if (from_schedule || current->bio_list) {
		/* Cannot sleep on the bitmap here: let raid1d do it. */
		spin_lock_irq(&conf->lock);
		bio_list_merge(&conf->queued_writes, &plug->bios);
		spin_unlock_irq(&conf->lock);
		r1_gate_kick(&conf->gate);
		md_wakeup_thread(mddev->thread);
	} else {
		r1_send_list(conf, bio_list_get(&plug->bios));
	}
	kfree(plug);
}

static void r1_issue_write(struct r1_array *conf, struct bio *clone)
{
	struct mddev *mddev = conf->mddev;
	struct blk_plug_cb *cb;
	unsigned long flags;

	if (!r1_bitmap_enabled(mddev)) {
		r1_send_write(clone);
		return;
	}
	cb = blk_check_plugged(r1_unplug, mddev, sizeof(struct r1_plug));
	if (cb) {
		bio_list_add(&container_of(cb, struct r1_plug, cb)->bios,
			     clone);
		return;
	}
	spin_lock_irqsave(&conf->lock, flags);
	bio_list_add(&conf->queued_writes, clone);
	spin_unlock_irqrestore(&conf->lock, flags);
	md_wakeup_thread(mddev->thread);
}

/**
 * r1_close_write() - bitmap and md bookkeeping once all clones are done
 * @rq: the write
 *
 * Frees the write-behind copy, ends the bitmap write (6.1: bits stay set
 * when R1F_DEGRADED, some leg misses the data; 6.12: md core ends it with
 * the master bio, see r1_bitmap_endwrite()) and md_write_end().
 * In-tree: close_write().
 */
void r1_close_write(struct r1_req *rq)
{
	bool behind = test_bit(R1F_BEHIND, &rq->flags);

	if (behind && rq->behind) {
		bio_free_pages(rq->behind);
		bio_put(rq->behind);
		rq->behind = NULL;
	}
	r1_bitmap_endwrite(rq->mddev, rq->sector, rq->sectors,
			   !test_bit(R1F_DEGRADED, &rq->flags), behind);
	md_write_end(rq->mddev);
}

static void r1_write_done(struct r1_req *rq)
{
	if (!atomic_dec_and_test(&rq->todo))
		return;

	if (test_bit(R1F_WRITE_ERR, &rq->flags)) {
		r1_to_raid1d(rq);
		return;
	}
	r1_close_write(rq);
	if (test_bit(R1F_HEALED, &rq->flags))
		r1_to_raid1d(rq);
	else
		r1_req_finish(rq);
}

/**
 * r1_note_error() - remember that @rdev failed a write
 * @rdev: member
 * @write: the failed IO was a write (otherwise nothing to do)
 *
 * Sets WriteErrorSeen (bad-block checks on later writes) and asks md for
 * a replacement once.
 */
void r1_note_error(struct md_rdev *rdev, bool write)
{
	if (!write)
		return;
	set_bit(WriteErrorSeen, &rdev->flags);
	if (!test_and_set_bit(WantReplacement, &rdev->flags))
		set_bit(MD_RECOVERY_NEEDED, &rdev->mddev->recovery);
}

static void r1_write_endio(struct bio *bio)
{
	struct r1_req *rq = bio->bi_private;
	struct mddev *mddev = rq->mddev;
	struct r1_array *conf = mddev->private;
	int slot = r1_clone_slot(rq, bio);
	struct r1_leg *leg = &conf->legs[slot];
	struct md_rdev *rdev = leg->rdev;
	bool discard = bio_op(bio) == REQ_OP_DISCARD;
	bool failed = bio->bi_status && !discard;
	sector_t first = rq->sector, last = rq->sector + rq->sectors - 1;
	struct bio *drop = NULL;
	sector_t first_bad;
	int bad;

	leg->head = rq->sector + rq->sectors;
	r1_stats_write_done(leg, rq->sectors, !failed);

	if (failed) {
		r1_note_error(rdev, true);
		/* Fail-fast legs are failed at once (never write-mostly) */
		if (test_bit(FailFast, &rdev->flags) &&
		    (bio->bi_opf & MD_FAILFAST) &&
		    !test_bit(WriteMostly, &rdev->flags))
			md_error(mddev, rdev);
		if (!test_bit(Faulty, &rdev->flags)) {
			/* raid1d narrows it down to bad blocks */
			set_bit(R1F_WRITE_ERR, &rq->flags);
		} else {
			set_bit(R1F_DEGRADED, &rq->flags);
			rq->bios[slot] = NULL;
			drop = bio;
		}
	} else {
		rq->bios[slot] = NULL;
		drop = bio;
		/* A rebuilding leg does not count as a good copy yet. */
		if (test_bit(In_sync, &rdev->flags) &&
		    !test_bit(Faulty, &rdev->flags))
			set_bit(R1F_UPTODATE, &rq->flags);
		if (!discard && is_badblock(rdev, rq->sector, rq->sectors,
					    &first_bad, &bad)) {
			rq->bios[slot] = R1_LEG_HEALED;
			set_bit(R1F_HEALED, &rq->flags);
		}
	}

	if (r1_serialized(rq, rdev))
		r1_ser_end(rdev, first, last);

	if (test_bit(R1F_BEHIND, &rq->flags)) {
		if (test_bit(WriteMostly, &rdev->flags))
			atomic_dec(&rq->behind_todo);
		/*
		 * Write-behind: the caller may go on as soon as only
		 * write-mostly legs are outstanding and a copy is good.
		 */
		if (atomic_read(&rq->behind_todo) >=
		    atomic_read(&rq->todo) - 1 &&
		    test_bit(R1F_UPTODATE, &rq->flags) &&
		    !test_and_set_bit(R1F_ENDED, &rq->flags))
			r1_end_master(rq);
	}

	if (!rq->bios[slot])
		rdev_dec_pending(rdev, mddev);
	r1_write_done(rq);
	if (drop)
		bio_put(drop);
}

/* Copy the payload so that a write-mostly leg can lag behind. */
static void r1_copy_behind(struct r1_req *rq, struct bio *bio)
{
	unsigned int left = bio->bi_iter.bi_size;
	unsigned short vecs = 0;
	struct bio *copy;

	if (bio_has_data(bio))
		vecs = DIV_ROUND_UP(left, PAGE_SIZE);
	copy = bio_alloc_bioset(NULL, vecs, 0, GFP_NOIO, &rq->mddev->bio_set);
	if (!bio_has_data(bio)) {
		copy->bi_iter.bi_size = left;
		goto out;
	}
	while (left) {
		unsigned int len = min_t(unsigned int, left, PAGE_SIZE);
		struct page *page = alloc_page(GFP_NOIO);

		if (!page) {
			/* just do a normal, synchronous mirror write */
			bio_free_pages(copy);
			bio_put(copy);
			return;
		}
		r1_bio_add_sized(copy, page, len);
		left -= len;
	}
	bio_copy_data(copy, bio);
out:
	rq->behind = copy;
	set_bit(R1F_BEHIND, &rq->flags);
}

/*
 * Pick the write targets. Returns NULL when every slot is set up (with
 * nr_pending raised for each target), or a blocked rdev (with nr_pending
 * raised) that must be waited for first. *max is lowered to stay clear
 * of known bad blocks.
 */
static struct md_rdev *r1_write_targets(struct r1_array *conf,
					struct r1_req *rq, struct bio *bio,
					int *max, bool *has_wm)
{
	struct mddev *mddev = conf->mddev;
	struct md_rdev *blocked = NULL;
	int i;

	rcu_read_lock();
	for (i = 0; i < r1_slots(conf); i++) {
		struct md_rdev *rdev = r1_rdev_rcu(conf, i);
		sector_t first_bad;
		int bad, flag;

		rq->bios[i] = NULL;
		if (rdev && test_bit(Blocked, &rdev->flags)) {
			atomic_inc(&rdev->nr_pending);
			blocked = rdev;
			break;
		}
		if (!rdev || test_bit(Faulty, &rdev->flags)) {
			if (i < conf->nlegs)
				set_bit(R1F_DEGRADED, &rq->flags);
			continue;
		}
		if (test_bit(WriteMostly, &rdev->flags))
			*has_wm = true;
		atomic_inc(&rdev->nr_pending);
		if (test_bit(WriteErrorSeen, &rdev->flags)) {
			flag = is_badblock(rdev, rq->sector, *max, &first_bad,
					   &bad);
			if (flag < 0) {
				/* unacknowledged bad blocks: wait for md */
				set_bit(BlockedBadBlocks, &rdev->flags);
				blocked = rdev;
				break;
			}
			if (flag && first_bad <= rq->sector) {
				/*
				 * Skip this leg for the bad range; the bad
				 * block log (not the bitmap) remembers it.
				 */
				bad -= rq->sector - first_bad;
				if (bad < *max)
					*max = bad;
				rdev_dec_pending(rdev, mddev);
				continue;
			}
			if (flag && first_bad - rq->sector < *max)
				*max = first_bad - rq->sector;
		}
		rq->bios[i] = bio;
	}
	rcu_read_unlock();

	if (blocked) {
		int j;

		for (j = 0; j < i; j++) {
			if (rq->bios[j])
				rdev_dec_pending(conf->legs[j].rdev, mddev);
			rq->bios[j] = NULL;
		}
	}
	return blocked;
}

/**
 * r1_write_request() - start a write
 * @mddev: array
 * @bio: the bio from above; md_write_start() has been called for it
 * @sectors: at most this many sectors (unit boundary)
 *
 * Enters the gate, picks the target legs (waiting for blocked members),
 * splits what the legs cannot take around bad blocks off for later,
 * starts the bitmap write and issues one clone per target. In-tree:
 * raid1_write_request().
 *
 * Return: false when the bio was failed with BLK_STS_AGAIN (REQ_NOWAIT);
 * the caller then ends the md write itself.
 */
bool r1_write_request(struct mddev *mddev, struct bio *bio, int sectors)
{
	struct r1_array *conf = mddev->private;
	bool has_bitmap = mddev->bitmap;
	unsigned int bucket = r1_bucket(bio->bi_iter.bi_sector);
	bool nowait = bio->bi_opf & REQ_NOWAIT;
	struct md_rdev *blocked;
	struct r1_req *rq;
	bool has_wm;
	int i, max;

	if (!r1_gate_enter(&conf->gate, bucket, true, nowait)) {
		bio_wouldblock_error(bio);
		return false;
	}
	rq = r1_req_get(conf, bio, sectors);

	for (;;) {
		has_wm = false;
		max = rq->sectors;
		rq->flags = 0;
		blocked = r1_write_targets(conf, rq, bio, &max, &has_wm);
		if (!blocked)
			break;
		/*
		 * Outside the gate the array may be reshaped: the request
		 * is sized for the current slot count and comes from the
		 * pool a reshape replaces, so it is not kept across the wait.
		 */
		r1_req_free(rq);
		r1_gate_leave(&conf->gate, bucket);
		if (nowait) {
			rdev_dec_pending(blocked, mddev);
			bio_wouldblock_error(bio);
			return false;
		}
		md_wait_for_blocked_rdev(blocked, mddev);
		r1_gate_enter(&conf->gate, bucket, true, false);
		rq = r1_req_get(conf, bio, sectors);
	}

	/* A behind copy is allocated page by page into a single bio. */
	if (has_wm && has_bitmap)
		max = min_t(int, max, BIO_MAX_VECS * (PAGE_SIZE >> 9));
	if (max < bio_sectors(bio)) {
		struct bio *head = bio_split(bio, max, GFP_NOIO,
					     &conf->split_set);

		bio_chain(head, bio);
		submit_bio_noacct(bio);
		bio = head;
		rq->master = bio;
		rq->sectors = max;
	}

	/* may swap in md's accounting clone as the bio to complete */
	if (r1_io_acct_start(mddev, &bio, &rq->acct))
		set_bit(R1F_ACCT, &rq->flags);
	rq->master = bio;
	atomic_set(&rq->todo, 1);
	atomic_set(&rq->behind_todo, 0);

	/* write-behind: see r1_bitmap_behind_ok() */
	if (has_wm && has_bitmap && r1_bitmap_behind_ok(mddev))
		r1_copy_behind(rq, bio);
	r1_bitmap_startwrite(mddev, rq->sector, rq->sectors,
			     test_bit(R1F_BEHIND, &rq->flags));

	for (i = 0; i < r1_slots(conf); i++) {
		struct md_rdev *rdev = conf->legs[i].rdev;
		struct bio *clone;

		if (!rq->bios[i])
			continue;
		if (test_bit(R1F_BEHIND, &rq->flags)) {
			clone = r1_clone(rdev->bdev, rq->behind, GFP_NOIO,
					 &mddev->bio_set);
			if (test_bit(WriteMostly, &rdev->flags))
				atomic_inc(&rq->behind_todo);
		} else {
			clone = r1_clone(rdev->bdev, bio, GFP_NOIO,
					 &mddev->bio_set);
		}
		if (r1_serialized(rq, rdev))
			r1_ser_begin(rdev, rq);

		rq->bios[i] = clone;
		clone->bi_iter.bi_sector = rq->sector + rdev->data_offset;
		clone->bi_opf = bio_op(bio) |
				(bio->bi_opf & (REQ_SYNC | REQ_FUA));
		if (test_bit(FailFast, &rdev->flags) &&
		    !test_bit(WriteMostly, &rdev->flags) &&
		    conf->nlegs - mddev->degraded > 1)
			clone->bi_opf |= MD_FAILFAST;
		clone->bi_end_io = r1_write_endio;
		clone->bi_private = rq;
		atomic_inc(&rq->todo);
		if (mddev->gendisk)
			trace_block_bio_remap(clone, disk_devt(mddev->gendisk),
					      rq->sector);
		r1_issue_write(conf, clone);
	}

	r1_write_done(rq);
	/* a freezer may be waiting to flush what we just queued */
	r1_gate_kick(&conf->gate);
	return true;
}
