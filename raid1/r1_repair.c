// SPDX-License-Identifier: GPL-2.0
/*
 * keel raid1: repairs after IO errors, run by raid1d (and resync).
 *
 *   read failed    r1_handle_read_error(): freeze, r1_fix_read_error()
 *                  rewrites the range from a good copy (or records bad
 *                  blocks), thaw, read again from a leg that can serve it
 *   write failed   r1_handle_write_finished(): rewrite block by block
 *                  (r1_narrow_write_error()), record bad blocks where that
 *                  fails or fail the leg, complete once the superblock
 *                  says so
 *   write healed   r1_handle_write_finished(): clear the bad block records
 *                  that were overwritten
 *
 * r1_sync_page_io() is the synchronous page IO these and resync's
 * r1_fix_sync_read_error() use.
 */
/* "md/raid1:<array>: ..." as in-tree md prints it */
#define pr_fmt(fmt) "md/" KBUILD_MODNAME ":" fmt

#include <linux/blkdev.h>

#include "raid1_keel.h"

/**
 * r1_sync_page_io() - synchronous page IO used by repairs
 * @rdev: member
 * @sector: array sector
 * @sectors: length
 * @page: data
 * @op: REQ_OP_READ or REQ_OP_WRITE
 *
 * A failure is recorded as a bad block, or fails the member if that is
 * not possible.
 *
 * Return: true on success.
 */
bool r1_sync_page_io(struct md_rdev *rdev, sector_t sector, int sectors,
		     struct page *page, enum req_op op)
{
	bool done = sync_page_io(rdev, sector, sectors << 9, page, op, false);

	if (!done) {
		r1_note_error(rdev, op == REQ_OP_WRITE);
		/* a bad block record, or else the whole member */
		if (!r1_record_bad(rdev, sector, sectors))
			md_error(rdev->mddev, rdev);
	}
	return done;
}

/*
 * Count a corrected read failure against @rdev. The count halves for
 * every hour without failures; past mddev->max_corr_read_errors the
 * member is considered unreliable.
 */
static bool r1_too_many_read_faults(struct mddev *mddev, struct md_rdev *rdev)
{
	time64_t now = ktime_get_seconds();
	time64_t hours = (now - rdev->last_read_error) / 3600;
	unsigned int count = atomic_read(&rdev->read_errors);

	if (rdev->last_read_error && hours > 0)
		count = hours >= 32 ? 0 : count >> hours;
	rdev->last_read_error = now;
	atomic_set(&rdev->read_errors, count + 1);
	return count + 1 > atomic_read(&mddev->max_corr_read_errors);
}

/* Is @rdev a good source for [sector, sector + sectors)? */
static bool r1_can_source(struct md_rdev *rdev, sector_t sector, int sectors)
{
	sector_t bad_at;
	int bad_len;

	if (test_bit(Faulty, &rdev->flags))
		return false;
	if (rdev->recovery_offset < sector + sectors &&
	    !test_bit(In_sync, &rdev->flags))
		return false;
	return is_badblock(rdev, sector, sectors, &bad_at, &bad_len) == 0;
}

/**
 * r1_fix_read_error() - repair a range that failed to read on leg @slot
 * @conf: array (frozen by the caller)
 * @slot: leg that failed
 * @sector: start of the range
 * @sectors: length
 *
 * Page by page: read the data from the first leg that can (trying @slot
 * itself first, the failure may have been transient), write it to the
 * legs that could not deliver it and read it back. Unrecoverable pages
 * become bad blocks on @slot.
 */
static void r1_fix_read_error(struct r1_array *conf, int slot,
			      sector_t sector, int sectors)
{
	struct mddev *mddev = conf->mddev;
	struct md_rdev *failed = conf->legs[slot].rdev;
	int slots = r1_slots(conf);

	if (r1_too_many_read_faults(mddev, failed)) {
		pr_notice("%s: %pg: too many read faults (%d), failing it\n",
			  mdname(mddev), failed->bdev,
			  atomic_read(&failed->read_errors));
		md_error(mddev, failed);
		return;
	}

	while (sectors) {
		int n = min_t(int, sectors, PAGE_SIZE >> 9);
		int k, d, found = -1, tried;
		struct md_rdev *rdev;

		for (k = 0; k < slots && found < 0; k++) {
			d = (slot + k) % slots;
			rdev = r1_get_rdev(conf, d);
			if (!rdev)
				continue;
			if (r1_can_source(rdev, sector, n) &&
			    sync_page_io(rdev, sector, n << 9, conf->scratch,
					 REQ_OP_READ, false))
				found = d;
			rdev_dec_pending(rdev, mddev);
		}
		if (found < 0) {
			/* no copy anywhere: remember it on the failed leg */
			if (!r1_record_bad(failed, sector, n))
				md_error(mddev, failed);
			return;
		}

		tried = (found - slot + slots) % slots;
		for (k = 0; k < tried; k++) {
			rdev = r1_get_rdev(conf, (slot + k) % slots);
			if (!rdev)
				continue;
			if (!test_bit(Faulty, &rdev->flags))
				r1_sync_page_io(rdev, sector, n, conf->scratch,
						REQ_OP_WRITE);
			rdev_dec_pending(rdev, mddev);
		}
		for (k = 0; k < tried; k++) {
			rdev = r1_get_rdev(conf, (slot + k) % slots);
			if (!rdev)
				continue;
			if (!test_bit(Faulty, &rdev->flags) &&
			    r1_sync_page_io(rdev, sector, n, conf->scratch,
					    REQ_OP_READ)) {
				atomic_add(n, &rdev->corrected_errors);
				pr_info("%s: rewrote %d sectors at %llu on %pg\n",
					mdname(mddev), n,
					(unsigned long long)(sector +
							     rdev->data_offset),
					rdev->bdev);
			}
			rdev_dec_pending(rdev, mddev);
		}
		sectors -= n;
		sector += n;
	}
}

/**
 * r1_handle_read_error() - raid1d: a read failed on rq->read_leg
 * @conf: array
 * @rq: the request, flagged R1F_READ_ERR, holding the failed clone and
 *      the reference on the leg's rdev
 *
 * Repairs the range on the failed leg when the array is writable (or
 * fails a fail-fast leg, or, read-only, just never reads that leg again
 * for this request), then sends the read through r1_read_request() again.
 * In-tree: handle_read_error().
 */
void r1_handle_read_error(struct r1_array *conf, struct r1_req *rq)
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

	/*
	 * The request keeps its place in the gate for the retry: outside
	 * it, r1_reshape() could replace the pool it came from and the
	 * slot count it is sized for.
	 */
	r1_read_request(mddev, rq->master, rq->sectors, rq);
}

/*
 * Rewrite a failed write in bad-block sized pieces; the pieces that still
 * fail are recorded as bad blocks. Returns false if that cannot be
 * recorded (no bad block log, or it is full). In-tree:
 * narrow_write_error().
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
			ok = r1_record_bad(rdev, pos, stop - pos) && ok;
		bio_put(wbio);
		pos = stop;
	}
	return ok;
}

/**
 * r1_handle_write_finished() - raid1d: a write failed or healed a bad block
 * @conf: array
 * @rq: the write, flagged R1F_WRITE_ERR and/or R1F_HEALED
 *
 * Clears the bad block records that healed legs overwrote; narrows each
 * failed leg's write down to bad blocks, failing the leg where they
 * cannot be recorded. A request with a failure completes only once the
 * superblock has recorded it (conf->finish, see r1_daemon()).
 * In-tree: handle_write_finished().
 */
void r1_handle_write_finished(struct r1_array *conf, struct r1_req *rq)
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
