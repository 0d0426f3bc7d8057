// SPDX-License-Identifier: GPL-2.0
/*
 * keel raid1: the read path.
 *
 * The balancer (r1_balance.c) picks one leg for a read; r1_choose_read()
 * gathers what it needs about each leg. A read that fails on a leg while
 * another copy exists goes to raid1d, which repairs the range
 * (r1_repair.c) and sends it through r1_read_request() again.
 */
/* "md/raid1:<array>: ..." as in-tree md prints it */
#define pr_fmt(fmt) "md/" KBUILD_MODNAME ":" fmt

#include <linux/slab.h>
#include <trace/events/block.h>

#include "raid1_keel.h"

/*
 * The first attempt of a read needs nothing but its clone: the clone
 * comes from conf->read_set, whose front pad holds a struct r1_read, so
 * a read costs one allocation and nothing has to be cleared. Only a read
 * that fails becomes a full r1_req (raid1d builds it, see
 * r1_read_to_req()); the retry goes through r1_read_request() again with that
 * r1_req, which remembers the legs that must not be tried again.
 */

/**
 * struct r1_read - a first read attempt, in the front pad of its clone
 * @conf: array
 * @master: the bio from above (the split part for split reads)
 * @sector: array sector
 * @sectors: length
 * @issued: r1_now() at issue, for the leg's latency average; 0: not timed
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

/*
 * The set gets an integrity pool too: md gives one to its own bio_set
 * when the members carry integrity data, and without one a clone's
 * integrity payload comes from kmalloc(), which can fail, leaving
 * r1_clone() nothing to return. From the pools a GFP_NOIO clone waits
 * rather than fails.
 */
