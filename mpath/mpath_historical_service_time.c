// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: "historical-service-time" selector (table-compatible
 * with the in-tree 0.1.1, which Debian does not build).
 *
 * Every path keeps an exponentially weighted moving average of its
 * service time (10-bit fixed point).  An I/O goes to the path whose
 * average times (1 + outstanding) is smallest; paths that have not
 * completed anything for longer than their expected time are "stale" and
 * get a single probe I/O so that a recovered path is noticed.
 *
 * Group args: [<base_weight 0..1023> [<threshold_multiplier>]].
 * Path args:  [<repeat_count>] (accepted, echoed as 0 like upstream).
 *
 * The averages are updated under a per-path lock at completion time only;
 * selection reads them without locking.
 */
#include <linux/device-mapper.h>
#include <linux/err.h>
#include <linux/sched/clock.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "mpath_path_selector.h"

#define DM_MSG_PREFIX "multipath historical-service-time"

#define HST_FRAC 10			/* fixed point fraction bits */
#define HST_ONE (1ULL << HST_FRAC)
#define HST_DEFAULT_BASE 972		/* ~0.95 */
#define HST_VAL_MAX (U64_MAX >> HST_FRAC)
#define HST_NR_BUCKETS 64
#define HST_BUCKET_SHIFT 24		/* ~16.7 ms per bucket */

struct hst_path {
	struct mp_ps_slot slot;
	spinlock_t lock;		/* serialises completions */
	u64 avg;			/* fixed point ns */
	u64 stale_after;
	u64 last_finish;
	atomic64_t outstanding;
};
/* mp_ps_new_path() and mp_ps_vec_free() treat the slot as the allocation */
static_assert(offsetof(struct hst_path, slot) == 0);

struct hst_sel {
	struct mp_ps_vec vec;
	atomic_t nr_usable;
	unsigned int threshold;
	unsigned int decay[HST_NR_BUCKETS];
};

/* x ** n for x in HST_FRAC fixed point, rounding each product. */
static u64 hst_fixed_pow(u64 x, unsigned int n)
{
	u64 acc = HST_ONE;
	const u64 half = HST_ONE >> 1;

	while (n) {
		if (n & 1)
			acc = (acc * x + half) >> HST_FRAC;
		n >>= 1;
		if (n)
			x = (x * x + half) >> HST_FRAC;
	}
	return acc;
}

static int hst_create(struct mp_selector *sel, unsigned int argc, char **argv)
{
	unsigned int base = HST_DEFAULT_BASE, threshold = 0, i;
	struct hst_sel *hs;

	if (argc > 2)
		return -EINVAL;
	if (argc && (mp_ps_parse_uint(argv[0], &base) || base >= HST_ONE))
		return -EINVAL;
	if (argc > 1 && mp_ps_parse_uint(argv[1], &threshold))
		return -EINVAL;

	hs = kzalloc(sizeof(*hs), GFP_KERNEL);
	if (!hs)
		return -ENOMEM;
	hs->threshold = threshold;
	atomic_set(&hs->nr_usable, 0);
	/* decay[k] = base^(k+1); the last bucket forgets history entirely */
	for (i = 0; i < HST_NR_BUCKETS - 1; i++)
		hs->decay[i] = hst_fixed_pow(base, i + 1);
	hs->decay[HST_NR_BUCKETS - 1] = 0;
	sel->priv = hs;
	return 0;
}

static struct hst_path *hst_of(struct mp_ps_path *psp)
{
	return container_of(psp->ctx, struct hst_path, slot);
}

static void hst_destroy(struct mp_selector *sel)
{
	struct hst_sel *hs = sel->priv;

	mp_ps_vec_free(&hs->vec, NULL);
	kfree(hs);
	sel->priv = NULL;
}

/* path args: [<repeat_count>], accepted and not used */
static int hst_add_path(struct mp_selector *sel, struct mp_ps_path *psp,
			unsigned int argc, char **argv, char **error)
{
	struct hst_sel *hs = sel->priv;
	struct hst_path *hp;
	int ret;

	hp = mp_ps_new_path(sel, argc, argv, 1, false, sizeof(*hp), error);
	if (IS_ERR(hp))
		return PTR_ERR(hp);
	hp->avg = HST_ONE;
	spin_lock_init(&hp->lock);
	atomic64_set(&hp->outstanding, 0);
	ret = mp_ps_attach(sel, &hs->vec, &hp->slot, psp, error);
	if (ret) {
		kfree(hp);
		return ret;
	}
	atomic_inc(&hs->nr_usable);
	return 0;
}

struct hst_sample {
	u64 avg;
	s64 out;
	s64 stale;
};

static void hst_sample(struct hst_path *hp, struct hst_sample *s)
{
	s->avg = READ_ONCE(hp->avg);
	s->out = atomic64_read(&hp->outstanding);
	s->stale = READ_ONCE(hp->stale_after);
}

/**
 * hst_order() - compare two paths for historical-service-time.
 * @hs:  the selector (threshold factor)
 * @a:   sample of the first path
 * @b:   sample of the second path
 * @now: current local_clock() time, for the staleness probe
 *
 * Averages within the threshold factor of each other: fewer outstanding
 * I/Os wins.  Otherwise an idle path whose average is stale is probed
 * first, and else the lower expected service time,
 * (1 + outstanding) * average, wins.
 *
 * Return: negative when @a should be preferred over @b.
 */
