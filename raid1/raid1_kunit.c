// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for keel raid1's pure logic: the read balancer and the IO
 * gate (barrier accounting). The logic files are compiled into this
 * module directly, so the test module does not depend on raid1.ko or md.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "r1_balance.c"
#include "r1_gate.c"

#define SECT 8

static void cand_fast(struct r1_cand *c)
{
	memset(c, 0, sizeof(*c));
	c->good = SECT;
	c->lat_ns = 50 * NSEC_PER_USEC;
	c->idle_ns = NSEC_PER_MSEC;
	c->nonrot = true;
}

static void r1_test_failed_leg_skipped(struct kunit *test)
{
	struct r1_cand c[2];
	struct r1_pick p;

	cand_fast(&c[0]);
	cand_fast(&c[1]);
	c[0].good = 0;			/* faulty / bad block at start */
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 1);
	KUNIT_EXPECT_EQ(test, p.sectors, SECT);
	KUNIT_EXPECT_EQ(test, p.why, R1_WHY_ONLY);

	c[1].good = 0;
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, -1);
}

static void r1_test_write_mostly_last_resort(struct kunit *test)
{
	struct r1_cand c[2];
	struct r1_pick p;

	cand_fast(&c[0]);
	cand_fast(&c[1]);
	c[0].write_mostly = true;
	c[0].lat_ns = 1;		/* even if it looks much better */
	c[1].inflight = 500;
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 1);

	/* partial read from a normal leg beats a full write-mostly one */
	c[1].good = 3;
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 1);
	KUNIT_EXPECT_EQ(test, p.sectors, 3);
	KUNIT_EXPECT_EQ(test, p.why, R1_WHY_PARTIAL);

	c[1].good = 0;
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 0);
	KUNIT_EXPECT_EQ(test, p.why, R1_WHY_WMOSTLY);

	/* also inside the resync window */
	c[1].good = SECT;
	r1_balance(c, 2, SECT, true, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 1);
	KUNIT_EXPECT_EQ(test, p.why, R1_WHY_FIRST);
}

static void r1_test_sequential_affinity(struct kunit *test)
{
	struct r1_cand c[2];
	struct r1_pick p;

	cand_fast(&c[0]);
	cand_fast(&c[1]);
	c[1].seq = true;
	c[1].inflight = 1;		/* a little busier: still keeps it */
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 1);
	KUNIT_EXPECT_EQ(test, p.why, R1_WHY_SEQ);

	/* but not when that leg is overloaded */
	c[1].inflight = 20;
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 0);
	KUNIT_EXPECT_EQ(test, p.why, R1_WHY_SCORE);
}

static void r1_test_latency_aware(struct kunit *test)
{
	struct r1_cand c[2];
	struct r1_pick p;

	cand_fast(&c[0]);
	cand_fast(&c[1]);
	c[0].lat_ns = 5 * NSEC_PER_MSEC;	/* leg behind a 5 ms delay */
	c[1].inflight = 30;			/* fast leg, queue of 30 */
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 1);
	KUNIT_EXPECT_EQ(test, p.why, R1_WHY_SCORE);

	/* once the fast leg's queue costs more than the slow leg: move */
	c[1].inflight = 200;
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 0);

	/* equal legs: the less loaded one */
	cand_fast(&c[0]);
	cand_fast(&c[1]);
	c[0].inflight = 4;
	c[1].inflight = 3;
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 1);
}

static void r1_test_probe_stale_leg(struct kunit *test)
{
	struct r1_cand c[2];
	struct r1_pick p;

	cand_fast(&c[0]);
	cand_fast(&c[1]);
	c[0].lat_ns = 5 * NSEC_PER_MSEC;
	c[0].idle_ns = 2 * R1_PROBE_NS;
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 0);
	KUNIT_EXPECT_EQ(test, p.why, R1_WHY_PROBE);

	/* no probe while it still has IO outstanding */
	c[0].inflight = 1;
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 1);
}

static void r1_test_resync_window_first(struct kunit *test)
{
	struct r1_cand c[3];
	struct r1_pick p;

	cand_fast(&c[0]);
	cand_fast(&c[1]);
	cand_fast(&c[2]);
	c[0].good = 0;
	c[1].lat_ns = 10 * NSEC_PER_MSEC;	/* slow, but first readable */
	c[1].good = 5;
	r1_balance(c, 3, SECT, true, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 1);
	KUNIT_EXPECT_EQ(test, p.sectors, 5);
	KUNIT_EXPECT_EQ(test, p.why, R1_WHY_FIRST);
}

