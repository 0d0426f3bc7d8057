// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for keel dm-multipath's pure logic: the feature / hardware
 * handler / group-number parsers, the built-in path selectors and the
 * hardware handler attach decision (scsi_dh stubbed).  The files under
 * test are compiled into this module directly, so it depends on neither
 * dm-multipath.ko nor scsi_dh.  Built as mpath_kunit.ko (only with
 * CONFIG_KUNIT).
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mpath_parse.c"
#include "mpath_dh.c"
#include "mpath_path_selector.c"
/* each selector names itself in DM_MSG_PREFIX, as its in-tree twin does */
#undef DM_MSG_PREFIX
#include "mpath_round_robin.c"
#undef DM_MSG_PREFIX
#include "mpath_queue_length.c"
#undef DM_MSG_PREFIX
#include "mpath_service_time.c"
#undef DM_MSG_PREFIX
#include "mpath_historical_service_time.c"
#undef DM_MSG_PREFIX
#include "mpath_io_affinity.c"

/* ------------------------------------------------------------------ */
/* parser                                                              */
/* ------------------------------------------------------------------ */

struct feat_case {
	const char *line;
	int ret;
	const char *error;	/* expected error (ret != 0) */
	bool queue_if_no_path, retain;
	unsigned int retries, delay, npt;
	enum dm_queue_mode mode;
	unsigned int left;	/* words left after the feature group */
};

static const struct feat_case feat_cases[] = {
	{ "0 0 0 0", 0, NULL, false, false, 0, MP_PG_INIT_DELAY_DEFAULT, 0,
	  DM_TYPE_NONE, 3 },
	{ "1 queue_if_no_path 0", 0, NULL, true, false, 0,
	  MP_PG_INIT_DELAY_DEFAULT, 0, DM_TYPE_NONE, 1 },
	{ "1 QUEUE_IF_NO_PATH", 0, NULL, true, false, 0, MP_PG_INIT_DELAY_DEFAULT,
	  0, DM_TYPE_NONE, 0 },
	{ "2 pg_init_retries 50 x", 0, NULL, false, false, 50,
	  MP_PG_INIT_DELAY_DEFAULT, 0, DM_TYPE_NONE, 1 },
	{ "2 pg_init_delay_msecs 0", 0, NULL, false, false, 0, 0, 0,
	  DM_TYPE_NONE, 0 },
	{ "2 queue_mode bio", 0, NULL, false, false, 0, MP_PG_INIT_DELAY_DEFAULT, 0,
	  DM_TYPE_BIO_BASED, 0 },
	{ "2 queue_mode MQ", 0, NULL, false, false, 0, MP_PG_INIT_DELAY_DEFAULT, 0,
	  DM_TYPE_REQUEST_BASED, 0 },
	{ "8 queue_if_no_path pg_init_retries 3 pg_init_delay_msecs 100 retain_attached_hw_handler queue_mode bio",
	  0, NULL, true, true, 3, 100, 0, DM_TYPE_BIO_BASED, 0 },
	{ "10 queue_if_no_path pg_init_retries 3 pg_init_delay_msecs 100 retain_attached_hw_handler queue_mode bio no_path_timeout 30",
	  0, NULL, true, true, 3, 100, 30, DM_TYPE_BIO_BASED, 0 },
	{ "2 no_path_timeout 7", 0, NULL, false, false, 0,
	  MP_PG_INIT_DELAY_DEFAULT, 7, DM_TYPE_NONE, 0 },
	{ "", -EINVAL, "invalid number of feature args" },
	{ "9 a b c d e f g h i", -EINVAL, "invalid number of feature args" },
	{ "11 no_path_timeout 1 a b c d e f g h i",
	  -EINVAL, "invalid number of feature args" },
	{ "3 queue_if_no_path", -EINVAL, "invalid number of feature args" },
	{ "1 foo", -EINVAL, "Unrecognised multipath feature request" },
	{ "1 pg_init_retries", -EINVAL,
	  "Unrecognised multipath feature request" },
	{ "2 pg_init_retries 51", -EINVAL,
	  "pg_init_retries must be between 1 and 50" },
	{ "2 pg_init_retries 0", -EINVAL,
	  "pg_init_retries must be between 1 and 50" },
	{ "2 pg_init_delay_msecs 60001", -EINVAL,
	  "pg_init_delay_msecs must be between 0 and 60000" },
	{ "2 queue_mode foo", -EINVAL, "Unknown 'queue_mode' requested" },
	{ "2 no_path_timeout 86401", -EINVAL,
	  "no_path_timeout must be between 0 and 86400" },
};

