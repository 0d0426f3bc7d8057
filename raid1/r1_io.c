// SPDX-License-Identifier: GPL-2.0
/*
 * keel raid1: the request path.
 *
 * A bio from above becomes an r1_req. Reads are sent to one leg picked
 * by the balancer; writes are cloned to every working leg. Requests are
 * clipped to one 64 MiB unit (the gate works per unit) and further to
 * what the chosen legs can take around bad blocks; the rest of the bio
 * is resubmitted and comes back through r1_make_request().
 *
 * With a write-intent bitmap the data writes must not reach the legs
 * before the bitmap bits that cover them are on disk, so write clones are
 * collected on the caller's plug (or on conf->queued_writes, flushed by
 * raid1d) and only sent after md_bitmap_unplug().
 */
/* "md/raid1:<array>: ..." as in-tree md prints it */
#define pr_fmt(fmt) "md/" KBUILD_MODNAME ":" fmt

#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/interval_tree_generic.h>
#include <trace/events/block.h>

#include "raid1_keel.h"

static void *r1_req_alloc_fn(gfp_t gfp, void *data)
{
	struct r1_pool_geom *geom = data;
	struct r1_req *rq;

	return kzalloc(struct_size(rq, bios, geom->slots), gfp);
}

static void r1_req_free_fn(void *element, void *data)
{
	kfree(element);
}

int r1_req_pool_init(mempool_t *pool, struct r1_pool_geom *geom)
{
	return mempool_init(pool, R1_REQ_RESERVE, r1_req_alloc_fn,
			    r1_req_free_fn, geom);
}

static struct r1_req *r1_req_get(struct r1_array *conf, struct bio *bio,
				 int sectors)
{
	struct r1_req *rq = mempool_alloc(&conf->req_pool, GFP_NOIO);

	memset(rq->bios, 0, r1_slots(conf) * sizeof(rq->bios[0]));
	rq->mddev = conf->mddev;
	rq->master = bio;
	rq->sector = bio->bi_iter.bi_sector;
	rq->sectors = sectors;
	rq->flags = 0;
	rq->read_leg = -1;
	rq->behind = NULL;
	return rq;
}

void r1_req_free(struct r1_req *rq)
{
	struct r1_array *conf = rq->mddev->private;
	int i;

	for (i = 0; i < r1_slots(conf); i++) {
		if (!r1_marker(rq->bios[i]))
			bio_put(rq->bios[i]);
		rq->bios[i] = NULL;
	}
	mempool_free(rq, &conf->req_pool);
}

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

static void r1_end_master(struct r1_req *rq)
{
	struct bio *bio = rq->master;

	if (!test_bit(R1F_UPTODATE, &rq->flags))
		bio->bi_status = BLK_STS_IOERR;
	if (test_bit(R1F_ACCT, &rq->flags))
		bio_end_io_acct(bio, rq->acct);
	bio_endio(bio);
}

/**
 * r1_req_finish() - complete the master bio (once) and release @rq
 * @rq: a normal (not resync) request
 *
 * Leaves the gate: every normal request entered it exactly once.
 */
void r1_req_finish(struct r1_req *rq)
{
	struct r1_array *conf = rq->mddev->private;
	sector_t sector = rq->sector;

	if (!test_and_set_bit(R1F_ENDED, &rq->flags))
		r1_end_master(rq);
	r1_req_free(rq);
	r1_gate_leave(&conf->gate, r1_bucket(sector));
}

/* Hand @rq to raid1d; while it waits there it does not block a freeze. */
void r1_to_raid1d(struct r1_req *rq)
{
	struct mddev *mddev = rq->mddev;
	struct r1_array *conf = mddev->private;
	unsigned long flags;

	spin_lock_irqsave(&conf->lock, flags);
	list_add_tail(&rq->node, &conf->retry);
	r1_gate_park(&conf->gate, r1_bucket(rq->sector));
	spin_unlock_irqrestore(&conf->lock, flags);
	md_wakeup_thread(mddev->thread);
}

