// SPDX-License-Identifier: GPL-2.0
/*
 * keel raid1: resync, recovery, check and repair.
 *
 * md_do_sync() (md core) walks the array and calls r1_sync_request() for
 * each position. We build one resync block of up to 64 KiB:
 *
 *   resync   (MD_RECOVERY_SYNC)       read the first good leg, write the
 *                                     other In_sync legs
 *   recovery                           read a good leg, write the legs
 *                                     being rebuilt (and replacements)
 *   check    (SYNC|REQUESTED|CHECK)   read every leg, compare, count
 *                                     mismatches, rewrite only unreadable
 *   repair   (SYNC|REQUESTED)         read every leg, compare, copy the
 *                                     first good copy over the others
 *
 * Each block raises a fence in the gate for its unit, so normal writes to
 * that unit wait until the block is written. The bitmap tells which
 * chunks need work at all (r1_bitmap_start_sync()).
 */
/* "md/raid1:<array>: ..." as in-tree md prints it */
#define pr_fmt(fmt) "md/" KBUILD_MODNAME ":" fmt

#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/highmem.h>

#include "raid1_keel.h"

/*
 * Resync buffers: an r1_req followed by one r1_sync_pages per slot. For
 * resync and recovery every slot shares the pages of slot 0 (read once,
 * write everywhere); check/repair read every leg and get own pages.
 */
static struct r1_sync_pages *r1_sync_pagesets(struct r1_req *rq, int slots)
{
	return (struct r1_sync_pages *)&rq->bios[slots];
}

static void *r1_sync_alloc_fn(gfp_t gfp, void *data)
{
	struct r1_pool_geom *geom = data;
	int slots = geom->slots;
	bool own = test_bit(MD_RECOVERY_REQUESTED, &geom->mddev->recovery);
	struct r1_sync_pages *sets;
	struct r1_req *rq;
	int i, p;

	rq = kzalloc(struct_size(rq, bios, slots) + slots * sizeof(*sets),
		     gfp);
	if (!rq)
		return NULL;
	sets = r1_sync_pagesets(rq, slots);

	for (i = 0; i < slots; i++) {
		struct bio *bio = bio_kmalloc(R1_SYNC_PAGES, gfp);

		if (!bio)
			goto fail;
		bio_init(bio, NULL, bio->bi_inline_vecs, R1_SYNC_PAGES, 0);
		rq->bios[i] = bio;

		sets[i].req = rq;
		for (p = 0; p < R1_SYNC_PAGES; p++) {
			if (i == 0 || own) {
				sets[i].page[p] = alloc_page(gfp);
				if (!sets[i].page[p])
					goto fail;
			} else {
				sets[i].page[p] = sets[0].page[p];
				get_page(sets[i].page[p]);
			}
		}
		bio->bi_private = &sets[i];
	}
	return rq;

fail:
	for (i = 0; i < slots; i++) {
		for (p = 0; p < R1_SYNC_PAGES; p++)
			if (sets[i].page[p])
				put_page(sets[i].page[p]);
		if (rq->bios[i]) {
			bio_uninit(rq->bios[i]);
			kfree(rq->bios[i]);
		}
	}
	kfree(rq);
	return NULL;
}

static void r1_sync_free_fn(void *element, void *data)
{
	struct r1_pool_geom *geom = data;
	struct r1_req *rq = element;
	struct r1_sync_pages *sets = r1_sync_pagesets(rq, geom->slots);
	int i, p;

	for (i = 0; i < geom->slots; i++) {
		for (p = 0; p < R1_SYNC_PAGES; p++)
			put_page(sets[i].page[p]);
		bio_uninit(rq->bios[i]);
		kfree(rq->bios[i]);
	}
	kfree(rq);
}

static struct r1_req *r1_sync_buf_get(struct r1_array *conf)
{
	struct r1_req *rq = mempool_alloc(&conf->sync_pool, GFP_NOIO);
	int i;

