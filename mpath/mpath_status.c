// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: `dmsetup status` (INFO), `dmsetup table` (TABLE) and
 * IMA lines.  The byte format, including the trailing blank after every
 * word, is what multipathd parses and compares; it must not change.
 */
#include "mpath.h"

/* the group number shown in both lines: pending switch, else current */
static unsigned int mp_shown_group(struct mp_map *m)
{
	if (m->next_grp)
		return m->next_grp->num;
	if (m->cur_grp)
		return m->cur_grp->num;
	return m->nr_groups ? 1 : 0;
}

static char mp_group_state(struct mp_map *m, struct mp_group *g)
{
	if (g->bypassed)
		return 'D';
	return g == m->cur_grp ? 'A' : 'E';
}

static unsigned int mp_feature_words(struct mp_map *m)
{
	return test_bit(MPATHF_QUEUE_IF_NO_PATH, &m->flags) +
	       (m->pg_init_retries ? 2 : 0) +
	       (m->pg_init_delay_msecs != MP_PG_INIT_DELAY_DEFAULT ? 2 : 0) +
	       test_bit(MPATHF_RETAIN_ATTACHED_HW_HANDLER, &m->flags) +
	       (m->mode != DM_TYPE_REQUEST_BASED ? 2 : 0) +
	       (m->no_path_timeout ? 2 : 0);
}

static unsigned int mp_emit_sel(struct mp_group *g, struct mp_path *p,
				status_type_t type, char *result,
				unsigned int sz, unsigned int maxlen)
{
	if (sz >= maxlen)
		return 0;
	return g->sel.type->emit(&g->sel, p ? &p->psp : NULL, type,
				 result + sz, maxlen - sz);
}

static unsigned int mp_emit_head(struct mp_map *m, status_type_t type,
				 char *result, unsigned int maxlen)
{
	unsigned int sz = 0;

	if (type == STATUSTYPE_INFO) {
		DMEMIT("2 %u %u ", test_bit(MPATHF_QUEUE_IO, &m->flags) ? 1 : 0,
		       atomic_read(&m->pg_init_count));
	} else {
		DMEMIT("%u ", mp_feature_words(m));
		if (test_bit(MPATHF_QUEUE_IF_NO_PATH, &m->flags))
			DMEMIT("queue_if_no_path ");
		if (m->pg_init_retries)
			DMEMIT("pg_init_retries %u ", m->pg_init_retries);
		if (m->pg_init_delay_msecs != MP_PG_INIT_DELAY_DEFAULT)
			DMEMIT("pg_init_delay_msecs %u ", m->pg_init_delay_msecs);
		if (test_bit(MPATHF_RETAIN_ATTACHED_HW_HANDLER, &m->flags))
			DMEMIT("retain_attached_hw_handler ");
		if (m->mode == DM_TYPE_BIO_BASED)
			DMEMIT("queue_mode bio ");
		if (m->no_path_timeout)
			DMEMIT("no_path_timeout %u ", m->no_path_timeout);
	}

	if (m->hw_name && type == STATUSTYPE_TABLE)
		DMEMIT("1 %s ", m->hw_name);
	else
		DMEMIT("0 ");
	DMEMIT("%u %u ", m->nr_groups, mp_shown_group(m));
	return sz;
}

static unsigned int mp_emit_info(struct mp_map *m, char *result,
				 unsigned int sz, unsigned int maxlen)
{
	struct mp_group *g;
	struct mp_path *p;

	list_for_each_entry(g, &m->groups, node) {
		DMEMIT("%c ", mp_group_state(m, g));
		sz += mp_emit_sel(g, NULL, STATUSTYPE_INFO, result, sz, maxlen);
		DMEMIT("%u %u ", g->nr_paths, g->sel.type->info_args);
		list_for_each_entry(p, &g->paths, node) {
			DMEMIT("%s %s %u ", p->dev->name, p->active ? "A" : "F",
			       p->fail_count);
			sz += mp_emit_sel(g, p, STATUSTYPE_INFO, result, sz,
					  maxlen);
		}
	}
	return sz;
}

static unsigned int mp_emit_table(struct mp_map *m, char *result,
				  unsigned int sz, unsigned int maxlen)
{
	struct mp_group *g;
	struct mp_path *p;

	list_for_each_entry(g, &m->groups, node) {
		DMEMIT("%s ", g->sel.type->name);
		sz += mp_emit_sel(g, NULL, STATUSTYPE_TABLE, result, sz,
				  maxlen);
		DMEMIT("%u %u ", g->nr_paths, g->sel.type->table_args);
		list_for_each_entry(p, &g->paths, node) {
			DMEMIT("%s ", p->dev->name);
			sz += mp_emit_sel(g, p, STATUSTYPE_TABLE, result, sz,
					  maxlen);
		}
	}
	return sz;
}

static unsigned int mp_emit_ima(struct dm_target *ti, struct mp_map *m,
				char *result, unsigned int maxlen)
{
	unsigned int sz = 0, gi = 0, pi;
	struct mp_group *g;
	struct mp_path *p;

	DMEMIT_TARGET_NAME_VERSION(ti->type);
	DMEMIT(",nr_priority_groups=%u", m->nr_groups);
	list_for_each_entry(g, &m->groups, node) {
		DMEMIT(",pg_state_%u=%c,nr_pgpaths_%u=%u,path_selector_name_%u=%s",
		       gi, mp_group_state(m, g), gi, g->nr_paths, gi,
		       g->sel.type->name);
		pi = 0;
		list_for_each_entry(p, &g->paths, node) {
			DMEMIT(",path_name_%u_%u=%s,is_active_%u_%u=%c,fail_count_%u_%u=%u",
			       gi, pi, p->dev->name, gi, pi,
			       p->active ? 'A' : 'F', gi, pi, p->fail_count);
			DMEMIT(",path_selector_status_%u_%u=", gi, pi);
			sz += mp_emit_sel(g, p, STATUSTYPE_IMA, result, sz,
					  maxlen);
			pi++;
		}
		gi++;
	}
	DMEMIT(";");
	return sz;
}

void mp_status(struct dm_target *ti, status_type_t type,
	       unsigned int status_flags, char *result, unsigned int maxlen)
{
	struct mp_map *m = ti->private;
	unsigned long irqf;
	unsigned int sz;

	spin_lock_irqsave(&m->lock, irqf);
	switch (type) {
	case STATUSTYPE_INFO:
		sz = mp_emit_head(m, type, result, maxlen);
		mp_emit_info(m, result, sz, maxlen);
		break;
	case STATUSTYPE_TABLE:
		sz = mp_emit_head(m, type, result, maxlen);
		mp_emit_table(m, result, sz, maxlen);
		break;
	case STATUSTYPE_IMA:
		mp_emit_ima(ti, m, result, maxlen);
		break;
	}
	spin_unlock_irqrestore(&m->lock, irqf);
}
