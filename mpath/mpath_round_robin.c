// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: "round-robin" selector (table-compatible with the
 * in-tree 1.2.0).  One optional per-path word, the repeat count; values
 * above one are accepted and clamped to one, as upstream does.
 */
#include <linux/device-mapper.h>
#include <linux/slab.h>

#include "mpath_path_selector.h"

#define DM_MSG_PREFIX "multipath round-robin"

/* A path is just its slot: the usable flag and the repeat count. */
static int rr_add_path(struct mp_selector *sel, struct mp_ps_path *psp,
		       unsigned int argc, char **argv, char **error)
{
	return mp_ps_add_plain_path(sel, psp, argc, argv,
				    sizeof(struct mp_ps_slot), error);
}

static struct mp_ps_path *rr_select(struct mp_selector *sel, size_t nr_bytes)
{
	struct mp_ps_slot *slot = mp_ps_vec_next_usable(sel->priv);

	return slot ? slot->psp : NULL;
}

static unsigned int rr_emit(struct mp_selector *sel, struct mp_ps_path *psp,
			    status_type_t type, char *buf, unsigned int max)
{
	unsigned int len = 0;

	if (!mp_ps_emit_fixed(psp, type, buf, max, &len) &&
	    type == STATUSTYPE_TABLE)
		MP_EMIT(buf, len, max, "%u ", mp_ps_slot_of(psp)->repeat);
	return len;
}

const struct mp_selector_type mp_ps_round_robin = {
	.name = "round-robin",
	.table_args = 1,
	.info_args = 0,
	MP_PS_MESSAGES("round-robin", "Error allocating path context"),
	.create = mp_ps_vec_sel_create,
	.destroy = mp_ps_vec_sel_destroy,
	.add_path = rr_add_path,
	.select = rr_select,
	.fail = mp_ps_fail,
	.reinstate = mp_ps_reinstate,
	.emit = rr_emit,
};
