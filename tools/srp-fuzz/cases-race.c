// SPDX-License-Identifier: GPL-2.0
/*
 * srp-fuzz: cases that race the target's channel teardown. Included by
 * srp-fuzz.c (they use its connection helpers).
 *
 * -T secs (stream after logout): log in, run an INQUIRY, send
 * SRP_I_LOGOUT, then keep sending INQUIRYs every 50 ms for @secs seconds
 * without looking at CM events or credits, so the initiator's QP stays
 * in RTS and every IU the target's QP still accepts produces a receive
 * completion on a channel that is being released. Stops early when a
 * send fails (the target's QP is gone). Exit status 0 when the login and
 * the first INQUIRY worked; what the target survived is for the test to
 * judge from its kernel log.
 *
 * race_fuzz(), one of the random cases of the main loop:
 *  - IUs before the RTU: the REP is held (conn_connect(..., 1)), a few
 *    INQUIRYs are posted on the RTS QP, and then either the RTU is sent
 *    (every INQUIRY must be answered) or the REP is rejected (the target
 *    must release a channel that never went live, IUs parked on it);
 *  - teardown with work in flight: READs of several buffers, WRITEs whose
 *    descriptor table the target has to RDMA READ, and a TMF aimed at one
 *    of them are posted at once, then without waiting for anything the
 *    channel is closed by DREQ, by SRP_I_LOGOUT or by the initiator
 *    vanishing (rf_vanish()), and half the time the same initiator port logs in again at
 *    once, single-channel: that login must be accepted and an INQUIRY on
 *    it answered.
 */

static int race_send_inquiry(struct conn *c, int slot, uint64_t tag)
{
	struct srp_cmd_hdr *h = (void *)(c->send_buf + (size_t)slot * IU_MAX);
	struct desc *d = (void *)(h + 1);

	memset(h, 0, sizeof(*h) + sizeof(*d));
	h->opcode = OP_CMD;
	h->tag = tag;
	h->buf_fmt = 0x01;
	h->cdb[0] = 0x12;
	h->cdb[4] = 96;
	d->va = htobe64((uintptr_t)c->data);
	d->key = htobe32(c->data_mr->rkey);
	d->len = htobe32(96);
	return post_send(c, slot, sizeof(*h) + sizeof(*d));
}

/* Reap completions; returns -1 once a send failed, else sends done. */
static int race_reap(struct conn *c, int *answers)
{
	struct ibv_wc wc[16];
	int n, i, done = 0;

	while ((n = ibv_poll_cq(c->cq, 16, wc)) > 0) {
		for (i = 0; i < n; i++) {
			if (wc[i].status != IBV_WC_SUCCESS) {
				vlog("  wc error %s\n",
				     ibv_wc_status_str(wc[i].status));
				return -1;
			}
			if (wc[i].opcode == IBV_WC_RECV) {
				(*answers)++;
				post_recv(c, wc[i].wr_id);
			} else {
				done++;
			}
		}
	}
	return done;
}

static int race_stream(int secs)
{
	struct timespec t0, t;
	struct login_rdma l;
	struct srp_cmd_hdr *h;
	struct conn c;
	int r, sent = 0, inflight = 0, answers = 0;
	long ms = 0;

	fill_login(&l);
	if (conn_open(&c, &l, sizeof(l)) != 1) {
		fprintf(stderr, "srp-fuzz: -T: login failed\n");
		return 1;
	}
	r = inquiry(&c);
	if (r) {
		fprintf(stderr, "srp-fuzz: -T: INQUIRY failed (%d)\n", r);
		conn_close(&c);
		return 1;
	}
	/* SRP_I_LOGOUT: the target starts closing the channel */
	h = (void *)c.send_buf;
	memset(h, 0, 16);
	h->opcode = OP_I_LOGOUT;
	h->tag = 0x1060;
	post_send(&c, 0, 16);
	inflight = 1;
	printf("srp-fuzz: -T: logged out, streaming INQUIRYs for %d s\n", secs);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ms < secs * 1000L) {
		r = race_reap(&c, &answers);
		if (r < 0)
			break;
		inflight -= r;
		if (inflight < send_slots - 1) {
			if (race_send_inquiry(&c, 1 + sent % (send_slots - 1),
					      0x2000 + sent))
				break;
			sent++;
			inflight++;
		}
		usleep(50000);
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 +
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
	}
	printf("srp-fuzz: -T: %d IUs sent after the logout, %d answered, stopped after %ld ms (%s)\n",
	       sent, answers, ms, ms < secs * 1000L ? "send failed" : "time up");
	c.up = 0;
	conn_free(&c);
	return 0;
}

/*
 * -S (single-channel relogin against a busy channel): log in with
 * SRP_MULTICHAN_SINGLE, put INQUIRYs in flight on that channel without
 * waiting, then log in again with the same initiator and target port
 * IDs, also single-channel. The second login must be accepted, an
 * INQUIRY on it must work, and the target must drop the first channel.
 * One "PASS name" or "FAIL name: why" line per check.
 */