	for (i = 0; i < conf->geom->slots; i++) {
		struct bio *bio = rq->bios[i];
		void *pages = bio->bi_private;

		bio_reset(bio, NULL, 0);
		bio->bi_private = pages;
	}
	rq->master = NULL;
	rq->behind = NULL;
	return rq;
}

/* Drop the rdev references and the fence of a resync block. */
static void r1_sync_buf_put(struct r1_req *rq)
{
	struct r1_array *conf = rq->mddev->private;
	sector_t sector = rq->sector;
	int i;

	for (i = 0; i < r1_slots(conf); i++)
		if (rq->bios[i]->bi_end_io)
			rdev_dec_pending(conf->legs[i].rdev, rq->mddev);
	mempool_free(rq, &conf->sync_pool);
	r1_gate_lower(&conf->gate, r1_bucket(sector));
}

/* Called at the end of every sync pass (and on abort). */
void r1_sync_stop(struct r1_array *conf)
{
	r1_gate_wait_sync_idle(&conf->gate);
	mempool_exit(&conf->sync_pool);
}

/* Keep the bitmap bits of a block that could not be written. */
static void r1_sync_keep_bits(struct mddev *mddev, struct r1_req *rq)
{
	sector_t pos = rq->sector, blocks = 0;
	long left = rq->sectors;

	while (left > 0) {
		r1_bitmap_end_sync(mddev, pos, &blocks);
		pos += blocks;
		left -= blocks;
	}
}

static void r1_sync_read_endio(struct bio *bio)
{
	struct r1_req *rq = r1_sync_req(bio);

	if (!bio->bi_status)
		set_bit(R1F_UPTODATE, &rq->flags);
	if (atomic_dec_and_test(&rq->todo))
		r1_to_raid1d(rq);
}

static void r1_sync_put_write(struct r1_req *rq, bool ok)
{
	struct mddev *mddev = rq->mddev;
	int sectors = rq->sectors;

	if (!atomic_dec_and_test(&rq->todo))
		return;
	if (test_bit(R1F_HEALED, &rq->flags) ||
	    test_bit(R1F_WRITE_ERR, &rq->flags)) {
		r1_to_raid1d(rq);
		return;
	}
	r1_sync_buf_put(rq);
	md_done_sync(mddev, sectors, ok);
}

static void r1_sync_write_endio(struct bio *bio)
{
	struct r1_req *rq = r1_sync_req(bio);
	struct mddev *mddev = rq->mddev;
	struct r1_array *conf = mddev->private;
	struct md_rdev *rdev = NULL, *src;
	sector_t first_bad;
	int i, bad;

	for (i = 0; i < r1_slots(conf); i++)
		if (rq->bios[i] == bio)
			rdev = conf->legs[i].rdev;
	if (WARN_ON_ONCE(!rdev))
		return;

	if (bio->bi_status) {
		r1_sync_keep_bits(mddev, rq);
		r1_note_error(rdev, true);
		set_bit(R1F_WRITE_ERR, &rq->flags);
	} else if (is_badblock(rdev, rq->sector, rq->sectors, &first_bad,
			       &bad)) {
		src = rq->read_leg >= 0 ? conf->legs[rq->read_leg].rdev : NULL;
		if (src && !is_badblock(src, rq->sector, rq->sectors,
					&first_bad, &bad))
			set_bit(R1F_HEALED, &rq->flags);
	}
	r1_sync_put_write(rq, !bio->bi_status);
}

static int r1_sync_pool_init(struct r1_array *conf)
{
	return mempool_init(&conf->sync_pool, R1_SYNC_BUFS, r1_sync_alloc_fn,
			    r1_sync_free_fn, conf->geom);
}