static void r1_test_rotational(struct kunit *test)
{
	struct r1_cand c[2];
	struct r1_pick p;

	cand_fast(&c[0]);
	cand_fast(&c[1]);
	c[0].nonrot = false;
	c[1].nonrot = false;
	c[0].dist = 1000;
	c[1].dist = 10;
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 1);
	KUNIT_EXPECT_EQ(test, p.why, R1_WHY_DIST);

	c[0].seq = true;
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 0);
	KUNIT_EXPECT_EQ(test, p.why, R1_WHY_SEQ);

	/* a rotational leg 4x slower than the other is avoided */
	c[0].lat_ns = 100 * NSEC_PER_MSEC;
	r1_balance(c, 2, SECT, false, &p);
	KUNIT_EXPECT_EQ(test, p.leg, 1);
}

static void r1_test_lat_fold(struct kunit *test)
{
	u64 avg = 0;
	int i;

	avg = r1_lat_fold(avg, 1000);
	KUNIT_EXPECT_EQ(test, avg, 1000ULL);
	for (i = 0; i < 200; i++)
		avg = r1_lat_fold(avg, 9000);
	KUNIT_EXPECT_GT(test, avg, 8900ULL);
	KUNIT_EXPECT_LE(test, avg, 9000ULL);
	for (i = 0; i < 200; i++)
		avg = r1_lat_fold(avg, 100);
	KUNIT_EXPECT_LT(test, avg, 200ULL);
}

/* One read in R1_LAT_SAMPLE is timed; probes and unmeasured legs always. */
static void r1_test_lat_timed(struct kunit *test)
{
	u64 avg = 50 * NSEC_PER_USEC, nth;
	int timed = 0;

	for (nth = 1; nth <= 8 * R1_LAT_SAMPLE; nth++)
		timed += r1_lat_timed(R1_WHY_SCORE, avg, nth);
	KUNIT_EXPECT_EQ(test, timed, 8);
	KUNIT_EXPECT_FALSE(test, r1_lat_timed(R1_WHY_SEQ, avg, 1));
	KUNIT_EXPECT_TRUE(test, r1_lat_timed(R1_WHY_SEQ, avg, R1_LAT_SAMPLE));
	KUNIT_EXPECT_TRUE(test, r1_lat_timed(R1_WHY_PROBE, avg, 3));
	KUNIT_EXPECT_TRUE(test, r1_lat_timed(R1_WHY_SCORE, 0, 3));
}

static void r1_test_units(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, r1_unit_room(0, 8), (sector_t)8);
	KUNIT_EXPECT_EQ(test, r1_unit_room(R1_UNIT_SECTORS - 8, 100),
			(sector_t)8);
	KUNIT_EXPECT_EQ(test, r1_unit_room(R1_UNIT_SECTORS, 100),
			(sector_t)100);
	KUNIT_EXPECT_LT(test, r1_bucket(~(sector_t)0), (unsigned int)R1_NR_BUCKETS);
	KUNIT_EXPECT_EQ(test, r1_bucket(5), r1_bucket(R1_UNIT_SECTORS - 1));
}