static int race_single_relogin(void)
{
	struct login_rdma l;
	struct conn a, b;
	int i, r, failed = 0, gone = 0;

	fill_login(&l);
	l.flags &= ~3;			/* SRP_MULTICHAN_SINGLE */
	l.i_port_id[15] = 0x5b;
	if (conn_open(&a, &l, sizeof(l)) != 1) {
		fprintf(stderr, "srp-fuzz: -S: first login failed\n");
		return 1;
	}
	for (i = 0; i < 32 && i < send_slots; i++)
		race_send_inquiry(&a, i, 0x3000 + i);
	l.tag++;
	r = conn_open(&b, &l, sizeof(l));
	printf("%s single-relogin-accepted%s\n", r == 1 ? "PASS" : "FAIL",
	       r == 1 ? "" : ": second login not accepted");
	failed += r != 1;
	r = r == 1 ? inquiry(&b) : -1;
	printf("%s single-relogin-usable", r ? "FAIL" : "PASS");
	printf(r ? ": INQUIRY %d\n" : "\n", r);
	failed += !!r;
	for (i = 0; i < 100 && !gone; i++) {
		int answers = 0;

		gone = conn_dropped(&a) || race_reap(&a, &answers) < 0;
		if (!gone)
			usleep(100000);
	}
	printf("%s single-relogin-old-dropped%s\n", gone ? "PASS" : "FAIL",
	       gone ? "" : ": first channel still up after 10 s");
	failed += !gone;
	a.up = 0;
	conn_free(&a);
	conn_close(&b);
	printf("srp-fuzz: single-channel relogin: %d failed\n", failed);
	return failed ? 1 : 0;
}

#define RF_PORT		0x7e	/* i_port_id[15] of race_fuzz()'s channels */

/*
 * The initiator goes away without DREQ: its QP stops answering (error
 * state), then the QP and the CM id are destroyed (a REJ for a held REP,
 * a DREQ otherwise). The pause first waits for our @sent sends to be
 * acknowledged and lets the target's packets meet a QP that still
 * exists: 6.1's rdma_rxe looks a destination QP up without holding off
 * its destruction, so a packet that arrives while a QP is destroyed is
 * a use-after-free in rxe_pool_get_index() (seen with the QP destroyed
 * at once), whatever the target module.
 */
static void rf_vanish(struct conn *c, int sent)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_ERR };
	struct ibv_wc wc[16];
	int i, n, t;

	for (t = 0; sent > 0 && t < 200; t++) {
		n = ibv_poll_cq(c->cq, 16, wc);
		for (i = 0; i < n; i++)
			if (wc[i].opcode == IBV_WC_SEND)
				sent--;
		if (n <= 0)
			usleep(5000);
	}
	ibv_modify_qp(c->id->qp, &a, IBV_QP_STATE);
	usleep(50000);
	c->up = 0;
	conn_free(c);
}

/* IUs before the RTU, then the RTU or a REJ. */
static int race_before_rtu(long n)
{
	int k, m = 1 + rnd_below(4), rtu = rnd_below(3), r;
	struct login_rdma l;
	struct ibv_qp *qp;
	struct conn c;

	fill_login(&l);
	l.i_port_id[15] = RF_PORT;
	r = conn_connect(&c, &l, sizeof(l), 1);
	if (r <= 0)
		return r;
	for (k = 0; k < m && k < c.credits; k++)
		if (race_send_inquiry(&c, k, 0x5000 + k))
			break;
	m = k;
	if (rnd_below(2))
		usleep(rnd_below(30000));
	if (!rtu) {
		vlog("  %d IUs before the RTU, REP rejected\n", m);
		rf_vanish(&c, m);	/* REJ: the channel never goes live */
		return 0;
	}
	/* librdmacm refuses the RTU for a QP it thinks it manages */
	qp = c.id->qp;
	c.id->qp = NULL;
	r = rdma_establish(c.id);
	c.id->qp = qp;
	if (r) {
		fprintf(stderr, "srp-fuzz: case %ld: rdma_establish: %s\n", n,
			strerror(errno));
		conn_free(&c);
		return -1;
	}
	c.up = 1;
	r = wait_answers(&c, m, 0, NULL);
	if (r < 0)
		fprintf(stderr, "srp-fuzz: case %ld: %d INQUIRYs sent before the RTU not answered\n",
			n, m);
	vlog("  %d IUs before the RTU: %s\n", m, r ? "channel dropped" : "answered");
	conn_close(&c);
	return r < 0 ? -1 : 0;
}

/* Post an SRP_CMD from @slot (IU at @h, @len bytes) without waiting. */
static int rf_post(struct conn *c, int slot, uint32_t len)
{
	if (post_send(c, slot, len))
		return -1;
	c->credits--;
	return 0;
}

/*
 * A READ(10) of four 16 KiB buffers, or a WRITE(10) through a table the
 * target fetches by RDMA READ; buffers at @k * 128 KiB in c->data.
 */