static s64 hst_order(const struct hst_sel *hs, struct hst_sample a,
		     struct hst_sample b, s64 now)
{
	bool b_wins, distinct;

	/* averages within the threshold factor: just balance the counts */
	if (a.avg > b.avg)
		distinct = a.avg > (u64)hs->threshold * b.avg;
	else
		distinct = b.avg > (u64)hs->threshold * a.avg;
	if (!distinct)
		return a.out - b.out;

	/* an idle stale path gets a probe; of two idle ones the older */
	if ((!a.out && a.stale < now) || (!b.out && b.stale < now) ||
	    (!a.out && !b.out))
		return (!b.out * a.stale) - (!a.out * b.stale);

	if (a.out == b.out) {
		b_wins = a.avg > b.avg;
	} else {
		if (a.out >= HST_ONE || b.out >= HST_ONE) {
			a.avg >>= HST_FRAC;
			b.avg >>= HST_FRAC;
		}
		b_wins = (1 + a.out) * a.avg > (1 + b.out) * b.avg;
	}

	/* a stale winner is only trusted as far as equal counts */
	if (b_wins)
		return b.stale < now ? a.out - b.out : 1;
	return a.stale < now ? a.out - b.out : -1;
}

/* the chosen path's sample, compared at one instant */
struct hst_scan {
	const struct hst_sel *hs;
	struct hst_sample best;
	s64 now;
};

static bool hst_take(void *state, struct mp_ps_slot *slot, bool first)
{
	struct hst_scan *scan = state;
	struct hst_sample cs;

	hst_sample(container_of(slot, struct hst_path, slot), &cs);
	if (!first && hst_order(scan->hs, cs, scan->best, scan->now) >= 0)
		return false;
	scan->best = cs;
	return true;
}

static struct mp_ps_path *hst_select(struct mp_selector *sel, size_t nr_bytes)
{
	struct hst_sel *hs = sel->priv;
	struct hst_scan scan = { .hs = hs, .now = local_clock() };
	struct mp_ps_slot *slot = mp_ps_vec_best(&hs->vec, &scan, hst_take);

	return slot ? slot->psp : NULL;
}

static void hst_fail(struct mp_selector *sel, struct mp_ps_path *psp)
{
	struct hst_sel *hs = sel->priv;

	mp_ps_fail(sel, psp);
	atomic_dec(&hs->nr_usable);
}

static void hst_reinstate(struct mp_selector *sel, struct mp_ps_path *psp)
{
	struct hst_sel *hs = sel->priv;

	mp_ps_reinstate(sel, psp);
	atomic_inc(&hs->nr_usable);
}

static void hst_start_io(struct mp_selector *sel, struct mp_ps_path *psp,
			 size_t nr_bytes)
{
	atomic64_inc(&hst_of(psp)->outstanding);
}

static void hst_end_io(struct mp_selector *sel, struct mp_ps_path *psp,
		       size_t nr_bytes, u64 start_ns)
{
	struct hst_sel *hs = sel->priv;
	struct hst_path *hp = hst_of(psp);
	u64 now = local_clock(), took, w, avg;
	unsigned long irqf;

	spin_lock_irqsave(&hp->lock, irqf);
	/* overlapping requests: count only the time after the previous one */
	if (time_after64(hp->last_finish, start_ns))
		start_ns = hp->last_finish;
	hp->last_finish = now;
	took = time_before64(now, start_ns) ? 0 : now - start_ns;

	w = hs->decay[min_t(u64, took >> HST_BUCKET_SHIFT,
			    HST_NR_BUCKETS - 1)];
	avg = hp->avg * w + min(took * HST_ONE, HST_VAL_MAX) * (HST_ONE - w);
	avg = (avg + (HST_ONE >> 1)) >> HST_FRAC;
	WRITE_ONCE(hp->avg, avg);
	WRITE_ONCE(hp->stale_after, now + atomic_read(&hs->nr_usable) *
		   (avg >> HST_FRAC));
	spin_unlock_irqrestore(&hp->lock, irqf);
	atomic64_dec(&hp->outstanding);
}

static unsigned int hst_emit(struct mp_selector *sel, struct mp_ps_path *psp,
			     status_type_t type, char *buf, unsigned int max)
{
	struct hst_sel *hs = sel->priv;
	struct hst_path *hp;
	unsigned int len = 0;

	if (!psp) {
		MP_EMIT(buf, len, max, "2 %u %u ", hs->decay[0], hs->threshold);
		return len;
	}
	if (mp_ps_emit_fixed(psp, type, buf, max, &len))
		return len;
	hp = hst_of(psp);
	if (type == STATUSTYPE_INFO)
		MP_EMIT(buf, len, max, "%llu %llu %llu ", READ_ONCE(hp->avg),
			(u64)atomic64_read(&hp->outstanding),
			READ_ONCE(hp->stale_after));
	else
		MP_EMIT(buf, len, max, "0 ");
	return len;
}

const struct mp_selector_type mp_ps_hist_service_time = {
	.name = "historical-service-time",
	.table_args = 1,
	.info_args = 3,
	.want_start_time = true,
	MP_PS_MESSAGES("historical-service-time",
		       "Error allocating path context"),
	.create = hst_create,
	.destroy = hst_destroy,
	.add_path = hst_add_path,
	.select = hst_select,
	.fail = hst_fail,
	.reinstate = hst_reinstate,
	.emit = hst_emit,
	.start_io = hst_start_io,
	.end_io = hst_end_io,
};