static void r1_test_gate_fence(struct kunit *test)
{
	unsigned long abort = 0;
	struct r1_gate g;
	unsigned int a = r1_bucket(0);
	unsigned int b = r1_bucket(R1_UNIT_SECTORS * 7);

	KUNIT_ASSERT_EQ(test, r1_gate_init(&g), 0);
	KUNIT_ASSERT_NE(test, a, b);

	KUNIT_EXPECT_EQ(test, r1_gate_raise(&g, a, &abort, 0), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&g.sync_busy), 1);
	/* writes to the fenced unit must wait, other units and reads pass */
	KUNIT_EXPECT_FALSE(test, r1_gate_enter(&g, a, true, true));
	KUNIT_EXPECT_EQ(test, atomic_read(&g.busy[a]), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&g.blocked[a]), 0);
	KUNIT_EXPECT_TRUE(test, r1_gate_enter(&g, b, true, true));
	KUNIT_EXPECT_TRUE(test, r1_gate_enter(&g, a, false, true));
	KUNIT_EXPECT_EQ(test, r1_gate_unparked(&g), 3);
	r1_gate_leave(&g, a);
	r1_gate_leave(&g, b);
	r1_gate_lower(&g, a);
	KUNIT_EXPECT_EQ(test, r1_gate_unparked(&g), 0);
	KUNIT_EXPECT_TRUE(test, r1_gate_enter(&g, a, true, true));

	/* a resync that must wait for busy IO gives up on abort */
	set_bit(0, &abort);
	KUNIT_EXPECT_EQ(test, r1_gate_raise(&g, a, &abort, 0), -EINTR);
	KUNIT_EXPECT_EQ(test, atomic_read(&g.fence[a]), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&g.sync_busy), 0);
	r1_gate_leave(&g, a);
	r1_gate_destroy(&g);
}

static void r1_no_drain(void *arg)
{
	(*(int *)arg)++;
}

static void r1_test_gate_freeze(struct kunit *test)
{
	struct r1_gate g;
	unsigned int a = r1_bucket(0);
	int drained = 0;

	KUNIT_ASSERT_EQ(test, r1_gate_init(&g), 0);

	/* one request parked on raid1d, one held by the freezer itself */
	KUNIT_EXPECT_TRUE(test, r1_gate_enter(&g, a, true, false));
	r1_gate_park(&g, a);
	KUNIT_EXPECT_TRUE(test, r1_gate_enter(&g, a, false, false));
	KUNIT_EXPECT_EQ(test, r1_gate_unparked(&g), 1);
	r1_gate_freeze(&g, 1, r1_no_drain, &drained);
	KUNIT_EXPECT_EQ(test, drained, 0);

	KUNIT_EXPECT_FALSE(test, r1_gate_enter(&g, a, false, true));
	KUNIT_EXPECT_FALSE(test, r1_gate_enter(&g, a, true, true));

	/*
	 * raid1d splits the request the freezer counts as its own: the piece
	 * gets in without waiting, and a freezer would wait for it too
	 */
	r1_gate_enter_held(&g, a);
	KUNIT_EXPECT_EQ(test, r1_gate_unparked(&g), 2);
	r1_gate_leave(&g, a);
	KUNIT_EXPECT_EQ(test, r1_gate_unparked(&g), 1);

	/* freezes nest */
	r1_gate_leave(&g, a);
	r1_gate_freeze(&g, 0, r1_no_drain, &drained);
	r1_gate_thaw(&g);
	KUNIT_EXPECT_FALSE(test, r1_gate_enter(&g, a, false, true));
	r1_gate_thaw(&g);
	KUNIT_EXPECT_TRUE(test, r1_gate_enter(&g, a, false, true));
	/* thawing an unfrozen gate is harmless */
	r1_gate_thaw(&g);
	KUNIT_EXPECT_EQ(test, g.frozen, 0);

	r1_gate_leave(&g, a);
	r1_gate_unpark(&g, a);
	r1_gate_leave(&g, a);
	KUNIT_EXPECT_EQ(test, r1_gate_unparked(&g), 0);
	r1_gate_destroy(&g);
}

static struct kunit_case r1_cases[] = {
	KUNIT_CASE(r1_test_failed_leg_skipped),
	KUNIT_CASE(r1_test_write_mostly_last_resort),
	KUNIT_CASE(r1_test_sequential_affinity),
	KUNIT_CASE(r1_test_latency_aware),
	KUNIT_CASE(r1_test_probe_stale_leg),
	KUNIT_CASE(r1_test_resync_window_first),
	KUNIT_CASE(r1_test_rotational),
	KUNIT_CASE(r1_test_lat_fold),
	KUNIT_CASE(r1_test_lat_timed),
	KUNIT_CASE(r1_test_units),
	KUNIT_CASE(r1_test_gate_fence),
	KUNIT_CASE(r1_test_gate_freeze),
	{}
};

static struct kunit_suite r1_suite = {
	.name = "keel_raid1",
	.test_cases = r1_cases,
};
kunit_test_suite(r1_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for keel raid1 (read balancer, IO gate)");
