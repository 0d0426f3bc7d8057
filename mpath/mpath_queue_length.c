// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: "queue-length" selector (table-compatible with the
 * in-tree 0.2.0): send each I/O to the usable path with the fewest I/Os in
 * flight.  The scan starts at a rotating position so that ties spread
 * evenly; counts are plain atomics, no lock is taken per I/O.
 */
#include <linux/device-mapper.h>
#include <linux/slab.h>

#include "mpath_path_selector.h"

#define DM_MSG_PREFIX "multipath queue-length"

struct ql_path {
	struct mp_ps_slot slot;
	atomic_t inflight;
};

/* mp_ps_vec_sel_destroy() kfree()s the slot */
static_assert(offsetof(struct ql_path, slot) == 0);

static struct ql_path *ql_of(struct mp_ps_path *psp)
{
	return container_of(psp->ctx, struct ql_path, slot);
}

static int ql_add_path(struct mp_selector *sel, struct mp_ps_path *psp,
		       unsigned int argc, char **argv, char **error)
{
	return mp_ps_add_plain_path(sel, psp, argc, argv, sizeof(struct ql_path),
				    error);
}

/* keep the candidate with fewer I/Os in flight; ties keep the earlier */
static bool ql_take(void *state, struct mp_ps_slot *slot, bool first)
{
	int len = atomic_read(&container_of(slot, struct ql_path,
					    slot)->inflight);
	int *best_len = state;

	if (!first && len >= *best_len)
		return false;
	*best_len = len;
	return true;
}

static struct mp_ps_path *ql_select(struct mp_selector *sel, size_t nr_bytes)
{
	struct mp_ps_slot *slot;
	int best_len = 0;

	slot = mp_ps_vec_best(sel->priv, &best_len, ql_take);
	return slot ? slot->psp : NULL;
}

static void ql_start_io(struct mp_selector *sel, struct mp_ps_path *psp,
			size_t nr_bytes)
{
	atomic_inc(&ql_of(psp)->inflight);
}

static void ql_end_io(struct mp_selector *sel, struct mp_ps_path *psp,
		      size_t nr_bytes, u64 start_ns)
{
	atomic_dec(&ql_of(psp)->inflight);
}

static unsigned int ql_emit(struct mp_selector *sel, struct mp_ps_path *psp,
			    status_type_t type, char *buf, unsigned int max)
{
	unsigned int len = 0;

	if (mp_ps_emit_fixed(psp, type, buf, max, &len))
		return len;
	if (type == STATUSTYPE_INFO)
		MP_EMIT(buf, len, max, "%d ",
			atomic_read(&ql_of(psp)->inflight));
	else
		MP_EMIT(buf, len, max, "%u ", ql_of(psp)->slot.repeat);
	return len;
}

const struct mp_selector_type mp_ps_queue_length = {
	.name = "queue-length",
	.table_args = 1,
	.info_args = 1,
	MP_PS_MESSAGES("queue-length", "Error allocating path information"),
	.create = mp_ps_vec_sel_create,
	.destroy = mp_ps_vec_sel_destroy,
	.add_path = ql_add_path,
	.select = ql_select,
	.fail = mp_ps_fail,
	.reinstate = mp_ps_reinstate,
	.emit = ql_emit,
	.start_io = ql_start_io,
	.end_io = ql_end_io,
};