/* Put a completed read bio back into shape for reuse as a write. */
static void r1_sync_rearm(struct r1_array *conf, struct r1_req *rq, int i)
{
	struct bio *b = rq->bios[i];
	struct r1_sync_pages *set = b->bi_private;
	struct md_rdev *rdev = conf->legs[i].rdev;
	blk_status_t status = b->bi_status;
	int left = rq->sectors << 9, p;

	bio_reset(b, rdev->bdev, REQ_OP_READ);
	b->bi_status = status;
	b->bi_iter.bi_sector = rq->sector + rdev->data_offset;
	b->bi_end_io = r1_sync_read_endio;
	b->bi_private = set;
	for (p = 0; left > 0; p++) {
		int len = min_t(int, left, PAGE_SIZE);

		r1_bio_add_sized(b, set->page[p], len);
		left -= len;
	}
}

static bool r1_pages_equal(struct r1_sync_pages *a, struct r1_sync_pages *b,
			   int bytes)
{
	int p;

	for (p = 0; bytes > 0; p++) {
		int len = min_t(int, bytes, PAGE_SIZE);

		if (memcmp(page_address(a->page[p]), page_address(b->page[p]),
			   len))
			return false;
		bytes -= len;
	}
	return true;
}

/*
 * check/repair: every readable leg was read. Take the first good copy as
 * the reference, count mismatching blocks and prepare the writes.
 */
static void r1_compare_copies(struct r1_array *conf, struct r1_req *rq)
{
	struct mddev *mddev = conf->mddev;
	bool check = test_bit(MD_RECOVERY_CHECK, &mddev->recovery);
	struct bio *ref = NULL;
	int i;

	for (i = 0; i < r1_slots(conf); i++)
		if (rq->bios[i]->bi_end_io == r1_sync_read_endio)
			r1_sync_rearm(conf, rq, i);

	for (i = 0; i < r1_slots(conf); i++) {
		struct bio *b = rq->bios[i];

		if (b->bi_end_io == r1_sync_read_endio && !b->bi_status) {
			ref = b;
			b->bi_end_io = NULL;
			rdev_dec_pending(conf->legs[i].rdev, mddev);
			rq->read_leg = i;
			break;
		}
	}
	if (WARN_ON_ONCE(!ref))
		return;

	for (i = 0; i < r1_slots(conf); i++) {
		struct bio *b = rq->bios[i];
		blk_status_t status = b->bi_status;
		bool same;

		if (b->bi_end_io != r1_sync_read_endio)
			continue;
		b->bi_status = 0;
		same = !status && r1_pages_equal(ref->bi_private,
						 b->bi_private,
						 rq->sectors << 9);
		if (!same)
			atomic64_add(rq->sectors, &mddev->resync_mismatches);
		/* check only rewrites what could not be read at all */
		if (same || (check && !status)) {
			b->bi_end_io = NULL;
			rdev_dec_pending(conf->legs[i].rdev, mddev);
			continue;
		}
		bio_copy_data(b, ref);
	}
}

/* the first slot after @from whose bio still reads, or -1 */
static int r1_next_reader(struct r1_req *rq, int slots, int from)
{
	int k, d;

	for (k = 1; k < slots; k++) {
		d = (from + k) % slots;
		if (rq->bios[d]->bi_end_io == r1_sync_read_endio)
			return d;
	}
	return -1;
}

/*
 * @page (sectors @pos + @n) was read from leg @found: write it to the
 * legs from @src up to @found, which failed it, and read it back. A leg
 * whose write fails leaves the block (its failure is recorded), except
 * the source of check/repair: its pages hold the copy the other legs are
 * compared with, so it stays, and no read-back may overwrite the page.
 */
static void r1_sync_rewrite_page(struct r1_array *conf, struct r1_req *rq,
				 int src, int found, sector_t pos, int n,
				 struct page *page)
{
	struct mddev *mddev = conf->mddev;
	bool requested = test_bit(MD_RECOVERY_REQUESTED, &mddev->recovery);
	int slots = r1_slots(conf), tried = (found - src + slots) % slots;
	bool src_kept = false;
	struct md_rdev *rdev;
	int k, d;

