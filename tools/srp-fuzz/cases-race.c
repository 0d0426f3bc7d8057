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