/*
 * Reads.
 *
 * The first attempt of a read needs nothing but its clone: the clone
 * comes from conf->read_set, whose front pad holds a struct r1_read, so
 * a read costs one allocation and nothing has to be cleared. Only a read
 * that fails becomes a full r1_req (raid1d builds it, see
 * r1_read_to_req()); the retry goes through r1_read() again with that
 * r1_req, which remembers the legs that must not be tried again.
 */

/**
 * struct r1_read - a first read attempt, in the front pad of its clone
 * @conf: array
 * @master: the bio from above (the split part for split reads)
 * @sector: array sector
 * @sectors: length
 * @issued: r1_now() at issue, for the leg's latency average
 * @acct: IO accounting start time, if @acct_on
 * @slot: leg the clone went to
 * @acct_on: IO accounting started on @master
 * @failfast: another readable leg existed when the leg was chosen
 * @clone: the clone itself; must stay last
 */
struct r1_read {
	struct r1_array *conf;
	struct bio *master;
	sector_t sector;
	int sectors;
	u64 issued;
	unsigned long acct;
	int slot;
	bool acct_on;
	bool failfast;
	struct bio clone;
};

int r1_read_set_init(struct bio_set *bs)
{
	return bioset_init(bs, BIO_POOL_SIZE, offsetof(struct r1_read, clone),
			   0);
}

/*
 * Enough candidates for four legs with replacements; legs beyond that are
 * still used, but only the first ones that can serve are compared.
 */
#define R1_MAX_CANDS	8

/**
 * struct r1_choice - where a read goes
 * @slot: the leg (its rdev->nr_pending raised)
 * @sectors: how much of the read that leg can serve
 * @failfast: another readable leg exists, the read may fail fast
 * @now: r1_now() at the choice
 */
struct r1_choice {
	int slot;
	int sectors;
	bool failfast;
	u64 now;
};

/*
 * Pick the leg for a read of @sectors at @sector. @retry, when set, is the
 * request being retried: legs it marked R1_LEG_BLOCKED are skipped.
 * Returns false when no leg can serve the first sector.
 */
static bool r1_choose_read(struct r1_array *conf, struct r1_req *retry,
			   sector_t sector, int sectors, struct r1_choice *ch)
{
	struct mddev *mddev = conf->mddev;
	struct r1_cand cand[R1_MAX_CANDS];
	struct md_rdev *who[R1_MAX_CANDS];
	int slot_of[R1_MAX_CANDS];
	bool first_only = mddev->recovery_cp < sector + sectors;
	u64 now = r1_now();
	struct r1_pick pick;
	int i, n = 0, readable = 0;

	rcu_read_lock();
	for (i = 0; i < r1_slots(conf) && n < R1_MAX_CANDS; i++) {
		struct md_rdev *rdev = r1_rdev_rcu(conf, i);
		struct r1_leg *leg = &conf->legs[i];
		struct r1_cand *c = &cand[n];
		sector_t first_bad;
		int bad, good = sectors;

		if (!rdev || test_bit(Faulty, &rdev->flags) ||
		    (retry && retry->bios[i] == R1_LEG_BLOCKED))
			continue;
		if (!test_bit(In_sync, &rdev->flags) &&
		    rdev->recovery_offset < sector + sectors)
			continue;
		if (is_badblock(rdev, sector, sectors, &first_bad, &bad)) {
			if (first_bad <= sector) {
				/*
				 * Inside the resync window the copies may
				 * differ: do not read past this bad range
				 * from a leg further down the list.
				 */
				bad -= sector - first_bad;
				if (first_only && sectors > bad)
					sectors = bad;
				continue;
			}
			good = first_bad - sector;
		}
		c->good = good;
		c->lat_ns = atomic64_read(&leg->stats.lat_ns);
		c->idle_ns = r1_since(atomic64_read(&leg->stats.last_pick_ns),
				      now);
		c->dist = sector > leg->head ? sector - leg->head :
					       leg->head - sector;
		c->inflight = atomic_read(&rdev->nr_pending);
		c->seq = leg->seq_next == sector;
		c->write_mostly = test_bit(WriteMostly, &rdev->flags);
		c->nonrot = bdev_nonrot(rdev->bdev);
		if (!c->write_mostly)
			readable++;
		who[n] = rdev;
		slot_of[n] = i;
		n++;
	}
	for (i = 0; i < n; i++)
		cand[i].good = min(cand[i].good, sectors);

	r1_balance(cand, n, sectors, first_only, &pick);
	if (pick.leg < 0) {
		rcu_read_unlock();
		return false;
	}
	atomic_inc(&who[pick.leg]->nr_pending);
	rcu_read_unlock();

	i = slot_of[pick.leg];
	conf->legs[i].seq_next = sector + pick.sectors;
	atomic64_set(&conf->legs[i].stats.last_pick_ns, now);
	atomic64_inc(&conf->legs[i].stats.picks[pick.why]);
	ch->slot = i;
	ch->sectors = pick.sectors;
	ch->failfast = readable > 1;
	ch->now = now;
	return true;
}