	for (k = 0; k < tried; k++) {
		d = (src + k) % slots;
		if (rq->bios[d]->bi_end_io != r1_sync_read_endio)
			continue;
		rdev = conf->legs[d].rdev;
		if (r1_sync_page_io(rdev, pos, n, page, REQ_OP_WRITE))
			continue;
		if (d == src && requested) {
			src_kept = true;
			continue;
		}
		rq->bios[d]->bi_end_io = NULL;
		rdev_dec_pending(rdev, mddev);
	}
	for (k = src_kept ? 1 : 0; k < tried; k++) {
		d = (src + k) % slots;
		if (rq->bios[d]->bi_end_io != r1_sync_read_endio)
			continue;
		rdev = conf->legs[d].rdev;
		if (r1_sync_page_io(rdev, pos, n, page, REQ_OP_READ))
			atomic_add(n, &rdev->corrected_errors);
	}
}

/*
 * The source leg failed to read part of a resync block (for check/repair:
 * every leg failed some of it). Find each page on some leg, rewrite the
 * legs that failed before it, verify. A page no leg can read is recorded
 * as a bad block on every leg and the pass goes on with the next page, as
 * it does for any other block.
 *
 * Return: false when the pass has to stop (a bad block could not be
 * recorded, or no leg is left to read from).
 */
static bool r1_fix_sync_read_error(struct r1_array *conf, struct r1_req *rq)
{
	struct mddev *mddev = conf->mddev;
	int slots = r1_slots(conf), src = rq->read_leg;
	struct bio *sbio = rq->bios[src];
	struct md_rdev *rdev = conf->legs[src].rdev;
	struct r1_sync_pages *set;
	sector_t pos = rq->sector;
	int left = rq->sectors, p = 0;

	if (test_bit(FailFast, &rdev->flags)) {
		/* a fail-fast leg is not repaired but failed */
		md_error(mddev, rdev);
		if (test_bit(Faulty, &rdev->flags)) {
			sbio->bi_end_io = r1_sync_write_endio;
			/*
			 * check/repair compare against the leg whose pages
			 * get the copy: that has to be a leg still read
			 */
			src = r1_next_reader(rq, slots, src);
			if (src < 0)
				return false;
			sbio = rq->bios[src];
		}
	}
	set = sbio->bi_private;

	while (left) {
		int n = min_t(int, left, PAGE_SIZE >> 9);
		int k, d, found = -1;

		for (k = 0; k < slots; k++) {
			d = (src + k) % slots;
			if (rq->bios[d]->bi_end_io != r1_sync_read_endio)
				continue;
			if (sync_page_io(conf->legs[d].rdev, pos, n << 9,
					 set->page[p], REQ_OP_READ, false)) {
				found = d;
				break;
			}
		}

		if (found < 0) {
			bool recorded = true;

			pr_crit_ratelimited("%s: no leg can read sectors %llu+%d\n",
					    mdname(mddev),
					    (unsigned long long)pos, n);
			for (d = 0; d < slots; d++) {
				rdev = conf->legs[d].rdev;
				if (!rdev || test_bit(Faulty, &rdev->flags))
					continue;
				if (!r1_record_bad(rdev, pos, n))
					recorded = false;
			}
			if (!recorded)
				return false;
		} else {
			r1_sync_rewrite_page(conf, rq, src, found, pos, n,
					     set->page[p]);
		}
		left -= n;
		pos += n;
		p++;
	}
	set_bit(R1F_UPTODATE, &rq->flags);
	sbio->bi_status = 0;
	rq->read_leg = src;
	return true;
}

/**
 * r1_sync_block_write() - raid1d: the reads of a resync block are done
 * @conf: array
 * @rq: the resync block
 */
