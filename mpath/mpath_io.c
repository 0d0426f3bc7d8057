// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: the I/O path.  Request-based maps clone each request
 * onto the chosen path and hand path errors back to dm core for a
 * requeue; bio-based maps remap the bio itself and keep bios that wait
 * for a path or for pg_init on the map's list, resubmitted by kmpathd.
 * Path choice and failure handling are in mpath_pg.c.
 */
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/sched/clock.h>

#include "mpath.h"

/* rq mode: I/O with no path waits in dm's requeue list, or fails */
static bool mp_rq_hold(struct mp_map *m)
{
	unsigned long irqf;
	bool hold;

	spin_lock_irqsave(&m->lock, irqf);
	hold = test_bit(MPATHF_QUEUE_IF_NO_PATH, &m->flags) ||
	       dm_noflush_suspending(m->ti);
	spin_unlock_irqrestore(&m->lock, irqf);
	return hold;
}

static void mp_report_eio(struct mp_map *m)
{
	DMDEBUG_LIMIT("%s: returning EIO; QIFNP = %d; SQIFNP = %d; DNFS = %d",
		      dm_table_device_name(m->ti->table),
		      test_bit(MPATHF_QUEUE_IF_NO_PATH, &m->flags),
		      test_bit(MPATHF_SAVED_QUEUE_IF_NO_PATH, &m->flags),
		      dm_noflush_suspending(m->ti));
}

static struct mp_path *mp_current_or_choose(struct mp_map *m, size_t bytes)
{
	struct mp_path *p = READ_ONCE(m->cur_path);

	/*
	 * While I/O is held for pg_init the current path only tells the
	 * caller that a path exists; otherwise every I/O asks the selector.
	 */
	if (!p || !mp_flag_locked(m, MPATHF_QUEUE_IO))
		p = mp_choose_path(m, bytes);
	return p;
}

static bool mp_must_wait_pg_init(struct mp_map *m)
{
	return mp_flag_locked(m, MPATHF_QUEUE_IO) ||
	       mp_flag_locked(m, MPATHF_PG_INIT_REQUIRED);
}

static void mp_io_start(struct mp_path *p, struct mp_io *io, size_t bytes)
{
	struct mp_selector *sel = &p->grp->sel;

	io->path = p;
	io->nr_bytes = bytes;
	io->start_ns = sel->type->want_start_time || mp_stats_sample(p) ?
		       local_clock() : 0;
	if (sel->type->start_io)
		sel->type->start_io(sel, &p->psp, bytes);
}

static void mp_io_done(struct mp_io *io, bool error)
{
	struct mp_path *p = io->path;
	struct mp_selector *sel;

	if (!p)
		return;
	sel = &p->grp->sel;
	if (sel->type->end_io)
		sel->type->end_io(sel, &p->psp, io->nr_bytes, io->start_ns);
	mp_stats_account(p, io->nr_bytes, io->start_ns, error);
}

/**
 * mp_clone_and_map() - map one request of a request-based map.
 * @ti:          the multipath target
 * @rq:          the original request
 * @map_context: per-request data; ->ptr is this request's &struct mp_io
 * @clone_out:   the clone allocated on the chosen path's queue
 *
 * With no usable path the request waits in dm's requeue list while
 * queue_if_no_path (or a noflush suspend) holds it, else it fails.  While
 * a pg_init is due or running it is requeued after kicking the pg_init.
 * A dying path queue fails the path through the pg_init machinery; a
 * path out of tags is a plain requeue so blk-mq reruns the queue.
 *
 * Return: DM_MAPIO_REMAPPED (@clone_out set), DM_MAPIO_REQUEUE,
 * DM_MAPIO_DELAY_REQUEUE or DM_MAPIO_KILL.
 */
int mp_clone_and_map(struct dm_target *ti, struct request *rq,
			    union map_info *map_context,
			    struct request **clone_out)
{
	struct mp_map *m = ti->private;
	struct mp_io *io = map_context->ptr;
	size_t bytes = blk_rq_bytes(rq);
	struct request_queue *q;
	struct request *clone;
	struct mp_path *p;

	io->path = NULL;
	p = mp_current_or_choose(m, bytes);
	if (!p) {
		if (mp_rq_hold(m))
			return DM_MAPIO_DELAY_REQUEUE;
		mp_report_eio(m);
		return DM_MAPIO_KILL;
	}
	if (mp_must_wait_pg_init(m)) {
		mp_pg_init_all(m);
		return DM_MAPIO_DELAY_REQUEUE;
	}

