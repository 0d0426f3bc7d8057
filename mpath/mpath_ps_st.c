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
#include <linux/slab.h>

#include "mpath_ps.h"

#define DM_MSG_PREFIX "multipath service-time"

#define ST_WEIGHT_MAX 100
/* weights fit in 7 bits: keep products of byte counts and weights exact */
#define ST_SCALE_SHIFT 7
#define ST_SCALE_LIMIT (ULONG_MAX >> ST_SCALE_SHIFT)

struct st_path {
	struct mp_ps_slot slot;
	unsigned int repeat;
	unsigned int weight;
	atomic_long_t inflight;
};

struct st_sel {
	struct mp_ps_vec vec;
};

static int st_create(struct mp_selector *sel, unsigned int argc, char **argv)
{
	struct st_sel *ss = kzalloc(sizeof(*ss), GFP_KERNEL);

	if (!ss)
		return -ENOMEM;
	sel->priv = ss;
	return 0;
}

static void st_destroy(struct mp_selector *sel)
{
	struct st_sel *ss = sel->priv;
	unsigned int i;

	for (i = 0; i < ss->vec.nr; i++)
		kfree(container_of(ss->vec.v[i], struct st_path, slot));
	mp_ps_vec_release(&ss->vec);
	kfree(ss);
	sel->priv = NULL;
}

/* args: [<repeat_count> [<relative_throughput>]] */
static int st_add_path(struct mp_selector *sel, struct mp_ps_path *psp,
		       unsigned int argc, char **argv, char **error)
{
	struct st_sel *ss = sel->priv;
	unsigned int repeat = 1, weight = 1;
	struct st_path *sp;

	if (argc > 2) {
		*error = "service-time ps: incorrect number of arguments";
		return -EINVAL;
	}
	if (argc && mp_ps_parse_uint(argv[0], &repeat)) {
		*error = "service-time ps: invalid repeat count";
		return -EINVAL;
	}
	if (repeat > 1) {
		DMWARN_LIMIT("repeat_count > 1 is deprecated, using 1 instead");
		repeat = 1;
	}
	if (argc == 2 && (mp_ps_parse_uint(argv[1], &weight) ||
			  weight > ST_WEIGHT_MAX)) {
		*error = "service-time ps: invalid relative_throughput value";
		return -EINVAL;
	}

	sp = kzalloc(sizeof(*sp), GFP_KERNEL);
	if (!sp) {
		*error = "service-time ps: Error allocating path context";
		return -ENOMEM;
	}
	sp->repeat = repeat;
	sp->weight = weight;
	sp->slot.psp = psp;
	atomic_long_set(&sp->inflight, 0);
	if (mp_ps_vec_add(&ss->vec, &sp->slot)) {
		kfree(sp);
		*error = "service-time ps: Error allocating path context";
		return -ENOMEM;
	}
	psp->ctx = sp;
	return 0;
}

/*
 * st_better() - is candidate @c a better choice than @b for @incoming bytes?
 * Loads are sampled once by the caller so a racing completion cannot make
 * the comparison inconsistent.
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

static struct mp_ps_path *st_select(struct mp_selector *sel, size_t nr_bytes)
{
	struct st_sel *ss = sel->priv;
	/* pairs with the release in mp_ps_vec_add() */
	unsigned int nr = smp_load_acquire(&ss->vec.nr);
	struct st_path *best = NULL;
	unsigned long best_load = 0;
	unsigned int start, i, best_off = 0;

	if (!nr)
		return NULL;
	start = (unsigned int)atomic_inc_return(&ss->vec.cursor);
	for (i = 0; i < nr; i++) {
		struct mp_ps_slot *slot = ss->vec.v[(start + i) % nr];
		struct st_path *sp = container_of(slot, struct st_path, slot);
		unsigned long load;

		if (!mp_ps_slot_usable(slot))
			continue;
		load = atomic_long_read(&sp->inflight);
		if (!best || st_better(load, sp->weight, best_load,
				       best->weight, nr_bytes)) {
			best = sp;
			best_off = i;
			best_load = load;
		}
	}
	if (!best)
		return NULL;
	mp_ps_vec_skip(&ss->vec, best_off);
	return best->slot.psp;
}

static void st_fail(struct mp_selector *sel, struct mp_ps_path *psp)
{
	struct st_path *sp = psp->ctx;

	mp_ps_slot_set_usable(&sp->slot, false);
}

static void st_reinstate(struct mp_selector *sel, struct mp_ps_path *psp)
{
	struct st_path *sp = psp->ctx;

	mp_ps_slot_set_usable(&sp->slot, true);
}

static void st_start_io(struct mp_selector *sel, struct mp_ps_path *psp,
			size_t nr_bytes)
{
	struct st_path *sp = psp->ctx;

	atomic_long_add(nr_bytes, &sp->inflight);
}

static void st_end_io(struct mp_selector *sel, struct mp_ps_path *psp,
		      size_t nr_bytes, u64 start_ns)
{
	struct st_path *sp = psp->ctx;

	atomic_long_sub(nr_bytes, &sp->inflight);
}

static unsigned int st_emit(struct mp_selector *sel, struct mp_ps_path *psp,
			    status_type_t type, char *buf, unsigned int max)
{
	struct st_path *sp;
	unsigned int len = 0;

	if (!psp) {
		MP_EMIT(buf, len, max, "0 ");
		return len;
	}
	sp = psp->ctx;
	switch (type) {
	case STATUSTYPE_INFO:
		MP_EMIT(buf, len, max, "%ld %u ",
			atomic_long_read(&sp->inflight), sp->weight);
		break;
	case STATUSTYPE_TABLE:
		MP_EMIT(buf, len, max, "%u %u ", sp->repeat, sp->weight);
		break;
	case STATUSTYPE_IMA:
		if (max)
			buf[0] = '\0';
		break;
	}
	return len;
}

const struct mp_selector_type mp_ps_service_time = {
	.name = "service-time",
	.table_args = 2,
	.info_args = 2,
	.create = st_create,
	.destroy = st_destroy,
	.add_path = st_add_path,
	.select = st_select,
	.fail = st_fail,
	.reinstate = st_reinstate,
	.emit = st_emit,
	.start_io = st_start_io,
	.end_io = st_end_io,
};