void r1_sync_block_write(struct r1_array *conf, struct r1_req *rq)
{
	struct mddev *mddev = conf->mddev;
	bool requested = test_bit(MD_RECOVERY_REQUESTED, &mddev->recovery);
	bool resync = test_bit(MD_RECOVERY_SYNC, &mddev->recovery);
	int i;

	if (!test_bit(R1F_UPTODATE, &rq->flags) &&
	    !r1_fix_sync_read_error(conf, rq)) {
		/* the loss could not be recorded: give up on this pass */
		conf->recovery_disabled = mddev->recovery_disabled;
		set_bit(MD_RECOVERY_INTR, &mddev->recovery);
		md_done_sync(mddev, rq->sectors, 0);
		r1_sync_buf_put(rq);
		return;
	}

	if (requested)
		r1_compare_copies(conf, rq);

	atomic_set(&rq->todo, 1);
	for (i = 0; i < r1_slots(conf); i++) {
		struct bio *b = rq->bios[i];
		struct md_rdev *rdev = conf->legs[i].rdev;

		if (!b->bi_end_io)
			continue;
		if (b->bi_end_io == r1_sync_read_endio &&
		    (i == rq->read_leg || !resync))
			continue;
		if (test_bit(Faulty, &rdev->flags)) {
			r1_sync_keep_bits(mddev, rq);
			continue;
		}
		b->bi_opf = REQ_OP_WRITE;
		if (test_bit(FailFast, &rdev->flags))
			b->bi_opf |= MD_FAILFAST;
		b->bi_end_io = r1_sync_write_endio;
		atomic_inc(&rq->todo);
		md_sync_acct(rdev->bdev, bio_sectors(b));
		submit_bio_noacct(b);
	}
	r1_sync_put_write(rq, true);
}

/*
 * The write of a resync block failed on @rdev: write it again page by
 * page, so that only the pages that still fail become bad blocks (or
 * fail the member when they cannot be recorded). Recording the whole
 * block, as in-tree md does, would hide the good copy this leg still
 * holds of its other pages when another leg has a bad block there.
 */
static void r1_sync_narrow_write_error(struct r1_req *rq,
				       struct md_rdev *rdev,
				       struct r1_sync_pages *set)
{
	sector_t pos = rq->sector;
	int left = rq->sectors, p;

	for (p = 0; left > 0; p++) {
		int n = min_t(int, left, PAGE_SIZE >> 9);

		r1_sync_page_io(rdev, pos, n, set->page[p], REQ_OP_WRITE);
		pos += n;
		left -= n;
	}
}

/**
 * r1_sync_write_done() - raid1d: a resync block had write errors or healed
 *                        bad blocks
 * @conf: array
 * @rq: the resync block
 */
void r1_sync_write_done(struct r1_array *conf, struct r1_req *rq)
{
	struct mddev *mddev = conf->mddev;
	int sectors = rq->sectors, i;

	for (i = 0; i < r1_slots(conf); i++) {
		struct bio *b = rq->bios[i];
		struct md_rdev *rdev = conf->legs[i].rdev;

		if (!b->bi_end_io)
			continue;
		if (!b->bi_status && test_bit(R1F_HEALED, &rq->flags))
			rdev_clear_badblocks(rdev, rq->sector, sectors, 0);
		if (b->bi_status && test_bit(R1F_WRITE_ERR, &rq->flags) &&
		    !test_bit(Faulty, &rdev->flags))
			r1_sync_narrow_write_error(rq, rdev, b->bi_private);
	}
	r1_sync_buf_put(rq);
	md_done_sync(mddev, sectors, 1);
}

/* Classify the legs for a resync block starting at @rq->sector. */
struct r1_sync_plan {
	int good;		/* sectors before the next bad block */
	int min_bad;		/* sectors bad on every readable leg */
	int readers;
	int writers;
	int src;
	bool degraded;
};

static void r1_sync_plan(struct r1_array *conf, struct r1_req *rq,
			 struct r1_sync_plan *pl)
{
	struct mddev *mddev = conf->mddev;
	sector_t at = rq->sector;
	int wm_src = -1, i;