	q = bdev_get_queue(p->dev->bdev);
	clone = blk_mq_alloc_request(q, rq->cmd_flags | REQ_NOMERGE,
				     BLK_MQ_REQ_NOWAIT);
	if (IS_ERR(clone)) {
		if (blk_queue_dying(q)) {
			/* the device is going away: fail it via pg_init */
			atomic_inc(&m->pg_init_in_progress);
			mp_activate_or_offline(p);
			return DM_MAPIO_DELAY_REQUEUE;
		}
		/* out of tags: let blk-mq see the busy queue and rerun */
		return DM_MAPIO_REQUEUE;
	}
	clone->bio = NULL;
	clone->biotail = NULL;
	clone->cmd_flags |= REQ_FAILFAST_TRANSPORT;
	*clone_out = clone;
	mp_io_start(p, io, bytes);
	return DM_MAPIO_REMAPPED;
}

/**
 * mp_release_clone() - free a clone dm core did not dispatch.
 * @clone:       the clone from mp_clone_and_map()
 * @map_context: non-NULL while still inside the map call: the selector's
 *               in-flight accounting is undone too
 */
void mp_release_clone(struct request *clone,
			     union map_info *map_context)
{
	/* still inside clone_and_map's caller: undo the accounting */
	if (unlikely(map_context)) {
		struct mp_io *io = map_context->ptr;
		struct mp_path *p = io->path;

		if (p && p->grp->sel.type->end_io)
			p->grp->sel.type->end_io(&p->grp->sel, &p->psp,
						 io->nr_bytes, io->start_ns);
		io->path = NULL;
	}
	blk_mq_free_request(clone);
}

/**
 * mp_rq_end_io() - completion of a request-based clone.
 * @ti:          the multipath target
 * @clone:       the completed clone
 * @error:       its status
 * @map_context: per-request data (&struct mp_io)
 *
 * A path error fails the path and asks dm core to requeue the original
 * (delayed for BLK_STS_RESOURCE); with no valid path left and nothing
 * holding I/O the error is returned instead.
 *
 * Return: DM_ENDIO_DONE, DM_ENDIO_REQUEUE or DM_ENDIO_DELAY_REQUEUE.
 */
int mp_rq_end_io(struct dm_target *ti, struct request *clone,
			blk_status_t error, union map_info *map_context)
{
	struct mp_io *io = map_context->ptr;
	struct mp_map *m = ti->private;
	int r = DM_ENDIO_DONE;

	/*
	 * Path errors go back to dm core, which re-clones the original
	 * request later; nothing is queued in the target.
	 */
	if (error && blk_path_error(error)) {
		r = error == BLK_STS_RESOURCE ? DM_ENDIO_DELAY_REQUEUE :
						 DM_ENDIO_REQUEUE;
		if (io->path)
			mp_fail_path(io->path);
		if (!atomic_read(&m->nr_valid) && !mp_rq_hold(m)) {
			if (error == BLK_STS_IOERR)
				mp_report_eio(m);
			r = DM_ENDIO_DONE;
		}
	}
	mp_io_done(io, error != BLK_STS_OK);
	return r;
}

static struct mp_bio_io *mp_bio_data(struct bio *bio)
{
	return dm_per_bio_data(bio, sizeof(struct mp_bio_io));
}

static void mp_bio_save(struct mp_bio_saved *s, struct bio *bio)
{
	s->bdev = bio->bi_bdev;
	s->bi_flags = bio->bi_flags;
	s->iter = bio->bi_iter;
	s->remaining = atomic_read(&bio->__bi_remaining);
	s->end_io = bio->bi_end_io;
#if defined(CONFIG_BLK_DEV_INTEGRITY)
	s->integrity = bio_integrity(bio);
#endif
}

static void mp_bio_restore(struct mp_bio_saved *s, struct bio *bio)
{
	bio->bi_bdev = s->bdev;
	bio->bi_flags = s->bi_flags;
	bio->bi_iter = s->iter;
	atomic_set(&bio->__bi_remaining, s->remaining);
	bio->bi_end_io = s->end_io;
#if defined(CONFIG_BLK_DEV_INTEGRITY)
	bio->bi_integrity = s->integrity;
#endif
}

/* m->lock held */
static void __mp_queue_bio(struct mp_map *m, struct bio *bio)
{
	lockdep_assert_held(&m->lock);
	bio_list_add(&m->queued, bio);
	if (!test_bit(MPATHF_QUEUE_IO, &m->flags))
		queue_work(mp_wq, &m->bio_work);
}

static void mp_queue_bio(struct mp_map *m, struct bio *bio)
{
	unsigned long irqf;

	spin_lock_irqsave(&m->lock, irqf);
	__mp_queue_bio(m, bio);
	spin_unlock_irqrestore(&m->lock, irqf);
}

static int mp_map_bio_io(struct mp_map *m, struct bio *bio,
			 struct mp_io *io)
{
	unsigned long irqf;
	struct mp_path *p;

