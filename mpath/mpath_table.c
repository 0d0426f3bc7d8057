// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: the table.  The constructor reads the features, the
 * hardware handler words and every priority group with its selector and
 * paths (taking the devices and attaching scsi_dh handlers); the
 * destructor stops the map's work and frees it all.  The pieces that need
 * no device (feature words, hw handler packing) are in mpath_parse.c.
 */
#include <linux/blkdev.h>
#include <linux/slab.h>
#include <scsi/scsi_dh.h>

#include "mpath.h"
#include "mpath_parse.h"

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

/**
 * mp_ctr() - the multipath constructor.
 * @ti:   the target being loaded
 * @argc: number of table words
 * @argv: the table words:
 *        <#features> [<feature>...] <#hw> [<hw_name> [<hw_arg>...]]
 *        <#groups> <initial group> { <selector> <#sel_args> [<sel_arg>...]
 *        <#paths> <#path_args> { <dev> [<path_arg>...] }... }...
 *
 * Errors leave the in-tree wording in @ti->error (checked byte for byte
 * by tests/mpath/001-golden).
 *
 * Return: 0 or a negative errno.
 */
int mp_ctr(struct dm_target *ti, unsigned int argc, char **argv)
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

/**
 * mp_dtr() - the multipath destructor.
 * @ti: the target being unloaded
 *
 * Stops the no-path timer and the map's work before freeing groups,
 * paths and selectors.
 */
void mp_dtr(struct dm_target *ti)
{
	struct mp_map *m = ti->private;

	mp_stats_map_del(m);
	mp_nopath_timer_stop(m);
	mp_flush_work(m);
	mp_free_map(m);
}