/* split a copy of @line into words; returns argc */
static unsigned int split_words(struct kunit *test, const char *line,
				char ***argv_out)
{
	size_t len = strlen(line) + 1;
	char *copy = kunit_kzalloc(test, len, GFP_KERNEL);
	char **argv = kunit_kcalloc(test, 32, sizeof(char *), GFP_KERNEL);
	unsigned int argc = 0;
	char *word;

	KUNIT_ASSERT_NOT_NULL(test, copy);
	KUNIT_ASSERT_NOT_NULL(test, argv);
	strscpy(copy, line, len);
	while ((word = strsep(&copy, " ")) && argc < 32)
		if (*word)
			argv[argc++] = word;
	*argv_out = argv;
	return argc;
}

/* argv for a space separated word list, freed with the test */
static char **wv(struct kunit *test, const char *line)
{
	char **argv;

	split_words(test, line, &argv);
	return argv;
}

static void mp_test_features(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(feat_cases); i++) {
		const struct feat_case *c = &feat_cases[i];
		struct mp_features f = {
			.pg_init_delay_msecs = MP_PG_INIT_DELAY_DEFAULT,
			.mode = DM_TYPE_NONE,
		};
		struct dm_arg_set as;
		char *error = NULL;
		int r;

		as.argc = split_words(test, c->line, &as.argv);
		r = mp_parse_features(&as, &f, &error);
		KUNIT_EXPECT_EQ_MSG(test, r, c->ret, "line '%s'", c->line);
		if (c->ret) {
			KUNIT_EXPECT_STREQ_MSG(test, error, c->error,
					       "line '%s'", c->line);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, f.queue_if_no_path,
				    c->queue_if_no_path, "'%s'", c->line);
		KUNIT_EXPECT_EQ_MSG(test, f.retain, c->retain, "'%s'", c->line);
		KUNIT_EXPECT_EQ_MSG(test, f.pg_init_retries, c->retries, "'%s'",
				    c->line);
		KUNIT_EXPECT_EQ_MSG(test, f.pg_init_delay_msecs, c->delay, "'%s'",
				    c->line);
		KUNIT_EXPECT_EQ_MSG(test, f.no_path_timeout, c->npt, "'%s'",
				    c->line);
		KUNIT_EXPECT_EQ_MSG(test, (int)f.mode, (int)c->mode, "'%s'",
				    c->line);
		KUNIT_EXPECT_EQ_MSG(test, as.argc, c->left, "'%s'", c->line);
	}
}

static void mp_test_hw_params(struct kunit *test)
{
	char **words = wv(test, "a bc def");
	char *packed = NULL;

	KUNIT_ASSERT_EQ(test, mp_pack_hw_params(3, words, &packed), 0);
	KUNIT_EXPECT_EQ(test, memcmp(packed, "3\0a\0bc\0def\0", 12), 0);
	kfree(packed);

	KUNIT_ASSERT_EQ(test, mp_pack_hw_params(1, words + 2, &packed), 0);
	KUNIT_EXPECT_EQ(test, memcmp(packed, "1\0def\0", 7), 0);
	kfree(packed);
}

