// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: the "multipath" target (1.14.0 grammar).
 *
 * This file holds the constructor/destructor, the request-based and
 * bio-based I/O hooks, suspend/resume, ioctl pass-through and module
 * setup.  Path/group state lives in mpath_pg.c, the status lines in
 * mpath_status.c, messages in mpath_msg.c.
 */
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/sched/clock.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <scsi/scsi_dh.h>

#include <keel/keel_module.h>
#include "mpath.h"
#include "mpath_parse.h"

struct workqueue_struct *mp_wq;
struct workqueue_struct *mp_handler_wq;
unsigned long mp_nopath_timeout_secs;

/* ---------------------------------------------------------------- */
/* construction and destruction                                      */
/* ---------------------------------------------------------------- */

static void mp_free_group(struct mp_group *g, struct dm_target *ti)
{
	struct mp_path *p, *tmp;

	if (g->sel.type)
		g->sel.type->destroy(&g->sel);
	list_for_each_entry_safe(p, tmp, &g->paths, node) {
		list_del(&p->node);
		dm_put_device(ti, p->dev);
		mp_stats_path_exit(p);
		kfree(p);
	}
	kfree(g);
}

static void mp_free_map(struct mp_map *m)
{
	struct mp_group *g, *tmp;

	list_for_each_entry_safe(g, tmp, &m->groups, node) {
		list_del(&g->node);
		mp_free_group(g, m->ti);
	}
	kfree(m->hw_name);
	kfree(m->hw_params);
	mutex_destroy(&m->msg_lock);
	kfree(m);
}

static const struct dm_arg mp_ps_argc_arg = {
	0, 1024, "invalid number of path selector args"
};
static const struct dm_arg mp_nr_paths_arg = {
	1, 1024, "invalid number of paths"
};
static const struct dm_arg mp_path_argc_arg = {
	0, 1024, "invalid number of selector args"
};
static const struct dm_arg mp_hw_argc_arg = {
	0, 1024, "invalid number of hardware handler args"
};
static const struct dm_arg mp_nr_groups_arg = {
	0, 1024, "invalid number of priority groups"
};
static const struct dm_arg mp_init_group_arg = {
	0, 1024, "invalid initial priority group number"
};

static int mp_parse_selector(struct dm_arg_set *as, struct mp_group *g,
			     struct dm_target *ti)
{
	const struct mp_selector_type *type;
	unsigned int argc;
	int r;

	type = mp_ps_lookup(dm_shift_arg(as));
	if (!type) {
		ti->error = "unknown path selector type";
		return -EINVAL;
	}
	if (dm_read_arg_group(&mp_ps_argc_arg, as, &argc, &ti->error))
		return -EINVAL;

	r = type->create(&g->sel, argc, as->argv);
	if (r) {
		ti->error = "path selector constructor failed";
		return r;
	}
	g->sel.type = type;
	dm_consume_args(as, argc);
	return 0;
}

/* <dev> [<selector path args>...]; @as holds exactly this path's words */
static struct mp_path *mp_parse_path(struct dm_arg_set *as,
				     struct mp_group *g, struct dm_target *ti)
{
	struct mp_map *m = ti->private;
	const char *attached;
	struct mp_path *p;
	int r;

	if (as->argc < 1) {
		ti->error = "no device given";
		return ERR_PTR(-EINVAL);
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		ti->error = "memory allocation failed";
		return ERR_PTR(-ENOMEM);
	}
	p->active = true;
	p->grp = g;

	r = dm_get_device(ti, dm_shift_arg(as), dm_table_get_mode(ti->table),
			  &p->dev);
	if (r) {
		ti->error = "error getting device";
		goto free;
	}

	attached = scsi_dh_attached_handler_name(bdev_get_queue(p->dev->bdev),
						 GFP_KERNEL);
	if (attached || m->hw_name) {
		INIT_DELAYED_WORK(&p->activate, mp_activate_work);
		p->has_activate = true;
		r = mp_setup_scsi_dh(m, p->dev->bdev, &attached, &ti->error);
		kfree(attached);
		if (r)
			goto put;
	}

	r = g->sel.type->add_path(&g->sel, &p->psp, as->argc, as->argv,
				  &ti->error);
	if (r)
		goto put;