	rcu_read_lock();
	for (i = 0; i < r1_slots(conf); i++) {
		struct md_rdev *rdev = r1_rdev_rcu(conf, i);
		struct bio *bio = rq->bios[i];
		sector_t first_bad = MaxSector;
		int bad;

		if (!rdev || test_bit(Faulty, &rdev->flags)) {
			if (i < conf->nlegs)
				pl->degraded = true;
			continue;
		}
		if (!test_bit(In_sync, &rdev->flags)) {
			bio->bi_opf = REQ_OP_WRITE;
			bio->bi_end_io = r1_sync_write_endio;
			pl->writers++;
		} else {
			if (is_badblock(rdev, at, pl->good, &first_bad, &bad)) {
				if (first_bad > at) {
					pl->good = first_bad - at;
				} else {
					bad -= at - first_bad;
					if (!pl->min_bad || pl->min_bad > bad)
						pl->min_bad = bad;
				}
			}
			if (at < first_bad) {
				if (test_bit(WriteMostly, &rdev->flags)) {
					if (wm_src < 0)
						wm_src = i;
				} else if (pl->src < 0) {
					pl->src = i;
				}
				bio->bi_opf = REQ_OP_READ;
				bio->bi_end_io = r1_sync_read_endio;
				pl->readers++;
			} else if (!test_bit(WriteErrorSeen, &rdev->flags) &&
				   test_bit(MD_RECOVERY_SYNC, &mddev->recovery) &&
				   !test_bit(MD_RECOVERY_CHECK,
					     &mddev->recovery)) {
				/* readable leg with a bad block here: fix it */
				bio->bi_opf = REQ_OP_WRITE;
				bio->bi_end_io = r1_sync_write_endio;
				pl->writers++;
			}
		}
		if (bio->bi_end_io) {
			atomic_inc(&rdev->nr_pending);
			bio->bi_iter.bi_sector = at + rdev->data_offset;
			bio_set_dev(bio, rdev->bdev);
			if (test_bit(FailFast, &rdev->flags))
				bio->bi_opf |= MD_FAILFAST;
		}
	}
	rcu_read_unlock();
	if (pl->src < 0)
		pl->src = wm_src;
}

/**
 * r1_sync_range() - md's sync_request: resync one block at @sector_nr
 * @mddev: array
 * @sector_nr: position
 * @max_sector: end of the pass (the member size; r1_sync_request() in
 *              r1_compat.h supplies it where md does not)
 * @skipped: set when the returned sectors were skipped, not synced
 *
 * Return: sectors handled, 0 to stop.
 */