/*
 * A read failed on @rdev. Should raid1d try another leg? Not when this
 * was the last copy: then the error goes up as it is (retrying would only
 * fail the last leg). A fail-fast read always gets its retry.
 */
static bool r1_read_retryable(struct r1_array *conf, struct md_rdev *rdev,
			      bool failfast)
{
	struct mddev *mddev = conf->mddev;
	unsigned long flags;
	bool last;

	if (failfast && test_bit(FailFast, &rdev->flags))
		return true;
	spin_lock_irqsave(&conf->lock, flags);
	last = mddev->degraded == conf->nlegs ||
	       (mddev->degraded == conf->nlegs - 1 &&
		test_bit(In_sync, &rdev->flags));
	spin_unlock_irqrestore(&conf->lock, flags);
	return !last;
}

static void r1_read_failed_msg(struct mddev *mddev, struct md_rdev *rdev,
			       sector_t sector)
{
	pr_err_ratelimited("%s: %pg: read failed at sector %llu, trying again\n",
			   mdname(mddev), rdev->bdev,
			   (unsigned long long)sector);
}

/* Completion of a retried read (one that has an r1_req). */
static void r1_read_endio(struct bio *bio)
{
	struct r1_req *rq = bio->bi_private;
	struct mddev *mddev = rq->mddev;
	struct r1_array *conf = mddev->private;
	struct r1_leg *leg = &conf->legs[rq->read_leg];
	struct md_rdev *rdev = leg->rdev;
	bool ok = !bio->bi_status;

	leg->head = rq->sector + rq->sectors;
	r1_stats_read_done(leg, rq->issued, rq->sectors, ok);

	if (ok || !r1_read_retryable(conf, rdev,
				     test_bit(R1F_FAILFAST, &rq->flags))) {
		if (ok)
			set_bit(R1F_UPTODATE, &rq->flags);
		r1_req_finish(rq);
		rdev_dec_pending(rdev, mddev);
		return;
	}
	r1_read_failed_msg(mddev, rdev, rq->sector);
	/* raid1d keeps our reference on rdev until it has dealt with it */
	set_bit(R1F_READ_ERR, &rq->flags);
	r1_to_raid1d(rq);
}

