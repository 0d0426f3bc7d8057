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