static int rf_rw(struct conn *c, int k, uint64_t tag)
{
	struct srp_cmd_hdr *h = (void *)(c->send_buf + (size_t)k * IU_MAX);
	uint8_t *p = (uint8_t *)(h + 1);
	uint32_t base = k * 131072, lba = 1024 + k * 256;
	struct desc *tbl = (void *)(c->data + base);
	int write = rnd_below(2), i;

	memset(h, 0, 128);
	h->opcode = OP_CMD;
	h->tag = tag;
	xt_rw10(h, write, lba, 128);	/* 64 KiB */
	h->buf_fmt = write ? 0x20 : 0x02;
	for (i = 0; i < 4; i++) {
		tbl[i].va = htobe64((uintptr_t)c->data + base + 4096 +
				    i * 16384);
		tbl[i].key = htobe32(c->data_mr->rkey);
		tbl[i].len = htobe32(16384);
	}
	/* the table descriptor, then the total length */
	((struct desc *)p)->va = write ? htobe64((uintptr_t)tbl) : 0;
	((struct desc *)p)->key = write ? htobe32(c->data_mr->rkey) : 0;
	((struct desc *)p)->len = htobe32(4 * sizeof(struct desc));
	*(uint32_t *)(p + 16) = htobe32(65536);
	if (write)		/* no descriptor in the IU: all fetched */
		return rf_post(c, k, sizeof(*h) + 20);
	h->in_cnt = 4;
	memcpy(p + 20, tbl, 4 * sizeof(struct desc));
	return rf_post(c, k, sizeof(*h) + 20 + 4 * sizeof(struct desc));
}

/* Work in flight, then DREQ, SRP_I_LOGOUT or a vanished initiator. */
static int race_teardown(long n)
{
	static const uint8_t fns[] = { 0x01, 0x02, 0x04, 0x08 };
	int k, m = 1 + rnd_below(6), how = rnd_below(3), r;
	uint64_t tag = 0xc000000 + (uint64_t)n * 16;
	struct login_rdma l;
	struct conn c;
	uint8_t *iu;

	fill_login(&l);
	l.i_port_id[15] = RF_PORT;
	r = conn_open(&c, &l, sizeof(l));
	if (r <= 0)
		return r;
	for (k = 0; k < m && k < 7; k++)
		if (rf_rw(&c, k, tag + k))
			break;
	if (rnd_below(2)) {	/* a TMF at one of them, or at the LUN */
		iu = c.send_buf + (size_t)7 * IU_MAX;
		memset(iu, 0, 64);
		iu[0] = OP_TSK_MGMT;
		*(uint64_t *)(iu + 8) = tag + 15;
		iu[30] = fns[rnd_below(sizeof(fns))];
		*(uint64_t *)(iu + 32) = tag + rnd_below(m);
		post_send(&c, 7, 48);
	}
	if (rnd_below(2))
		usleep(rnd_below(5000));
	switch (how) {
	case 0:
		vlog("  %d commands in flight, DREQ\n", m);
		conn_close(&c);
		break;
	case 1:
		vlog("  %d commands in flight, SRP_I_LOGOUT\n", m);
		iu = c.send_buf + (size_t)8 * IU_MAX;
		memset(iu, 0, 16);
		iu[0] = OP_I_LOGOUT;
		post_send(&c, 8, 16);
		usleep(rnd_below(20000));
		conn_close(&c);
		break;
	default:
		vlog("  %d commands in flight, initiator QP in error, CM id destroyed\n",
		     m);
		rf_vanish(&c, 0);
		break;
	}
	if (rnd_below(2))
		return 0;
	/* the same initiator port at once, single-channel: must work */
	fill_login(&l);
	l.i_port_id[15] = RF_PORT;
	l.flags &= ~3;
	r = conn_open(&c, &l, sizeof(l));
	if (r != 1) {
		fprintf(stderr, "srp-fuzz: case %ld: relogin after teardown (%d) %s\n",
			n, how, r ? "got no answer" : "rejected");
		return -1;
	}
	r = inquiry(&c);
	conn_close(&c);
	if (r) {
		fprintf(stderr, "srp-fuzz: case %ld: INQUIRY after relogin: %d\n",
			n, r);
		return -1;
	}
	return 0;
}

/**
 * race_fuzz() - one teardown or handshake race, on channels of its own
 * @n: case number
 *
 * Return: 0, or -1 when the target went silent or refused a relogin.
 */
static int race_fuzz(long n)
{
	return rnd_below(3) ? race_teardown(n) : race_before_rtu(n);
}

/* -D: @n race_fuzz() cases, a health check every 50 and at the end. */
static int race_only(long n)
{
	long i, failed = 0;

	for (i = 0; i < n && failed <= 5; i++) {
		st.cases++;
		if (race_fuzz(i))
			failed++;
		if (i % 50 == 49 && health_check())
			failed++;
	}
	if (health_check())
		failed++;
	printf("srp-fuzz: seed %u: %ld race cases, %ld logins (ok %ld, rejected %ld), %ld failures\n",
	       opt_seed, i, st.logins, st.login_ok, st.login_rej, failed);
	return failed ? 1 : 0;
}