/* Completion of a first read attempt. */
static void r1_fast_read_endio(struct bio *clone)
{
	struct r1_read *rd = container_of(clone, struct r1_read, clone);
	struct r1_array *conf = rd->conf;
	struct mddev *mddev = conf->mddev;
	struct r1_leg *leg = &conf->legs[rd->slot];
	struct md_rdev *rdev = leg->rdev;
	struct bio *master = rd->master;
	unsigned int bucket = r1_bucket(rd->sector);
	bool ok = !clone->bi_status;
	unsigned long flags;

	leg->head = rd->sector + rd->sectors;
	r1_stats_read_done(leg, rd->issued, rd->sectors, ok);

	if (!ok && r1_read_retryable(conf, rdev, rd->failfast)) {
		r1_read_failed_msg(mddev, rdev, rd->sector);
		/* raid1d turns it into an r1_req; it keeps the rdev ref */
		spin_lock_irqsave(&conf->lock, flags);
		bio_list_add(&conf->failed_reads, clone);
		r1_gate_park(&conf->gate, bucket);
		spin_unlock_irqrestore(&conf->lock, flags);
		md_wakeup_thread(mddev->thread);
		return;
	}
	if (!ok)
		master->bi_status = BLK_STS_IOERR;
	if (rd->acct_on)
		bio_end_io_acct(master, rd->acct);
	bio_put(clone);
	bio_endio(master);
	r1_gate_leave(&conf->gate, bucket);
	rdev_dec_pending(rdev, mddev);
}

/* Array sector of a first read attempt (raid1d's gate accounting). */
sector_t r1_read_sector(struct bio *clone)
{
	return container_of(clone, struct r1_read, clone)->sector;
}

/**
 * r1_read_to_req() - turn a failed first read attempt into an r1_req
 * @conf: array
 * @clone: the failed clone, taken off conf->failed_reads
 *
 * Called by raid1d, which may sleep for the allocation. The clone stays
 * in the request's slot (r1_read_retry() puts it), and so does the
 * reference on the leg's rdev.
 *
 * Return: the request, flagged R1F_READ_ERR.
 */
struct r1_req *r1_read_to_req(struct r1_array *conf, struct bio *clone)
{
	struct r1_read *rd = container_of(clone, struct r1_read, clone);
	struct r1_req *rq = r1_req_get(conf, rd->master, rd->sectors);

	rq->sector = rd->sector;
	rq->read_leg = rd->slot;
	rq->issued = rd->issued;
	if (rd->acct_on) {
		rq->acct = rd->acct;
		set_bit(R1F_ACCT, &rq->flags);
	}
	if (rd->failfast)
		set_bit(R1F_FAILFAST, &rq->flags);
	set_bit(R1F_READ_ERR, &rq->flags);
	rq->bios[rd->slot] = clone;
	return rq;
}

/*
 * A first attempt: account it and clone it into its own r1_read.
 * Returns the clone with its end_io set.
 */
static struct bio *r1_fast_read_clone(struct r1_array *conf, struct bio *bio,
				      struct md_rdev *rdev,
				      const struct r1_choice *ch)
{
	struct bio *clone = bio_alloc_clone(rdev->bdev, bio, GFP_NOIO,
					    &conf->read_set);
	struct r1_read *rd = container_of(clone, struct r1_read, clone);

	rd->conf = conf;
	rd->master = bio;
	rd->sector = bio->bi_iter.bi_sector;
	rd->sectors = ch->sectors;
	rd->issued = ch->now;
	rd->slot = ch->slot;
	rd->failfast = ch->failfast;
	rd->acct_on = blk_queue_io_stat(bio->bi_bdev->bd_disk->queue);
	if (rd->acct_on)
		rd->acct = bio_start_io_acct(bio);
	clone->bi_end_io = r1_fast_read_endio;
	clone->bi_private = rd;
	return clone;
}

/* A retry: the r1_req carries accounting and flags. */
static struct bio *r1_retry_read_clone(struct r1_array *conf, struct bio *bio,
				       struct md_rdev *rdev, struct r1_req *rq,
				       const struct r1_choice *ch)
{
	struct mddev *mddev = conf->mddev;
	struct bio *clone;

	pr_info_ratelimited("%s: redirecting sector %llu to %pg\n",
			    mdname(mddev), (unsigned long long)rq->sector,
			    rdev->bdev);
	rq->master = bio;
	rq->sectors = ch->sectors;
	rq->read_leg = ch->slot;
	rq->issued = ch->now;
	if (ch->failfast)
		set_bit(R1F_FAILFAST, &rq->flags);
	if (!test_bit(R1F_ACCT, &rq->flags) &&
	    blk_queue_io_stat(bio->bi_bdev->bd_disk->queue)) {
		rq->acct = bio_start_io_acct(bio);
		set_bit(R1F_ACCT, &rq->flags);
	}
	clone = bio_alloc_clone(rdev->bdev, bio, GFP_NOIO | __GFP_HIGH,
				&mddev->bio_set);
	rq->bios[ch->slot] = clone;
	clone->bi_end_io = r1_read_endio;
	clone->bi_private = rq;
	return clone;
}

