// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: "round-robin" selector (table-compatible with the
 * in-tree 1.2.0).  One optional per-path word, the repeat count; values
 * above one are accepted and clamped to one, as upstream does.
 */
#include <linux/device-mapper.h>
#include <linux/slab.h>

#include "mpath_ps.h"

#define DM_MSG_PREFIX "multipath round-robin"

struct rr_path {
	struct mp_ps_slot slot;
	unsigned int repeat;
};

struct rr_sel {
	struct mp_ps_vec vec;
};

static int rr_create(struct mp_selector *sel, unsigned int argc, char **argv)
{
	struct rr_sel *rs = kzalloc(sizeof(*rs), GFP_KERNEL);

	if (!rs)
		return -ENOMEM;
	sel->priv = rs;
	return 0;
}

static void rr_destroy(struct mp_selector *sel)
{
	struct rr_sel *rs = sel->priv;
	unsigned int i;

	for (i = 0; i < rs->vec.nr; i++)
		kfree(container_of(rs->vec.v[i], struct rr_path, slot));
	mp_ps_vec_release(&rs->vec);
	kfree(rs);
	sel->priv = NULL;
}

static int rr_add_path(struct mp_selector *sel, struct mp_ps_path *psp,
		       unsigned int argc, char **argv, char **error)
{
	struct rr_sel *rs = sel->priv;
	unsigned int repeat = 1;
	struct rr_path *rp;

	if (argc > 1) {
		*error = "round-robin ps: incorrect number of arguments";
		return -EINVAL;
	}
	if (argc && mp_ps_parse_uint(argv[0], &repeat)) {
		*error = "round-robin ps: invalid repeat count";
		return -EINVAL;
	}
	if (repeat > 1) {
		DMWARN_LIMIT("repeat_count > 1 is deprecated, using 1 instead");
		repeat = 1;
	}

	rp = kzalloc(sizeof(*rp), GFP_KERNEL);
	if (!rp) {
		*error = "round-robin ps: Error allocating path context";
		return -ENOMEM;
	}
	rp->repeat = repeat;
	rp->slot.psp = psp;
	if (mp_ps_vec_add(&rs->vec, &rp->slot)) {
		kfree(rp);
		*error = "round-robin ps: Error allocating path context";
		return -ENOMEM;
	}
	psp->ctx = rp;
	return 0;
}

static struct mp_ps_path *rr_select(struct mp_selector *sel, size_t nr_bytes)
{
	struct rr_sel *rs = sel->priv;
	struct mp_ps_slot *slot = mp_ps_vec_next_usable(&rs->vec);

	return slot ? slot->psp : NULL;
}

static void rr_fail(struct mp_selector *sel, struct mp_ps_path *psp)
{
	struct rr_path *rp = psp->ctx;

	mp_ps_slot_set_usable(&rp->slot, false);
}

static void rr_reinstate(struct mp_selector *sel, struct mp_ps_path *psp)
{
	struct rr_path *rp = psp->ctx;

	mp_ps_slot_set_usable(&rp->slot, true);
}

static unsigned int rr_emit(struct mp_selector *sel, struct mp_ps_path *psp,
			    status_type_t type, char *buf, unsigned int max)
{
	struct rr_path *rp;
	unsigned int len = 0;

	if (!psp) {
		MP_EMIT(buf, len, max, "0 ");
		return len;
	}
	rp = psp->ctx;
	if (type == STATUSTYPE_TABLE)
		MP_EMIT(buf, len, max, "%u ", rp->repeat);
	else if (type == STATUSTYPE_IMA && max)
		buf[0] = '\0';
	return len;
}

const struct mp_selector_type mp_ps_round_robin = {
	.name = "round-robin",
	.table_args = 1,
	.info_args = 0,
	.create = rr_create,
	.destroy = rr_destroy,
	.add_path = rr_add_path,
	.select = rr_select,
	.fail = rr_fail,
	.reinstate = rr_reinstate,
	.emit = rr_emit,
};