	io->path = NULL;
	p = mp_current_or_choose(m, io->nr_bytes);
	if (!p) {
		bool queued = false;

		spin_lock_irqsave(&m->lock, irqf);
		if (test_bit(MPATHF_QUEUE_IF_NO_PATH, &m->flags)) {
			__mp_queue_bio(m, bio);
			queued = true;
		}
		spin_unlock_irqrestore(&m->lock, irqf);
		if (queued)
			return DM_MAPIO_SUBMITTED;
		if (dm_noflush_suspending(m->ti))
			return DM_MAPIO_REQUEUE;
		mp_report_eio(m);
		return DM_MAPIO_KILL;
	}
	if (mp_must_wait_pg_init(m)) {
		mp_queue_bio(m, bio);
		mp_pg_init_all(m);
		return DM_MAPIO_SUBMITTED;
	}

	bio->bi_status = 0;
	bio_set_dev(bio, p->dev->bdev);
	bio->bi_opf |= REQ_FAILFAST_TRANSPORT;
	mp_io_start(p, io, io->nr_bytes);
	return DM_MAPIO_REMAPPED;
}

/**
 * mp_map_bio() - map one bio of a bio-based map.
 * @ti:  the multipath target
 * @bio: the bio; dm's clone, remapped in place
 *
 * The fields a lower layer may change are saved first so a bio that
 * fails on a path can be resubmitted unchanged by mp_bio_work().
 *
 * Return: DM_MAPIO_REMAPPED, DM_MAPIO_SUBMITTED (queued on the map),
 * DM_MAPIO_REQUEUE (noflush suspend) or DM_MAPIO_KILL.
 */
int mp_map_bio(struct dm_target *ti, struct bio *bio)
{
	struct mp_bio_io *bd = mp_bio_data(bio);

	bd->io.nr_bytes = bio->bi_iter.bi_size;
	bd->io.path = NULL;
	mp_bio_save(&bd->saved, bio);
	return mp_map_bio_io(ti->private, bio, &bd->io);
}

/**
 * mp_bio_work() - kmpathd: resubmit the bios queued on a bio-based map.
 * @work: &mp_map.bio_work
 *
 * Each bio waited for a path or for pg_init; it is restored to what
 * mp_map_bio() saw and mapped again, which may queue it once more.
 */
void mp_bio_work(struct work_struct *work)
{
	struct mp_map *m = container_of(work, struct mp_map, bio_work);
	struct bio_list list;
	struct blk_plug plug;
	unsigned long irqf;
	struct bio *bio;

	spin_lock_irqsave(&m->lock, irqf);
	list = m->queued;
	bio_list_init(&m->queued);
	spin_unlock_irqrestore(&m->lock, irqf);
	if (bio_list_empty(&list))
		return;

	blk_start_plug(&plug);
	while ((bio = bio_list_pop(&list))) {
		struct mp_bio_io *bd = mp_bio_data(bio);

		mp_bio_restore(&bd->saved, bio);
		switch (mp_map_bio_io(m, bio, &bd->io)) {
		case DM_MAPIO_REMAPPED:
			submit_bio_noacct(bio);
			break;
		case DM_MAPIO_KILL:
			bio->bi_status = BLK_STS_IOERR;
			bio_endio(bio);
			break;
		case DM_MAPIO_REQUEUE:
			bio->bi_status = BLK_STS_DM_REQUEUE;
			bio_endio(bio);
			break;
		default:	/* queued again */
			break;
		}
	}
	blk_finish_plug(&plug);
}

/**
 * mp_bio_end_io() - completion of a bio-based clone.
 * @ti:    the multipath target
 * @clone: the completed bio
 * @error: its status; set to BLK_STS_IOERR when no path is left
 *
 * A path error fails the path; the bio is queued for kmpathd unless no
 * valid path is left and queue_if_no_path is off (requeue to dm core in
 * a noflush suspend, else the error stands).
 *
 * Return: DM_ENDIO_DONE, DM_ENDIO_REQUEUE or DM_ENDIO_INCOMPLETE.
 */
int mp_bio_end_io(struct dm_target *ti, struct bio *clone,
			 blk_status_t *error)
{
	struct mp_bio_io *bd = mp_bio_data(clone);
	struct mp_map *m = ti->private;
	struct mp_path *p = bd->io.path;
	int r = DM_ENDIO_DONE;
	unsigned long irqf;

	if (!*error || !blk_path_error(*error))
		goto done;

	if (p)
		mp_fail_path(p);
	if (!atomic_read(&m->nr_valid)) {
		spin_lock_irqsave(&m->lock, irqf);
		if (!test_bit(MPATHF_QUEUE_IF_NO_PATH, &m->flags)) {
			if (dm_noflush_suspending(m->ti)) {
				r = DM_ENDIO_REQUEUE;
			} else {
				mp_report_eio(m);
				*error = BLK_STS_IOERR;
			}
			spin_unlock_irqrestore(&m->lock, irqf);
			goto done;
		}
		spin_unlock_irqrestore(&m->lock, irqf);
	}
	mp_io_done(&bd->io, true);
	bd->io.path = NULL;
	mp_queue_bio(m, clone);
	return DM_ENDIO_INCOMPLETE;
done:
	mp_io_done(&bd->io, *error != BLK_STS_OK);
	return r;
}