/**
 * r1_read() - start (or restart) a read
 * @mddev: array
 * @bio: the bio from above
 * @sectors: at most this many sectors (unit boundary)
 * @retry: the request being retried by raid1d after a failed read, or NULL
 */
void r1_read(struct mddev *mddev, struct bio *bio, int sectors,
	     struct r1_req *retry)
{
	struct r1_array *conf = mddev->private;
	gfp_t gfp = retry ? GFP_NOIO | __GFP_HIGH : GFP_NOIO;
	bool nowait = !retry && (bio->bi_opf & REQ_NOWAIT);
	sector_t sector = bio->bi_iter.bi_sector;
	struct r1_choice ch;
	struct md_rdev *rdev;
	struct bio *clone;

	if (!r1_gate_enter(&conf->gate, r1_bucket(sector), false, nowait)) {
		bio_wouldblock_error(bio);
		return;
	}
	if (retry) {
		retry->master = bio;
		retry->sector = sector;
		retry->sectors = sectors;
		retry->flags &= BIT(R1F_ACCT);
	}

	if (!r1_choose_read(conf, retry, sector, sectors, &ch)) {
		if (!retry) {
			bio_io_error(bio);
			r1_gate_leave(&conf->gate, r1_bucket(sector));
			return;
		}
		pr_crit_ratelimited("%s: no readable copy left for sector %llu\n",
				    mdname(mddev), (unsigned long long)sector);
		r1_req_finish(retry);
		return;
	}
	rdev = conf->legs[ch.slot].rdev;

	/* A write-mostly leg may still be behind on writes already acked. */
	if (test_bit(WriteMostly, &rdev->flags) && mddev->bitmap)
		wait_event(mddev->bitmap->behind_wait,
			   !atomic_read(&mddev->bitmap->behind_writes));

	if (ch.sectors < bio_sectors(bio)) {
		struct bio *head = bio_split(bio, ch.sectors, gfp,
					     &conf->split_set);

		bio_chain(head, bio);
		submit_bio_noacct(bio);
		bio = head;
	}

	if (retry)
		clone = r1_retry_read_clone(conf, bio, rdev, retry, &ch);
	else
		clone = r1_fast_read_clone(conf, bio, rdev, &ch);
	clone->bi_iter.bi_sector = sector + rdev->data_offset;
	clone->bi_opf = REQ_OP_READ | (bio->bi_opf & REQ_SYNC);
	if (ch.failfast && test_bit(FailFast, &rdev->flags))
		clone->bi_opf |= MD_FAILFAST;
	if (mddev->gendisk)
		trace_block_bio_remap(clone, disk_devt(mddev->gendisk), sector);
	atomic_inc(&conf->legs[ch.slot].stats.inflight);
	submit_bio_noacct(clone);
}

/*
 * Write serialisation (serialize_policy, or write-behind with
 * CollisionCheck): overlapping writes to one rdev are issued one at a time
 * so that the legs cannot end up with different "last writer".
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
	return rq->mddev->serialize_policy;
}

/*
 * Writes.
 */

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
	md_bitmap_unplug(conf->mddev->bitmap);
	r1_gate_kick(&conf->gate);
	while (bio) {
		struct bio *next = bio->bi_next;

		r1_send_write(bio);
		bio = next;
		cond_resched();
	}
}

