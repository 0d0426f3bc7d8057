// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: "queue-length" selector (table-compatible with the
 * in-tree 0.2.0): send each I/O to the usable path with the fewest I/Os in
 * flight.  The scan starts at a rotating position so that ties spread
 * evenly; counts are plain atomics, no lock is taken per I/O.
 */
#include <linux/device-mapper.h>
#include <linux/slab.h>

#include "mpath_ps.h"

#define DM_MSG_PREFIX "multipath queue-length"

struct ql_path {
	struct mp_ps_slot slot;
	unsigned int repeat;
	atomic_t inflight;
};

struct ql_sel {
	struct mp_ps_vec vec;
};

static int ql_create(struct mp_selector *sel, unsigned int argc, char **argv)
{
	struct ql_sel *qs = kzalloc(sizeof(*qs), GFP_KERNEL);

	if (!qs)
		return -ENOMEM;
	sel->priv = qs;
	return 0;
}

static void ql_destroy(struct mp_selector *sel)
{
	struct ql_sel *qs = sel->priv;
	unsigned int i;

	for (i = 0; i < qs->vec.nr; i++)
		kfree(container_of(qs->vec.v[i], struct ql_path, slot));
	mp_ps_vec_release(&qs->vec);
	kfree(qs);
	sel->priv = NULL;
}

static int ql_add_path(struct mp_selector *sel, struct mp_ps_path *psp,
		       unsigned int argc, char **argv, char **error)
{
	struct ql_sel *qs = sel->priv;
	unsigned int repeat = 1;
	struct ql_path *qp;

	if (argc > 1) {
		*error = "queue-length ps: incorrect number of arguments";
		return -EINVAL;
	}
	if (argc && mp_ps_parse_uint(argv[0], &repeat)) {
		*error = "queue-length ps: invalid repeat count";
		return -EINVAL;
	}
	if (repeat > 1) {
		DMWARN_LIMIT("repeat_count > 1 is deprecated, using 1 instead");
		repeat = 1;
	}

	qp = kzalloc(sizeof(*qp), GFP_KERNEL);
	if (!qp) {
		*error = "queue-length ps: Error allocating path information";
		return -ENOMEM;
	}
	qp->repeat = repeat;
	qp->slot.psp = psp;
	atomic_set(&qp->inflight, 0);
	if (mp_ps_vec_add(&qs->vec, &qp->slot)) {
		kfree(qp);
		*error = "queue-length ps: Error allocating path information";
		return -ENOMEM;
	}
	psp->ctx = qp;
	return 0;
}

static struct mp_ps_path *ql_select(struct mp_selector *sel, size_t nr_bytes)
{
	struct ql_sel *qs = sel->priv;
	/* pairs with the release in mp_ps_vec_add() */
	unsigned int nr = smp_load_acquire(&qs->vec.nr);
	struct ql_path *best = NULL;
	unsigned int start, i, best_off = 0;
	int best_len = 0;

	if (!nr)
		return NULL;
	start = (unsigned int)atomic_inc_return(&qs->vec.cursor);
	for (i = 0; i < nr; i++) {
		struct mp_ps_slot *slot = qs->vec.v[(start + i) % nr];
		struct ql_path *qp = container_of(slot, struct ql_path, slot);
		int len;

		if (!mp_ps_slot_usable(slot))
			continue;
		len = atomic_read(&qp->inflight);
		if (!best || len < best_len) {
			best = qp;
			best_off = i;
			best_len = len;
			if (!len)
				break;
		}
	}
	if (!best)
		return NULL;
	mp_ps_vec_skip(&qs->vec, best_off);
	return best->slot.psp;
}

static void ql_fail(struct mp_selector *sel, struct mp_ps_path *psp)
{
	struct ql_path *qp = psp->ctx;

	mp_ps_slot_set_usable(&qp->slot, false);
}

static void ql_reinstate(struct mp_selector *sel, struct mp_ps_path *psp)
{
	struct ql_path *qp = psp->ctx;

	mp_ps_slot_set_usable(&qp->slot, true);
}

static void ql_start_io(struct mp_selector *sel, struct mp_ps_path *psp,
			size_t nr_bytes)
{
	struct ql_path *qp = psp->ctx;

	atomic_inc(&qp->inflight);
}

static void ql_end_io(struct mp_selector *sel, struct mp_ps_path *psp,
		      size_t nr_bytes, u64 start_ns)
{
	struct ql_path *qp = psp->ctx;

	atomic_dec(&qp->inflight);
}

static unsigned int ql_emit(struct mp_selector *sel, struct mp_ps_path *psp,
			    status_type_t type, char *buf, unsigned int max)
{
	struct ql_path *qp;
	unsigned int len = 0;

	if (!psp) {
		MP_EMIT(buf, len, max, "0 ");
		return len;
	}
	qp = psp->ctx;
	switch (type) {
	case STATUSTYPE_INFO:
		MP_EMIT(buf, len, max, "%d ", atomic_read(&qp->inflight));
		break;
	case STATUSTYPE_TABLE:
		MP_EMIT(buf, len, max, "%u ", qp->repeat);
		break;
	case STATUSTYPE_IMA:
		if (max)
			buf[0] = '\0';
		break;
	}
	return len;
}

const struct mp_selector_type mp_ps_queue_length = {
	.name = "queue-length",
	.table_args = 1,
	.info_args = 1,
	.create = ql_create,
	.destroy = ql_destroy,
	.add_path = ql_add_path,
	.select = ql_select,
	.fail = ql_fail,
	.reinstate = ql_reinstate,
	.emit = ql_emit,
	.start_io = ql_start_io,
	.end_io = ql_end_io,
};