static void mp_test_group_num(struct kunit *test)
{
	unsigned int n = 0;

	KUNIT_EXPECT_EQ(test, mp_parse_group_num("2", 3, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 2u);
	KUNIT_EXPECT_EQ(test, mp_parse_group_num("3", 3, &n), 0);
	KUNIT_EXPECT_EQ(test, mp_parse_group_num("4", 3, &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, mp_parse_group_num("0", 3, &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, mp_parse_group_num("1x", 3, &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, mp_parse_group_num("x", 3, &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, mp_parse_group_num(NULL, 3, &n), -EINVAL);
	KUNIT_EXPECT_EQ(test, mp_parse_group_num("1", 0, &n), -EINVAL);
}

/* ------------------------------------------------------------------ */
/* selectors                                                           */
/* ------------------------------------------------------------------ */

#define NP 4

struct sel_fixture {
	struct mp_selector sel;
	struct mp_ps_path p[NP];
};

static int idx_of(struct sel_fixture *fx, struct mp_ps_path *psp)
{
	return psp ? (int)(psp - fx->p) : -1;
}

/* create @name with @nr paths, each given @path_args */
static void sel_setup(struct kunit *test, struct sel_fixture *fx,
		      const char *name, unsigned int gargc, char **gargv,
		      unsigned int nr, unsigned int pargc, char **pargv)
{
	char *error = NULL;
	unsigned int i;

	memset(fx, 0, sizeof(*fx));
	fx->sel.type = mp_ps_lookup(name);
	KUNIT_ASSERT_NOT_NULL(test, fx->sel.type);
	KUNIT_ASSERT_EQ(test, fx->sel.type->create(&fx->sel, gargc, gargv), 0);
	for (i = 0; i < nr; i++)
		KUNIT_ASSERT_EQ(test, fx->sel.type->add_path(&fx->sel, &fx->p[i],
							     pargc, pargv,
							     &error), 0);
}

static void sel_teardown(struct sel_fixture *fx)
{
	fx->sel.type->destroy(&fx->sel);
}

static struct mp_ps_path *sel_io_start(struct sel_fixture *fx, size_t bytes)
{
	struct mp_ps_path *psp = fx->sel.type->select(&fx->sel, bytes);

	if (psp && fx->sel.type->start_io)
		fx->sel.type->start_io(&fx->sel, psp, bytes);
	return psp;
}

static void sel_io_end(struct sel_fixture *fx, struct mp_ps_path *psp,
		       size_t bytes)
{
	if (fx->sel.type->end_io)
		fx->sel.type->end_io(&fx->sel, psp, bytes, local_clock());
}

static void mp_test_lookup(struct kunit *test)
{
	static const char * const names[] = {
		"round-robin", "queue-length", "service-time",
		"historical-service-time", "io-affinity",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		const struct mp_selector_type *t = mp_ps_lookup(names[i]);

		KUNIT_ASSERT_NOT_NULL(test, t);
		KUNIT_EXPECT_STREQ(test, t->name, names[i]);
	}
	KUNIT_EXPECT_NULL(test, mp_ps_lookup("Round-Robin"));
	KUNIT_EXPECT_NULL(test, mp_ps_lookup("bogus"));
	KUNIT_EXPECT_NULL(test, mp_ps_lookup(NULL));
}

static void mp_test_rr_rotation(struct kunit *test)
{
	struct sel_fixture fx;
	unsigned int hits[NP] = {};
	int i, last = -1;

	sel_setup(test, &fx, "round-robin", 0, NULL, 3, 0, NULL);
	/* strict rotation: never the same path twice in a row */
	for (i = 0; i < 300; i++) {
		int k = idx_of(&fx, fx.sel.type->select(&fx.sel, 4096));

		KUNIT_ASSERT_GE(test, k, 0);
		KUNIT_EXPECT_NE(test, k, last);
		last = k;
		hits[k]++;
	}
	KUNIT_EXPECT_EQ(test, hits[0], 100u);
	KUNIT_EXPECT_EQ(test, hits[1], 100u);
	KUNIT_EXPECT_EQ(test, hits[2], 100u);

	/* with the middle path failed the other two alternate */
	fx.sel.type->fail(&fx.sel, &fx.p[1]);
	memset(hits, 0, sizeof(hits));
	for (i = 0; i < 100; i++)
		hits[idx_of(&fx, fx.sel.type->select(&fx.sel, 4096))]++;
	KUNIT_EXPECT_EQ(test, hits[1], 0u);
	KUNIT_EXPECT_EQ(test, hits[0], 50u);
	KUNIT_EXPECT_EQ(test, hits[2], 50u);

	fx.sel.type->fail(&fx.sel, &fx.p[0]);
	fx.sel.type->fail(&fx.sel, &fx.p[2]);
	KUNIT_EXPECT_NULL(test, fx.sel.type->select(&fx.sel, 4096));
	fx.sel.type->reinstate(&fx.sel, &fx.p[1]);
	KUNIT_EXPECT_EQ(test, idx_of(&fx, fx.sel.type->select(&fx.sel, 1)), 1);
	sel_teardown(&fx);
}

static void mp_test_rr_args(struct kunit *test)
{
	struct mp_selector sel = { .type = mp_ps_lookup("round-robin") };
	struct mp_ps_path p;
	char **two = wv(test, "1 2");
	char **bad = wv(test, "x");
	char **big = wv(test, "9");
	char *error = NULL;
	char buf[32];
	unsigned int len;

	KUNIT_ASSERT_EQ(test, sel.type->create(&sel, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, sel.type->add_path(&sel, &p, 2, two, &error),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, error,
			   "round-robin ps: incorrect number of arguments");
	KUNIT_EXPECT_EQ(test, sel.type->add_path(&sel, &p, 1, bad, &error),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, error, "round-robin ps: invalid repeat count");
	/* repeat counts above one are clamped, as in-tree */
	KUNIT_ASSERT_EQ(test, sel.type->add_path(&sel, &p, 1, big, &error), 0);
	len = sel.type->emit(&sel, &p, STATUSTYPE_TABLE, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, len, 2u);
	KUNIT_EXPECT_STREQ(test, buf, "1 ");
	len = sel.type->emit(&sel, &p, STATUSTYPE_INFO, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, len, 0u);
	len = sel.type->emit(&sel, NULL, STATUSTYPE_TABLE, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "0 ");
	sel.type->destroy(&sel);
}

static void mp_test_ql_least_loaded(struct kunit *test)
{
	struct sel_fixture fx;
	struct mp_ps_path *held[3];
	unsigned int i;
	char buf[32];

	sel_setup(test, &fx, "queue-length", 0, NULL, 3, 0, NULL);
	/* three I/Os in flight land on three different paths */
	for (i = 0; i < 3; i++)
		held[i] = sel_io_start(&fx, 4096);
	KUNIT_EXPECT_PTR_NE(test, held[0], held[1]);
	KUNIT_EXPECT_PTR_NE(test, held[1], held[2]);
	KUNIT_EXPECT_PTR_NE(test, held[0], held[2]);
	/* finishing one makes that path the only idle one */
	sel_io_end(&fx, held[1], 4096);
	KUNIT_EXPECT_PTR_EQ(test, fx.sel.type->select(&fx.sel, 4096), held[1]);

	fx.sel.type->emit(&fx.sel, held[0], STATUSTYPE_INFO, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "1 ");
	sel_io_end(&fx, held[0], 4096);
	sel_io_end(&fx, held[2], 4096);
	fx.sel.type->emit(&fx.sel, held[0], STATUSTYPE_INFO, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "0 ");
	sel_teardown(&fx);
}

static void mp_test_st_weights(struct kunit *test)
{
	struct sel_fixture fx;
	char **w0 = wv(test, "1 0");
	char **w100 = wv(test, "1 100");
	char **w101 = wv(test, "1 101");
	char **three = wv(test, "1 1 1");
	unsigned int hits[NP] = {};
	struct mp_ps_path *psp;
	char *error = NULL;
	char buf[32];
	int i;

	memset(&fx, 0, sizeof(fx));
	fx.sel.type = mp_ps_lookup("service-time");
	KUNIT_ASSERT_EQ(test, fx.sel.type->create(&fx.sel, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, fx.sel.type->add_path(&fx.sel, &fx.p[3], 2,
						    w101, &error), -EINVAL);
	KUNIT_EXPECT_STREQ(test, error,
			   "service-time ps: invalid relative_throughput value");
	KUNIT_EXPECT_EQ(test, fx.sel.type->add_path(&fx.sel, &fx.p[3], 3,
						    three, &error), -EINVAL);
	KUNIT_ASSERT_EQ(test, fx.sel.type->add_path(&fx.sel, &fx.p[0], 2, w0,
						    &error), 0);
	KUNIT_ASSERT_EQ(test, fx.sel.type->add_path(&fx.sel, &fx.p[1], 2,
						    w100, &error), 0);

	/* weight 0 is only a last resort, even when heavily loaded path 1 */
	for (i = 0; i < 50; i++) {
		psp = sel_io_start(&fx, 65536);
		hits[idx_of(&fx, psp)]++;
	}
	KUNIT_EXPECT_EQ(test, hits[0], 0u);
	KUNIT_EXPECT_EQ(test, hits[1], 50u);

	fx.sel.type->emit(&fx.sel, &fx.p[1], STATUSTYPE_INFO, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "3276800 100 ");
	fx.sel.type->emit(&fx.sel, &fx.p[0], STATUSTYPE_TABLE, buf,
			  sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "1 0 ");

	fx.sel.type->fail(&fx.sel, &fx.p[1]);
	KUNIT_EXPECT_EQ(test, idx_of(&fx, fx.sel.type->select(&fx.sel, 512)),
			0);
	sel_teardown(&fx);
}

static void mp_test_st_balance(struct kunit *test)
{
	struct sel_fixture fx;
	char **args = wv(test, "1 1");
	unsigned int hits[NP] = {};
	struct mp_ps_path *psp;
	int i;

	sel_setup(test, &fx, "service-time", 0, NULL, 4, 2, args);
	/* equal paths, I/O never completes: spread evenly */
	for (i = 0; i < 400; i++) {
		psp = sel_io_start(&fx, 4096);
		hits[idx_of(&fx, psp)]++;
	}
	for (i = 0; i < NP; i++)
		KUNIT_EXPECT_EQ(test, hits[i], 100u);
	sel_teardown(&fx);
}

static void mp_test_hst(struct kunit *test)
{
	struct mp_selector sel = {
		.type = mp_ps_lookup("historical-service-time"),
	};
	char **good = wv(test, "500 2");
	char **bad = wv(test, "1024");
	char **junk = wv(test, "x");
	char **three = wv(test, "1 2 3");
	struct mp_ps_path p[2];
	char *error = NULL;
	char buf[64];

	KUNIT_EXPECT_EQ(test, sel.type->create(&sel, 1, bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, sel.type->create(&sel, 1, junk), -EINVAL);
	KUNIT_EXPECT_EQ(test, sel.type->create(&sel, 3, three), -EINVAL);
	KUNIT_ASSERT_EQ(test, sel.type->create(&sel, 2, good), 0);
	sel.type->emit(&sel, NULL, STATUSTYPE_TABLE, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "2 500 2 ");
	KUNIT_ASSERT_EQ(test, sel.type->add_path(&sel, &p[0], 1, good, &error),
			0);
	KUNIT_ASSERT_EQ(test, sel.type->add_path(&sel, &p[1], 0, NULL, &error),
			0);
	sel.type->emit(&sel, &p[0], STATUSTYPE_TABLE, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "0 ");
	sel.type->emit(&sel, &p[0], STATUSTYPE_INFO, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "1024 0 0 ");
	KUNIT_EXPECT_NOT_NULL(test, sel.type->select(&sel, 4096));
	sel.type->fail(&sel, &p[0]);
	KUNIT_EXPECT_PTR_EQ(test, sel.type->select(&sel, 4096), &p[1]);
	sel.type->destroy(&sel);

	/* defaults: base weight 972, threshold 0 */
	KUNIT_ASSERT_EQ(test, sel.type->create(&sel, 0, NULL), 0);
	sel.type->emit(&sel, NULL, STATUSTYPE_INFO, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "2 972 0 ");
	sel.type->destroy(&sel);
}

static void mp_test_ioa(struct kunit *test)
{
	struct mp_selector sel = { .type = mp_ps_lookup("io-affinity") };
	char **all = wv(test, "1");
	char **dup = wv(test, "1");
	char **junk = wv(test, "zz");
	struct mp_ps_path p[2];
	char *error = NULL;
	char buf[64];

	KUNIT_ASSERT_EQ(test, sel.type->create(&sel, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, sel.type->add_path(&sel, &p[0], 0, NULL, &error),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, error,
			   "io-affinity ps: invalid number of arguments");
	KUNIT_EXPECT_EQ(test, sel.type->add_path(&sel, &p[0], 1, junk, &error),
			-EINVAL);
	KUNIT_ASSERT_EQ(test, sel.type->add_path(&sel, &p[0], 1, all, &error),
			0);
	/* CPU 0 is taken now: a second path for it claims nothing */
	KUNIT_EXPECT_EQ(test, sel.type->add_path(&sel, &p[1], 1, dup, &error),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, error,
			   "io-affinity ps: No new/valid CPU mapping found");
	/* from any CPU the only usable path is chosen */
	KUNIT_EXPECT_PTR_EQ(test, sel.type->select(&sel, 512), &p[0]);
	sel.type->emit(&sel, &p[0], STATUSTYPE_TABLE, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "1 ");
	sel.type->fail(&sel, &p[0]);
	KUNIT_EXPECT_NULL(test, sel.type->select(&sel, 512));
	sel.type->destroy(&sel);
}

static void mp_test_emit_overflow(struct kunit *test)
{
	struct sel_fixture fx;
	char **args = wv(test, "1 100");
	char buf[4];
	unsigned int len;

	sel_setup(test, &fx, "service-time", 0, NULL, 1, 2, args);
	len = fx.sel.type->emit(&fx.sel, &fx.p[0], STATUSTYPE_TABLE, buf,
				sizeof(buf));
	KUNIT_EXPECT_LT(test, len, (unsigned int)sizeof(buf));
	KUNIT_EXPECT_EQ(test, fx.sel.type->emit(&fx.sel, &fx.p[0],
						STATUSTYPE_TABLE, buf, 0), 0u);
	sel_teardown(&fx);
}

/* ------------------------------------------------------------------ */
/* hardware handler attach (mpath_dh.c)                                */
/* ------------------------------------------------------------------ */

/*
 * A scsi_device as scsi_dh sees it: @handler is what is really attached
 * (NULL: none); attaching another name is -EBUSY, as in scsi_dh_attach().
 * @name_fails makes that many name lookups return NULL (kstrdup failing).
 */
struct dh_stub {
	const char *handler;
	int attach_err;		/* result of attaching to a free device */
	int name_fails;
	int attaches, lookups;
	char asked[16];		/* the last name attach was asked for */
};

/* where an unbounded retry loop is cut short so the test can report it */
#define DH_STUB_SPIN_LIMIT 1000

static int dh_stub_attach(void *ctx, const char *name)
{
	struct dh_stub *s = ctx;

	if (++s->attaches > DH_STUB_SPIN_LIMIT)
		return -ELOOP;
	strscpy(s->asked, name, sizeof(s->asked));
	if (!s->handler) {
		if (s->attach_err)
			return s->attach_err;
		s->handler = s->asked;
		return 0;
	}
	return strcmp(s->handler, name) ? -EBUSY : 0;
}

static const char *dh_stub_name(void *ctx)
{
	struct dh_stub *s = ctx;

	s->lookups++;
	if (s->name_fails) {
		s->name_fails--;
		return NULL;
	}
	return s->handler ? kstrdup(s->handler, GFP_KERNEL) : NULL;
}

static const struct mp_dh_ops dh_stub_ops = {
	.attach		= dh_stub_attach,
	.attached_name	= dh_stub_name,
};

struct dh_case {
	char *hw_name, *hw_params;
	const char *attached;
	char *error;
};

static void dh_case_init(struct dh_case *c, const char *hw,
			 const char *attached)
{
	c->hw_name = hw ? kstrdup(hw, GFP_KERNEL) : NULL;
	c->hw_params = kmemdup("1\0x", 4, GFP_KERNEL);
	c->attached = attached ? kstrdup(attached, GFP_KERNEL) : NULL;
	c->error = NULL;
}

static int dh_run(struct dh_stub *s, struct dh_case *c, bool retain)
{
	return mp_dh_attach(&dh_stub_ops, s, &c->hw_name, &c->hw_params,
			    &c->attached, retain, &c->error);
}

static void dh_case_free(struct dh_case *c)
{
	kfree(c->hw_name);
	kfree(c->hw_params);
	kfree(c->attached);
}

/*
 * -EBUSY while the attached handler's name stays unknown: bounded, the
 * table load fails with a clear error (the in-tree loop spins forever).
 */
static void mp_test_dh_busy_unknown(struct kunit *test)
{
	struct dh_stub s = { .handler = "alua", .name_fails = INT_MAX };
	struct dh_case c;

	dh_case_init(&c, "emc", NULL);
	KUNIT_EXPECT_EQ(test, dh_run(&s, &c, false), -EBUSY);
	KUNIT_EXPECT_EQ(test, s.attaches, MP_DH_ATTACH_TRIES);
	KUNIT_EXPECT_STREQ(test, c.error,
			   "hardware handler busy: cannot attach or retain one");
	KUNIT_EXPECT_STREQ(test, c.hw_name, "emc");
	KUNIT_EXPECT_NOT_NULL(test, c.hw_params);
	dh_case_free(&c);

	/* with retain_attached_hw_handler too */
	s = (struct dh_stub){ .handler = "alua", .name_fails = INT_MAX };
	dh_case_init(&c, "emc", NULL);
	KUNIT_EXPECT_EQ(test, dh_run(&s, &c, true), -EBUSY);
	KUNIT_EXPECT_EQ(test, s.attaches, MP_DH_ATTACH_TRIES);
	dh_case_free(&c);
}

/*
 * A handler attached after the caller looked (device scan, another map):
 * the name is looked up again and that handler is kept.
 */
static void mp_test_dh_busy_race(struct kunit *test)
{
	struct dh_stub s = { .handler = "alua" };
	struct dh_case c;

	dh_case_init(&c, "emc", NULL);
	KUNIT_EXPECT_EQ(test, dh_run(&s, &c, false), 0);
	KUNIT_EXPECT_EQ(test, s.attaches, 2);
	KUNIT_EXPECT_EQ(test, s.lookups, 1);
	KUNIT_EXPECT_STREQ(test, c.hw_name, "alua");
	KUNIT_EXPECT_STREQ(test, s.asked, "alua");
	/* emc's params are not alua's */
	KUNIT_EXPECT_NULL(test, c.hw_params);
	KUNIT_EXPECT_NULL(test, c.attached);
	dh_case_free(&c);

	/* one failed lookup still leaves a try */
	s = (struct dh_stub){ .handler = "alua", .name_fails = 1 };
	dh_case_init(&c, "emc", NULL);
	KUNIT_EXPECT_EQ(test, dh_run(&s, &c, false), 0);
	KUNIT_EXPECT_EQ(test, s.attaches, MP_DH_ATTACH_TRIES);
	KUNIT_EXPECT_STREQ(test, c.hw_name, "alua");
	dh_case_free(&c);
}

/* The in-tree cases: retain, busy with a known name, errors, nothing. */
static void mp_test_dh_intree(struct kunit *test)
{
	struct dh_stub s = { .handler = "alua" };
	struct dh_case c;

	/* retain: the attached handler wins without trying the table's */
	dh_case_init(&c, "emc", "alua");
	KUNIT_EXPECT_EQ(test, dh_run(&s, &c, true), 0);
	KUNIT_EXPECT_EQ(test, s.attaches, 1);
	KUNIT_EXPECT_EQ(test, s.lookups, 0);
	KUNIT_EXPECT_STREQ(test, c.hw_name, "alua");
	KUNIT_EXPECT_NULL(test, c.hw_params);
	dh_case_free(&c);

	/* the same handler keeps its params */
	s = (struct dh_stub){ .handler = "alua" };
	dh_case_init(&c, "alua", "alua");
	KUNIT_EXPECT_EQ(test, dh_run(&s, &c, true), 0);
	KUNIT_EXPECT_NOT_NULL(test, c.hw_params);
	dh_case_free(&c);

	/* no retain: -EBUSY first, then the known name is kept */
	s = (struct dh_stub){ .handler = "alua" };
	dh_case_init(&c, "emc", "alua");
	KUNIT_EXPECT_EQ(test, dh_run(&s, &c, false), 0);
	KUNIT_EXPECT_EQ(test, s.attaches, 2);
	KUNIT_EXPECT_EQ(test, s.lookups, 0);
	KUNIT_EXPECT_STREQ(test, c.hw_name, "alua");
	dh_case_free(&c);

	/* a free device takes the table's handler */
	s = (struct dh_stub){};
	dh_case_init(&c, "emc", NULL);
	KUNIT_EXPECT_EQ(test, dh_run(&s, &c, false), 0);
	KUNIT_EXPECT_STREQ(test, s.asked, "emc");
	KUNIT_EXPECT_STREQ(test, c.hw_name, "emc");
	KUNIT_EXPECT_NOT_NULL(test, c.hw_params);
	dh_case_free(&c);

	/* other attach errors fail at once */
	s = (struct dh_stub){ .attach_err = -EINVAL };
	dh_case_init(&c, "emc", NULL);
	KUNIT_EXPECT_EQ(test, dh_run(&s, &c, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, s.attaches, 1);
	KUNIT_EXPECT_STREQ(test, c.error, "error attaching hardware handler");
	dh_case_free(&c);

	/* no handler anywhere: nothing to do */
	s = (struct dh_stub){};
	dh_case_init(&c, NULL, NULL);
	KUNIT_EXPECT_EQ(test, dh_run(&s, &c, true), 0);
	KUNIT_EXPECT_EQ(test, s.attaches, 0);
	dh_case_free(&c);
}

static struct kunit_case mp_parse_cases[] = {
	KUNIT_CASE(mp_test_features),
	KUNIT_CASE(mp_test_hw_params),
	KUNIT_CASE(mp_test_group_num),
	{}
};

static struct kunit_suite mp_parse_suite = {
	.name = "keel_mpath_parse",
	.test_cases = mp_parse_cases,
};

static struct kunit_case mp_sel_cases[] = {
	KUNIT_CASE(mp_test_lookup),
	KUNIT_CASE(mp_test_rr_rotation),
	KUNIT_CASE(mp_test_rr_args),
	KUNIT_CASE(mp_test_ql_least_loaded),
	KUNIT_CASE(mp_test_st_weights),
	KUNIT_CASE(mp_test_st_balance),
	KUNIT_CASE(mp_test_hst),
	KUNIT_CASE(mp_test_ioa),
	KUNIT_CASE(mp_test_emit_overflow),
	{}
};

static struct kunit_suite mp_sel_suite = {
	.name = "keel_mpath_selectors",
	.test_cases = mp_sel_cases,
};

static struct kunit_case mp_dh_cases[] = {
	KUNIT_CASE(mp_test_dh_busy_unknown),
	KUNIT_CASE(mp_test_dh_busy_race),
	KUNIT_CASE(mp_test_dh_intree),
	{}
};

static struct kunit_suite mp_dh_suite = {
	.name = "keel_mpath_hw_handler",
	.test_cases = mp_dh_cases,
};

kunit_test_suites(&mp_parse_suite, &mp_sel_suite, &mp_dh_suite);

MODULE_DESCRIPTION("KUnit tests for keel dm-multipath");
MODULE_LICENSE("GPL");