/* raid1d (and freezers): push out writes parked for the bitmap. */
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

	if (!md_bitmap_enabled(mddev->bitmap)) {
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

/* All clones done (or failed): bitmap bookkeeping and md accounting. */
void r1_close_write(struct r1_req *rq)
{
	bool behind = test_bit(R1F_BEHIND, &rq->flags);

	if (behind && rq->behind) {
		bio_free_pages(rq->behind);
		bio_put(rq->behind);
		rq->behind = NULL;
	}
	md_bitmap_endwrite(rq->mddev->bitmap, rq->sector, rq->sectors,
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
		bio_add_page(copy, page, len, 0);
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

/*
 * Write-behind unless over the backlog or a reader of a write-mostly leg
 * waits for the behind writes to drain. The waitqueue_active() peek is
 * racy on purpose: it only decides whether to copy the data, both
 * answers are safe.
 */
static bool r1_behind_ok(struct mddev *mddev, struct bitmap *bitmap)
{
	if (atomic_read(&bitmap->behind_writes) >=
	    mddev->bitmap_info.max_write_behind)
		return false;
	/* racy peek, see above */
	return !waitqueue_active(&bitmap->behind_wait);
}

static bool r1_write(struct mddev *mddev, struct bio *bio, int sectors)
{
	struct r1_array *conf = mddev->private;
	struct bitmap *bitmap = mddev->bitmap;
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
		r1_gate_leave(&conf->gate, bucket);
		if (nowait) {
			rdev_dec_pending(blocked, mddev);
			r1_req_free(rq);
			bio_wouldblock_error(bio);
			return false;
		}
		md_wait_for_blocked_rdev(blocked, mddev);
		r1_gate_enter(&conf->gate, bucket, true, false);
	}

	/* A behind copy is allocated page by page into a single bio. */
	if (has_wm && bitmap)
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

	if (blk_queue_io_stat(bio->bi_bdev->bd_disk->queue)) {
		rq->acct = bio_start_io_acct(bio);
		set_bit(R1F_ACCT, &rq->flags);
	}
	atomic_set(&rq->todo, 1);
	atomic_set(&rq->behind_todo, 0);

	/* write-behind: see r1_behind_ok() */
	if (has_wm && bitmap && r1_behind_ok(mddev, bitmap))
		r1_copy_behind(rq, bio);
	md_bitmap_startwrite(bitmap, rq->sector, rq->sectors,
			     test_bit(R1F_BEHIND, &rq->flags));

	for (i = 0; i < r1_slots(conf); i++) {
		struct md_rdev *rdev = conf->legs[i].rdev;
		struct bio *clone;

		if (!rq->bios[i])
			continue;
		if (test_bit(R1F_BEHIND, &rq->flags)) {
			clone = bio_alloc_clone(rdev->bdev, rq->behind,
						GFP_NOIO, &mddev->bio_set);
			if (test_bit(WriteMostly, &rdev->flags))
				atomic_inc(&rq->behind_todo);
		} else {
			clone = bio_alloc_clone(rdev->bdev, bio, GFP_NOIO,
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

/**
 * r1_make_request() - md's entry point for every bio sent to the array
 * @mddev: array
 * @bio: request
 *
 * Return: false only when md_write_start() refused (array suspended for
 * a metadata update); md core then retries the bio.
 */
bool r1_make_request(struct mddev *mddev, struct bio *bio)
{
	sector_t len;

	if (unlikely(bio->bi_opf & REQ_PREFLUSH) &&
	    md_flush_request(mddev, bio))
		return true;

	if (unlikely(!bio_sectors(bio))) {
		bio_endio(bio);
		return true;
	}
	len = r1_unit_room(bio->bi_iter.bi_sector, bio_sectors(bio));

	if (bio_data_dir(bio) == READ) {
		r1_read(mddev, bio, len, NULL);
		return true;
	}
	if (!md_write_start(mddev, bio))
		return false;
	if (!r1_write(mddev, bio, len))
		md_write_end(mddev);
	return true;
}