int r1_read_set_init(struct bio_set *bs)
{
	int err = bioset_init(bs, BIO_POOL_SIZE,
			      offsetof(struct r1_read, clone), 0);

	if (!err)
		err = bioset_integrity_create(bs, BIO_POOL_SIZE);
	return err;
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
 * @issued: r1_now() at the choice if the read is timed, else 0
 */
struct r1_choice {
	int slot;
	int sectors;
	bool failfast;
	u64 issued;
};

/**
 * r1_choose_read() - pick the leg for a read
 * @conf: array
 * @retry: the request being retried, or NULL; legs it marked
 *         R1_LEG_BLOCKED are skipped
 * @sector: array sector
 * @sectors: length
 * @ch: the choice, filled in on success
 *
 * Gathers what r1_balance() needs about each usable leg (bad blocks,
 * resync window, latency, head position, queue) and records the pick in
 * the leg's statistics. In-tree: read_balance().
 *
 * Return: false when no leg can serve the first sector.
 */
static bool r1_choose_read(struct r1_array *conf, struct r1_req *retry,
			   sector_t sector, int sectors, struct r1_choice *ch)
{
	struct mddev *mddev = conf->mddev;
	struct r1_cand cand[R1_MAX_CANDS];
	struct md_rdev *who[R1_MAX_CANDS];
	int slot_of[R1_MAX_CANDS];
	bool first_only = r1_resync_offset(mddev) < sector + sectors;
	u64 now = r1_coarse_now();
	struct r1_leg_stats *st;
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
	st = &conf->legs[i].stats;
	conf->legs[i].seq_next = sector + pick.sectors;
	atomic64_set(&st->last_pick_ns, now);
	ch->slot = i;
	ch->sectors = pick.sectors;
	ch->failfast = readable > 1;
	ch->issued = 0;
	if (r1_lat_timed(pick.why, cand[pick.leg].lat_ns,
			 atomic64_inc_return(&st->picks[pick.why])))
		ch->issued = r1_now();
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
 * in the request's slot (r1_handle_read_error() puts it), and so does the
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
	struct bio *clone = r1_clone(rdev->bdev, bio, GFP_NOIO,
				     &conf->read_set);
	struct r1_read *rd = container_of(clone, struct r1_read, clone);

	rd->conf = conf;
	rd->sector = bio->bi_iter.bi_sector;
	rd->sectors = ch->sectors;
	rd->issued = ch->issued;
	rd->slot = ch->slot;
	rd->failfast = ch->failfast;
	/* may swap in md's accounting clone as the bio to complete */
	rd->acct_on = r1_io_acct_start(conf->mddev, &bio, &rd->acct);
	rd->master = bio;
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
	rq->issued = ch->issued;
	if (ch->failfast)
		set_bit(R1F_FAILFAST, &rq->flags);
	if (!test_bit(R1F_ACCT, &rq->flags) &&
	    r1_io_acct_retry(mddev, bio, &rq->acct))
		set_bit(R1F_ACCT, &rq->flags);
	clone = r1_clone(rdev->bdev, bio, GFP_NOIO | __GFP_HIGH,
			 &mddev->bio_set);
	rq->bios[ch->slot] = clone;
	clone->bi_end_io = r1_read_endio;
	clone->bi_private = rq;
	return clone;
}

/* Clone @bio for the chosen leg and send it there. */
static void r1_read_issue(struct r1_array *conf, struct bio *bio,
			  struct r1_req *retry, const struct r1_choice *ch)
{
	struct mddev *mddev = conf->mddev;
	struct md_rdev *rdev = conf->legs[ch->slot].rdev;
	sector_t sector = bio->bi_iter.bi_sector;
	struct bio *clone;

	if (retry)
		clone = r1_retry_read_clone(conf, bio, rdev, retry, ch);
	else
		clone = r1_fast_read_clone(conf, bio, rdev, ch);
	clone->bi_iter.bi_sector = sector + rdev->data_offset;
	clone->bi_opf = REQ_OP_READ | (bio->bi_opf & REQ_SYNC);
	if (ch->failfast && test_bit(FailFast, &rdev->flags))
		clone->bi_opf |= MD_FAILFAST;
	if (mddev->gendisk)
		trace_block_bio_remap(clone, disk_devt(mddev->gendisk), sector);
	atomic_inc(&conf->legs[ch->slot].stats.inflight);
	submit_bio_noacct(clone);
}

/**
 * r1_read_request() - start (or restart) a read
 * @mddev: array
 * @bio: the bio from above
 * @sectors: at most this many sectors (unit boundary)
 * @retry: the request being retried by raid1d after a failed read (it
 *	   still holds its place in the gate), or NULL
 *
 * Enters the gate (a first attempt), picks a leg, splits off what that
 * leg cannot serve and issues the clone: a bare r1_read clone for a first
 * attempt, a clone owned by @retry for a retry.
 *
 * A first attempt resubmits the split-off rest, which comes back through
 * md like any bio. raid1d (a retry) must not: md would hold the rest
 * while the array is suspended and the gate while it is frozen, and the
 * suspender's or freezer's wait for @retry to finish would never end
 * (in-tree raid1_read_request() has that deadlock). raid1d reads the
 * rest itself, piece by piece, each admitted beside @retry's place in
 * the gate (r1_gate_enter_held()) and finished as a first attempt.
 * In-tree: raid1_read_request().
 */
void r1_read_request(struct mddev *mddev, struct bio *bio, int sectors,
		     struct r1_req *retry)
{
	struct r1_array *conf = mddev->private;
	bool daemon = !!retry;
	gfp_t gfp = daemon ? GFP_NOIO | __GFP_HIGH : GFP_NOIO;
	bool nowait = !daemon && (bio->bi_opf & REQ_NOWAIT);
	sector_t sector = bio->bi_iter.bi_sector;
	struct r1_choice ch;

	/* a retry never left the gate: see r1_handle_read_error() */
	if (!retry &&
	    !r1_gate_enter(&conf->gate, r1_bucket(sector), false, nowait)) {
		bio_wouldblock_error(bio);
		return;
	}
	if (retry) {
		retry->master = bio;
		retry->sector = sector;
		retry->sectors = sectors;
		retry->flags &= BIT(R1F_ACCT);
	}

	for (;;) {
		struct bio *head;

		if (!r1_choose_read(conf, retry, sector, sectors, &ch)) {
			if (!retry) {
				bio_io_error(bio);
				r1_gate_leave(&conf->gate, r1_bucket(sector));
				return;
			}
			pr_crit_ratelimited("%s: no readable copy left for sector %llu\n",
					    mdname(mddev),
					    (unsigned long long)sector);
			r1_req_finish(retry);
			return;
		}

		/* A write-mostly leg may still be behind on acked writes. */
		if (test_bit(WriteMostly, &conf->legs[ch.slot].rdev->flags))
			r1_wait_behind_writes(mddev);

		if (ch.sectors >= bio_sectors(bio)) {
			r1_read_issue(conf, bio, retry, &ch);
			return;
		}

		head = bio_split(bio, ch.sectors, gfp, &conf->split_set);
		bio_chain(head, bio);
		if (!daemon) {
			submit_bio_noacct(bio);
			r1_read_issue(conf, head, NULL, &ch);
			return;
		}
		r1_read_issue(conf, head, retry, &ch);

		/* the rest: a first attempt of raid1d's own, same bucket */
		retry = NULL;
		sector = bio->bi_iter.bi_sector;
		sectors = bio_sectors(bio);
		r1_gate_enter_held(&conf->gate, r1_bucket(sector));
	}
}