sector_t r1_sync_range(struct mddev *mddev, sector_t sector_nr,
		       sector_t max_sector, int *skipped)
{
	struct r1_array *conf = mddev->private;
	bool requested = test_bit(MD_RECOVERY_REQUESTED, &mddev->recovery);
	struct r1_sync_plan pl = { .src = -1 };
	sector_t blocks = 0, done = 0;
	unsigned int bucket = r1_bucket(sector_nr);
	struct r1_req *rq;
	int i, p;

	if (!mempool_initialized(&conf->sync_pool) && r1_sync_pool_init(conf))
		return 0;

	if (sector_nr >= max_sector) {
		/* end of the pass (complete or aborted) */
		if (mddev->curr_resync < max_sector)
			r1_bitmap_end_sync(mddev, mddev->curr_resync, &blocks);
		else
			conf->fullsync = false;
		r1_bitmap_close_sync(mddev);
		r1_sync_stop(conf);
		return 0;
	}

	if (!mddev->bitmap && r1_resync_offset(mddev) == MaxSector &&
	    !requested && !conf->fullsync) {
		/* nothing can be out of sync */
		*skipped = 1;
		return max_sector - sector_nr;
	}
	if (!r1_bitmap_start_sync(mddev, sector_nr, &blocks, true) &&
	    !conf->fullsync && !requested) {
		/* clean chunk(s) */
		*skipped = 1;
		return blocks;
	}

	/* let waiting normal IO in before fencing its unit again */
	if (atomic_read(&conf->gate.blocked[bucket]))
		schedule_timeout_uninterruptible(1);
	r1_bitmap_cond_end_sync(mddev, sector_nr, false);

	if (r1_gate_raise(&conf->gate, bucket, &mddev->recovery,
			  MD_RECOVERY_INTR))
		return 0;

	rq = r1_sync_buf_get(conf);
	rq->mddev = mddev;
	rq->sector = sector_nr;
	rq->sectors = 0;
	rq->flags = BIT(R1F_SYNC);
	pl.good = r1_unit_room(sector_nr, R1_SYNC_SECTORS);
	r1_sync_plan(conf, rq, &pl);
	rq->read_leg = pl.src;

	if (!pl.readers && pl.min_bad > 0) {
		/* bad on every readable leg: mark it bad on the targets too */
		bool ok = true;

		for (i = 0; i < r1_slots(conf); i++)
			if (rq->bios[i]->bi_end_io == r1_sync_write_endio)
				ok = r1_record_bad(conf->legs[i].rdev,
						   sector_nr, pl.min_bad) && ok;
		set_bit(MD_SB_CHANGE_DEVS, &mddev->sb_flags);
		*skipped = 1;
		r1_sync_buf_put(rq);
		if (!ok) {
			conf->recovery_disabled = mddev->recovery_disabled;
			set_bit(MD_RECOVERY_INTR, &mddev->recovery);
			return 0;
		}
		return pl.min_bad;
	}
	if (pl.min_bad > 0 && pl.min_bad < pl.good)
		pl.good = pl.min_bad;
	/* in resync every readable leg but the source is a target too */
	if (test_bit(MD_RECOVERY_SYNC, &mddev->recovery) && pl.readers > 0)
		pl.writers += pl.readers - 1;
	if (!pl.writers || !pl.readers) {
		sector_t rv = (pl.min_bad > 0 ? sector_nr + pl.min_bad :
						max_sector) - sector_nr;

		*skipped = 1;
		r1_sync_buf_put(rq);
		return rv;
	}

	if (max_sector > mddev->resync_max)
		max_sector = mddev->resync_max;
	if (max_sector > sector_nr + pl.good)
		max_sector = sector_nr + pl.good;

	blocks = 0;
	for (p = 0; p < R1_SYNC_PAGES; p++) {
		struct r1_sync_pages *set;
		int len = PAGE_SIZE;

		if (sector_nr + (len >> 9) > max_sector)
			len = (max_sector - sector_nr) << 9;
		if (!len)
			break;
		if (!blocks) {
			if (!r1_bitmap_start_sync(mddev, sector_nr, &blocks,
						  pl.degraded) &&
			    !conf->fullsync && !requested)
				break;
			if ((len >> 9) > blocks)
				len = blocks << 9;
		}
		for (i = 0; i < r1_slots(conf); i++) {
			struct bio *bio = rq->bios[i];

			if (!bio->bi_end_io)
				continue;
			set = bio->bi_private;
			r1_bio_add_sized(bio, set->page[p], len);
		}
		done += len >> 9;
		sector_nr += len >> 9;
		blocks -= len >> 9;
	}
	rq->sectors = done;

	if (!done) {
		/* nothing to do after all (bitmap says clean) */
		r1_sync_buf_put(rq);
		*skipped = 1;
		return max_t(sector_t, blocks, 1);
	}

	if (requested) {
		int left = pl.readers;

		/* read everything and compare; rq may be gone after the
		 * last submission, so stop counting there
		 */
		atomic_set(&rq->todo, pl.readers);
		for (i = 0; i < r1_slots(conf) && left; i++) {
			struct bio *bio = rq->bios[i];

			if (bio->bi_end_io != r1_sync_read_endio)
				continue;
			left--;
			if (pl.readers == 1)
				bio->bi_opf &= ~MD_FAILFAST;
			md_sync_acct_bio(bio, done);
			submit_bio_noacct(bio);
		}
	} else {
		struct bio *bio = rq->bios[pl.src];

		atomic_set(&rq->todo, 1);
		if (pl.readers == 1)
			bio->bi_opf &= ~MD_FAILFAST;
		md_sync_acct_bio(bio, done);
		submit_bio_noacct(bio);
	}
	return done;
}
