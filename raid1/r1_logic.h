/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel raid1: pure logic shared by the personality and its KUnit tests.
 *
 * Nothing in here knows about struct mddev: the IO gate only needs a
 * word/bit to poll for "abort", and the read balancer works on a small
 * array of candidate descriptions filled in by the IO path.
 */
#ifndef KEEL_R1_LOGIC_H
#define KEEL_R1_LOGIC_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/hash.h>
#include <linux/time64.h>

/*
 * The array is cut into 64 MiB "units". Resync raises a fence on one
 * unit at a time; normal writes only wait when their own unit is fenced.
 * Units are hashed onto a fixed table of buckets. The bucket count must
 * stay at 1024: md core sizes rdev->serial[] (write serialisation) with
 * the same number, and the personality indexes it by bucket.
 */
#define R1_UNIT_SHIFT		17
#define R1_UNIT_SECTORS		(1UL << R1_UNIT_SHIFT)
#define R1_BUCKET_SHIFT		10
#define R1_NR_BUCKETS		(1 << R1_BUCKET_SHIFT)

/* How many resync requests may be in flight inside one unit. */
#define R1_FENCE_DEPTH		32

static inline unsigned int r1_bucket(sector_t sector)
{
	return hash_long(sector >> R1_UNIT_SHIFT, R1_BUCKET_SHIFT);
}

/* Sectors from @start to the end of its unit, capped at @len. */
static inline sector_t r1_unit_room(sector_t start, sector_t len)
{
	sector_t room = R1_UNIT_SECTORS - (start & (R1_UNIT_SECTORS - 1));

	return room < len ? room : len;
}

/**
 * struct r1_gate - mutual exclusion between normal IO and resync windows
 * @lock: serialises the slow paths (waiting, raising, freezing)
 * @wq: everybody who waits on the gate sleeps here
 * @busy: per bucket, normal requests currently admitted
 * @blocked: per bucket, normal requests waiting to be admitted
 * @parked: per bucket, admitted requests parked on raid1d's lists
 * @fence: per bucket, resync requests in flight (raised fences)
 * @sync_busy: total resync requests in flight
 * @frozen: the whole array is held (error handling, reconfiguration)
 *
 * Fast path for normal IO: bump @busy, then look at @fence/@frozen. The
 * resync side raises @fence first and then waits for @busy to drain, so
 * with a full barrier between the two steps on both sides one of them
 * always sees the other.
 */
struct r1_gate {
	spinlock_t lock;
	wait_queue_head_t wq;
	atomic_t *busy;
	atomic_t *blocked;
	atomic_t *parked;
	atomic_t *fence;
	atomic_t sync_busy;
	int frozen;
};

int r1_gate_init(struct r1_gate *g);
void r1_gate_destroy(struct r1_gate *g);
bool r1_gate_enter(struct r1_gate *g, unsigned int b, bool is_write,
		   bool nowait);
void r1_gate_enter_held(struct r1_gate *g, unsigned int b);
void r1_gate_leave(struct r1_gate *g, unsigned int b);
int r1_gate_raise(struct r1_gate *g, unsigned int b,
		  const unsigned long *abort_word, int abort_bit);
void r1_gate_lower(struct r1_gate *g, unsigned int b);
void r1_gate_park(struct r1_gate *g, unsigned int b);
void r1_gate_unpark(struct r1_gate *g, unsigned int b);
int r1_gate_unparked(struct r1_gate *g);
void r1_gate_freeze(struct r1_gate *g, int extra,
		    void (*drain)(void *arg), void *arg);
void r1_gate_thaw(struct r1_gate *g);
void r1_gate_wait_sync_idle(struct r1_gate *g);
void r1_gate_kick(struct r1_gate *g);

/*
 * Read balancer.
 */

/* A leg not read from for this long gets one probe read (ns). */
#define R1_PROBE_NS		(200ULL * NSEC_PER_MSEC)
/* Latency average floor, so that "unknown" legs compare sanely (ns). */
#define R1_LAT_FLOOR_NS		1000ULL
/* EWMA weight: new = old + (sample - old) / 2^R1_LAT_EWMA_SHIFT */
#define R1_LAT_EWMA_SHIFT	3
/* One read in R1_LAT_SAMPLE (a power of two) per leg and reason is timed. */
#define R1_LAT_SAMPLE		8

/**
 * struct r1_cand - what the balancer knows about one leg for one read
 * @good: sectors readable from this leg starting at the request
 *        (0: the leg cannot serve the first sector)
 * @lat_ns: moving average of read completion latency, 0 if unknown
 * @idle_ns: time since the balancer last sent a read to this leg
 * @dist: distance of the request from the leg's last head position
 * @inflight: requests outstanding on the leg
 * @seq: the request continues the leg's sequential stream
 * @write_mostly: only read from this leg when nothing else can serve
 * @nonrot: the leg is non-rotational
 */
struct r1_cand {
	int good;
	u64 lat_ns;
	u64 idle_ns;
	sector_t dist;
	unsigned int inflight;
	bool seq;
	bool write_mostly;
	bool nonrot;
};

/* Why a leg was chosen (exported in the stats, used by the tests). */
enum r1_pick_why {
	R1_WHY_NONE,
	R1_WHY_FIRST,		/* resync window: first readable leg */
	R1_WHY_ONLY,		/* single usable leg */
	R1_WHY_SEQ,		/* sequential stream affinity */
	R1_WHY_SCORE,		/* lowest latency x queue score */
	R1_WHY_DIST,		/* rotational: nearest head */
	R1_WHY_PROBE,		/* refresh a stale latency average */
	R1_WHY_PARTIAL,		/* nobody has all of it: longest prefix */
	R1_WHY_WMOSTLY,		/* only a write-mostly leg can serve */
};

/**
 * struct r1_pick - the balancer's answer
 * @leg: index into the candidate array, -1 when no leg can serve
 * @sectors: how much of the read @leg serves
 * @why: the rule that decided
 */
struct r1_pick {
	int leg;
	int sectors;
	enum r1_pick_why why;
};

void r1_balance(const struct r1_cand *c, int n, int sectors,
		bool first_only, struct r1_pick *out);
u64 r1_lat_fold(u64 avg, u64 sample);
bool r1_lat_timed(enum r1_pick_why why, u64 avg, u64 nth);

#endif
