// SPDX-License-Identifier: GPL-2.0
/*
 * keel raid1: read balancer.
 *
 * Pure decision logic: the IO path describes every leg in a struct
 * r1_cand and this file picks one. Order of the rules:
 *
 *  1. Inside the resync window only the first readable leg is safe
 *     (the legs may differ there); write-mostly legs only if nothing else.
 *  2. Legs that can serve the whole request beat legs that can serve a
 *     prefix (bad blocks); with none, the longest prefix wins and the
 *     caller splits the request.
 *  3. Write-mostly legs are a last resort.
 *  4. Among the full legs of an array with a non-rotational member:
 *       - a leg not read from for R1_PROBE_NS and idle gets one probe read
 *         so that its latency average follows reality;
 *       - score = (inflight + 1) * max(avg latency, floor), lowest wins;
 *       - a leg continuing its sequential stream keeps it unless its score
 *         is more than twice the best.
 *     On all-rotational arrays the sequential leg, else the nearest head,
 *     wins; legs four times slower than the fastest are skipped.
 */
#include <linux/kernel.h>
#include <linux/export.h>

#include "r1_logic.h"

/**
 * r1_lat_fold() - fold one latency sample into a moving average
 * @avg: current average (0 = no sample yet)
 * @sample: new completion latency in ns
 *
 * Return: the new average.
 */
u64 r1_lat_fold(u64 avg, u64 sample)
{
	if (!avg)
		return sample ? sample : 1;
	if (sample >= avg)
		return avg + ((sample - avg) >> R1_LAT_EWMA_SHIFT);
	return avg - ((avg - sample) >> R1_LAT_EWMA_SHIFT);
}

/**
 * r1_lat_timed() - should this read's latency be measured?
 * @why: the rule that sent the read to its leg
 * @avg: the leg's current latency average (0 = none yet)
 * @nth: how many reads that leg got for the same reason, this one included
 *
 * Two clock reads per read cost more than the rest of the bookkeeping,
 * and the average does not need every sample: one read in R1_LAT_SAMPLE
 * per leg and reason is timed. A probe always is (it is the only sample
 * an avoided leg gets), and so is every read of a leg without an average.
 *
 * Return: true to time the read.
 */
bool r1_lat_timed(enum r1_pick_why why, u64 avg, u64 nth)
{
	if (why == R1_WHY_PROBE || !avg)
		return true;
	return !(nth & (R1_LAT_SAMPLE - 1));
}

static u64 r1_score(const struct r1_cand *c)
{
	u64 lat = max_t(u64, c->lat_ns, R1_LAT_FLOOR_NS);

	return lat * ((u64)c->inflight + 1);
}

static void r1_set(struct r1_pick *out, int leg, int sectors,
		   enum r1_pick_why why)
{
	out->leg = leg;
	out->sectors = sectors;
	out->why = why;
}

static void r1_pick_rotational(const struct r1_cand *c, int n, int sectors,
			       struct r1_pick *out)
{
	u64 fastest = U64_MAX;
	sector_t near = (sector_t)-1;
	int i, best = -1;

	for (i = 0; i < n; i++)
		if (c[i].good >= sectors && !c[i].write_mostly && c[i].lat_ns)
			fastest = min(fastest, c[i].lat_ns);

	for (i = 0; i < n; i++) {
		if (c[i].good < sectors || c[i].write_mostly)
			continue;
		if (fastest != U64_MAX && c[i].lat_ns &&
		    c[i].lat_ns / 4 > fastest)
			continue;
		if (c[i].seq) {
			r1_set(out, i, sectors, R1_WHY_SEQ);
			return;
		}
		if (best < 0 || c[i].dist < near) {
			near = c[i].dist;
			best = i;
		}
	}
	r1_set(out, best, sectors, R1_WHY_DIST);
}

static void r1_pick_scored(const struct r1_cand *c, int n, int sectors,
			   struct r1_pick *out)
{
	u64 best_score = U64_MAX;
	int i, best = -1, seq = -1;

	for (i = 0; i < n; i++) {
		u64 s;

		if (c[i].good < sectors || c[i].write_mostly)
			continue;
		if (c[i].idle_ns > R1_PROBE_NS && !c[i].inflight) {
			r1_set(out, i, sectors, R1_WHY_PROBE);
			return;
		}
		s = r1_score(&c[i]);
		if (s < best_score ||
		    (s == best_score && c[i].inflight < c[best].inflight)) {
			best_score = s;
			best = i;
		}
		if (c[i].seq && seq < 0)
			seq = i;
	}
	if (seq >= 0 && r1_score(&c[seq]) <= 2 * best_score) {
		r1_set(out, seq, sectors, R1_WHY_SEQ);
		return;
	}
	r1_set(out, best, sectors, R1_WHY_SCORE);
}

/**
 * r1_balance() - choose the leg that serves a read
 * @c: one candidate description per leg slot
 * @n: number of slots
 * @sectors: length of the read
 * @first_only: the read touches the resync window
 * @out: result; out->leg is -1 when no leg can serve the first sector,
 *       out->sectors may be smaller than @sectors (split needed)
 */
void r1_balance(const struct r1_cand *c, int n, int sectors,
		bool first_only, struct r1_pick *out)
{
	int i, full = 0, one = -1, longest = -1, wm = -1;
	bool nonrot = false;

	r1_set(out, -1, 0, R1_WHY_NONE);
	for (i = 0; i < n; i++) {
		if (c[i].good <= 0)
			continue;
		if (c[i].write_mostly) {
			if (wm < 0 || c[i].good > c[wm].good)
				wm = i;
			continue;
		}
		if (first_only) {
			r1_set(out, i, min(c[i].good, sectors), R1_WHY_FIRST);
			return;
		}
		if (c[i].good >= sectors) {
			full++;
			one = i;
			nonrot |= c[i].nonrot;
		} else if (longest < 0 || c[i].good > c[longest].good) {
			longest = i;
		}
	}

	if (!full) {
		if (longest >= 0)
			r1_set(out, longest, c[longest].good, R1_WHY_PARTIAL);
		else if (wm >= 0)
			r1_set(out, wm, min(c[wm].good, sectors),
			       R1_WHY_WMOSTLY);
		return;
	}
	if (full == 1) {
		r1_set(out, one, sectors, R1_WHY_ONLY);
		return;
	}
	if (nonrot)
		r1_pick_scored(c, n, sectors, out);
	else
		r1_pick_rotational(c, n, sectors, out);
}