	r = mp_stats_path_init(p);
	if (r) {
		/* the selector already knows the path: keep it, count none */
		r = 0;
	}
	return p;
put:
	dm_put_device(ti, p->dev);
free:
	kfree(p);
	return ERR_PTR(r);
}

static struct mp_group *mp_parse_group(struct dm_arg_set *as,
				       struct mp_map *m)
{
	struct dm_target *ti = m->ti;
	unsigned int path_argc, i;
	struct mp_group *g;
	int r;

	if (as->argc < 2) {
		as->argc = 0;
		ti->error = "not enough priority group arguments";
		return ERR_PTR(-EINVAL);
	}
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g) {
		ti->error = "couldn't allocate priority group";
		return ERR_PTR(-ENOMEM);
	}
	INIT_LIST_HEAD(&g->paths);
	g->map = m;

	r = mp_parse_selector(as, g, ti);
	if (r)
		goto bad;
	r = dm_read_arg(&mp_nr_paths_arg, as, &g->nr_paths, &ti->error);
	if (r)
		goto bad;
	r = dm_read_arg(&mp_path_argc_arg, as, &path_argc, &ti->error);
	if (r)
		goto bad;

	for (i = 0; i < g->nr_paths; i++) {
		struct dm_arg_set one;
		struct mp_path *p;

		if (as->argc < path_argc + 1) {
			ti->error = "not enough path parameters";
			r = -EINVAL;
			goto bad;
		}
		one.argc = path_argc + 1;
		one.argv = as->argv;
		p = mp_parse_path(&one, g, ti);
		if (IS_ERR(p)) {
			r = PTR_ERR(p);
			goto bad;
		}
		list_add_tail(&p->node, &g->paths);
		dm_consume_args(as, path_argc + 1);
	}
	return g;
bad:
	mp_free_group(g, ti);
	return ERR_PTR(r);
}

static int mp_parse_hw_handler(struct dm_arg_set *as, struct mp_map *m)
{
	struct dm_target *ti = m->ti;
	unsigned int argc;
	int r;

	if (dm_read_arg_group(&mp_hw_argc_arg, as, &argc, &ti->error))
		return -EINVAL;
	if (!argc)
		return 0;

	if (m->mode == DM_TYPE_BIO_BASED) {
		dm_consume_args(as, argc);
		DMERR("bio-based multipath doesn't allow hardware handler args");
		return 0;
	}

	m->hw_name = kstrdup(dm_shift_arg(as), GFP_KERNEL);
	if (!m->hw_name)
		return -EINVAL;
	if (argc > 1) {
		r = mp_pack_hw_params(argc - 1, as->argv, &m->hw_params);
		if (r) {
			ti->error = "memory allocation failed";
			kfree(m->hw_name);
			m->hw_name = NULL;
			return r;
		}
	}
	dm_consume_args(as, argc - 1);
	return 0;
}

static struct mp_map *mp_alloc_map(struct dm_target *ti)
{
	struct mp_map *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m)
		return NULL;
	INIT_LIST_HEAD(&m->groups);
	spin_lock_init(&m->lock);
	mutex_init(&m->msg_lock);
	INIT_WORK(&m->event_work, mp_event_work);
	INIT_WORK(&m->bio_work, mp_bio_work);
	bio_list_init(&m->queued);
	init_waitqueue_head(&m->pg_init_wait);
	timer_setup(&m->nopath_timer, mp_nopath_timer_fn, 0);
	atomic_set(&m->nr_valid, 0);
	atomic_set(&m->pg_init_in_progress, 0);
	atomic_set(&m->pg_init_count, 0);
	m->pg_init_delay_msecs = MP_PG_INIT_DELAY_DEFAULT;
	m->mode = DM_TYPE_REQUEST_BASED;
	m->ti = ti;
	ti->private = m;
	return m;
}

static int mp_apply_features(struct dm_target *ti, struct mp_map *m,
			     struct dm_arg_set *as)
{
	struct mp_features f = {
		.pg_init_delay_msecs = MP_PG_INIT_DELAY_DEFAULT,
		.mode = DM_TYPE_NONE,
	};
	int r;

	r = mp_parse_features(as, &f, &ti->error);
	/* in-tree applies words as it reads them; mirror partial state */
	if (f.queue_if_no_path)
		set_bit(MPATHF_QUEUE_IF_NO_PATH, &m->flags);
	if (f.retain)
		set_bit(MPATHF_RETAIN_ATTACHED_HW_HANDLER, &m->flags);
	if (r)
		return r;

