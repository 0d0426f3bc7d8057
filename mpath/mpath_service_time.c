// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: "service-time" selector (table-compatible with the
 * in-tree 0.3.0, the multipath-tools default).
 *
 * Each path carries a relative throughput weight (0..100) and the number
 * of bytes in flight.  An I/O goes to the path with the smallest expected
 * completion time, (in_flight + incoming) / weight.  Unlike upstream the
 * in-flight byte count is a long, so it does not wrap at 2 GiB, and no
 * lock is taken per I/O.
 */
#include <linux/device-mapper.h>
#include <linux/err.h>
#include <linux/slab.h>

#include "mpath_path_selector.h"

#define DM_MSG_PREFIX "multipath service-time"

#define ST_WEIGHT_MAX 100
/* weights fit in 7 bits: keep products of byte counts and weights exact */
#define ST_SCALE_SHIFT 7
#define ST_SCALE_LIMIT (ULONG_MAX >> ST_SCALE_SHIFT)

struct st_path {
	struct mp_ps_slot slot;
	unsigned int weight;
	atomic_long_t inflight;
};
/* mp_ps_vec_sel_destroy() kfree()s the slot */
static_assert(offsetof(struct st_path, slot) == 0);

static struct st_path *st_of(struct mp_ps_path *psp)
{
	return container_of(psp->ctx, struct st_path, slot);
}

/* args: [<repeat_count> [<relative_throughput>]] */
static int st_add_path(struct mp_selector *sel, struct mp_ps_path *psp,
		       unsigned int argc, char **argv, char **error)
{
	unsigned int weight = 1;
	struct st_path *sp;
	int ret;

	sp = mp_ps_new_path(sel, argc, argv, 2, true, sizeof(*sp), error);
	if (IS_ERR(sp))
		return PTR_ERR(sp);
	if (argc == 2 && (mp_ps_parse_uint(argv[1], &weight) ||
			  weight > ST_WEIGHT_MAX)) {
		kfree(sp);
		*error = "service-time ps: invalid relative_throughput value";
		return -EINVAL;
	}
	sp->weight = weight;
	ret = mp_ps_attach(sel, sel->priv, &sp->slot, psp, error);
	if (ret)
		kfree(sp);
	return ret;
}

/**
 * st_better() - is candidate c a better choice than b for @incoming bytes?
 * @cload:    in-flight bytes on the candidate
 * @cw:       the candidate's relative throughput (weight)
 * @bload:    in-flight bytes on the best path so far
 * @bw:       its weight
 * @incoming: size of the I/O being placed
 *
 * Loads are sampled once by the caller so a racing completion cannot make
 * the comparison inconsistent.  Weight 0 means "last resort".
 *
 * Return: true when the candidate's (load + incoming) / weight is lower,
 * or, at equal cost, its weight is higher.
 */
static bool st_better(unsigned long cload, unsigned int cw,
		      unsigned long bload, unsigned int bw, size_t incoming)
{
	unsigned long ct, bt;

	if (cw == bw)
		return cload < bload;
	/* same load, or one path is "use only as a last resort": weight */
	if (cload == bload || !cw || !bw)
		return cw > bw;

	cload += incoming;
	bload += incoming;
	if (cload >= ST_SCALE_LIMIT || bload >= ST_SCALE_LIMIT) {
		cload >>= ST_SCALE_SHIFT;
		bload >>= ST_SCALE_SHIFT;
	}
	/* cload / cw < bload / bw, without dividing */
	ct = cload * bw;
	bt = bload * cw;
	if (ct != bt)
		return ct < bt;
	return cw > bw;
}

/* the chosen path's load, sampled once, and the size of the new I/O */
struct st_scan {
	unsigned long load;
	unsigned int weight;
	size_t incoming;
};

static bool st_take(void *state, struct mp_ps_slot *slot, bool first)
{
	struct st_path *sp = container_of(slot, struct st_path, slot);
	unsigned long load = atomic_long_read(&sp->inflight);
	struct st_scan *best = state;

	if (!first && !st_better(load, sp->weight, best->load, best->weight,
				 best->incoming))
		return false;
	best->load = load;
	best->weight = sp->weight;
	return true;
}

static struct mp_ps_path *st_select(struct mp_selector *sel, size_t nr_bytes)
{
	struct st_scan best = { .incoming = nr_bytes };
	struct mp_ps_slot *slot = mp_ps_vec_best(sel->priv, &best, st_take);

	return slot ? slot->psp : NULL;
}

static void st_start_io(struct mp_selector *sel, struct mp_ps_path *psp,
			size_t nr_bytes)
{
	atomic_long_add(nr_bytes, &st_of(psp)->inflight);
}

static void st_end_io(struct mp_selector *sel, struct mp_ps_path *psp,
		      size_t nr_bytes, u64 start_ns)
{
	atomic_long_sub(nr_bytes, &st_of(psp)->inflight);
}

static unsigned int st_emit(struct mp_selector *sel, struct mp_ps_path *psp,
			    status_type_t type, char *buf, unsigned int max)
{
	struct st_path *sp;
	unsigned int len = 0;

	if (mp_ps_emit_fixed(psp, type, buf, max, &len))
		return len;
	sp = st_of(psp);
	if (type == STATUSTYPE_INFO)
		MP_EMIT(buf, len, max, "%ld %u ",
			atomic_long_read(&sp->inflight), sp->weight);
	else
		MP_EMIT(buf, len, max, "%u %u ", sp->slot.repeat, sp->weight);
	return len;
}

const struct mp_selector_type mp_ps_service_time = {
	.name = "service-time",
	.table_args = 2,
	.info_args = 2,
	MP_PS_MESSAGES("service-time", "Error allocating path context"),
	.create = mp_ps_vec_sel_create,
	.destroy = mp_ps_vec_sel_destroy,
	.add_path = st_add_path,
	.select = st_select,
	.fail = mp_ps_fail,
	.reinstate = mp_ps_reinstate,
	.emit = st_emit,
	.start_io = st_start_io,
	.end_io = st_end_io,
};
