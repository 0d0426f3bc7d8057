// SPDX-License-Identifier: GPL-2.0
/*
 * keel raid1: request descriptors and the entry point.
 *
 * A bio from above becomes an r1_req (struct r1_req, from conf->req_pool)
 * or, for the first attempt of a read, just a clone with a struct r1_read
 * in front (r1_read.c). r1_make_request() clips the bio to one 64 MiB
 * unit (the gate works per unit) and hands it to r1_read_request() or
 * r1_write_request(); what they cannot take at once (bad blocks, a leg's
 * limits) they split off and resubmit, and it comes back here.
 *
 * Every normal request enters the gate once and leaves it in
 * r1_req_finish(); while it waits on raid1d's lists it is parked
 * (r1_to_raid1d()) so that it does not hold up a freeze.
 */
#include <linux/slab.h>

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

/**
 * r1_req_get() - a cleared request descriptor for @bio
 * @conf: array
 * @bio: the bio from above
 * @sectors: how much of it the request covers
 *
 * Context: may sleep (mempool, GFP_NOIO); never fails.
 * Return: the request; r1_req_free() or r1_req_finish() releases it.
 */
struct r1_req *r1_req_get(struct r1_array *conf, struct bio *bio, int sectors)
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

/**
 * r1_end_master() - complete the bio from above
 * @rq: its request; R1F_UPTODATE decides the status
 *
 * Callers make sure this runs once (R1F_ENDED): write-behind may end the
 * master before the request is done. In-tree: call_bio_endio().
 */
void r1_end_master(struct r1_req *rq)
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
 * In-tree: raid_end_bio_io().
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

/**
 * r1_to_raid1d() - hand @rq to raid1d (conf->retry)
 * @rq: a request with an error, a healed bad block or a resync block
 *
 * The request is parked in the gate while it waits, so that it does not
 * block a freeze. In-tree: reschedule_retry().
 */
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
		r1_read_request(mddev, bio, len, NULL);
		return true;
	}
	if (!r1_write_start(mddev, bio))
		return false;
	if (!r1_write_request(mddev, bio, len))
		md_write_end(mddev);
	return true;
}