	m->pg_init_retries = f.pg_init_retries;
	m->pg_init_delay_msecs = f.pg_init_delay_msecs;
	m->no_path_timeout = f.no_path_timeout;
	m->mode = f.mode == DM_TYPE_BIO_BASED ? DM_TYPE_BIO_BASED :
						 DM_TYPE_REQUEST_BASED;
	/* bio mode cannot manage a scsi_dh, it only adopts one */
	if (m->mode == DM_TYPE_BIO_BASED)
		set_bit(MPATHF_RETAIN_ATTACHED_HW_HANDLER, &m->flags);
	dm_table_set_type(ti->table, m->mode);
	set_bit(MPATHF_QUEUE_IO, &m->flags);
	return 0;
}

/*
 * <#features> [<feature>...] <#hw> [<hw_name> [<hw_arg>...]]
 * <#groups> <initial group> { <selector> <#sel_args> [<sel_arg>...]
 *   <#paths> <#path_args> { <dev> [<path_arg>...] }... }...
 */
static int mp_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct dm_arg_set as = { .argc = argc, .argv = argv };
	unsigned int nr_groups = 0, initial;
	unsigned long irqf;
	struct mp_map *m;
	int r;

	m = mp_alloc_map(ti);
	if (!m) {
		ti->error = "can't allocate multipath";
		return -EINVAL;
	}

	r = mp_apply_features(ti, m, &as);
	if (r)
		goto bad;
	r = mp_parse_hw_handler(&as, m);
	if (r)
		goto bad;
	r = dm_read_arg(&mp_nr_groups_arg, &as, &m->nr_groups, &ti->error);
	if (r)
		goto bad;
	r = dm_read_arg(&mp_init_group_arg, &as, &initial, &ti->error);
	if (r)
		goto bad;
	if (!m->nr_groups != !initial) {
		ti->error = "invalid initial priority group";
		r = -EINVAL;
		goto bad;
	}

	while (as.argc) {
		struct mp_group *g = mp_parse_group(&as, m);

		if (IS_ERR(g)) {
			r = PTR_ERR(g);
			goto bad;
		}
		atomic_add(g->nr_paths, &m->nr_valid);
		list_add_tail(&g->node, &m->groups);
		g->num = ++nr_groups;
		if (g->num == initial)
			m->next_grp = g;
	}
	if (nr_groups != m->nr_groups) {
		ti->error = "priority group count mismatch";
		r = -EINVAL;
		goto bad;
	}

	spin_lock_irqsave(&m->lock, irqf);
	mp_nopath_timer_arm(m);
	spin_unlock_irqrestore(&m->lock, irqf);

	ti->num_flush_bios = 1;
	ti->num_discard_bios = 1;
	ti->num_write_zeroes_bios = 1;
	ti->per_io_data_size = m->mode == DM_TYPE_BIO_BASED ?
			       sizeof(struct mp_bio_io) : sizeof(struct mp_io);
	mp_stats_map_add(m);
	return 0;
bad:
	del_timer_sync(&m->nopath_timer);
	mp_free_map(m);
	return r;
}

static void mp_dtr(struct dm_target *ti)
{
	struct mp_map *m = ti->private;

	mp_stats_map_del(m);
	mp_nopath_timer_stop(m);
	mp_flush_work(m);
	mp_free_map(m);
}

/* ---------------------------------------------------------------- */
/* I/O                                                               */
/* ---------------------------------------------------------------- */

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
	io->start_ns = local_clock();
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

static int mp_clone_and_map(struct dm_target *ti, struct request *rq,
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

static void mp_release_clone(struct request *clone,
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

static int mp_rq_end_io(struct dm_target *ti, struct request *clone,
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

static int mp_map_bio(struct dm_target *ti, struct bio *bio)
{
	struct mp_bio_io *bd = mp_bio_data(bio);

	bd->io.nr_bytes = bio->bi_iter.bi_size;
	bd->io.path = NULL;
	mp_bio_save(&bd->saved, bio);
	return mp_map_bio_io(ti->private, bio, &bd->io);
}

/* kmpathd: resubmit bios that waited for a path or for pg_init */
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

static int mp_bio_end_io(struct dm_target *ti, struct bio *clone,
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
