// SPDX-License-Identifier: GPL-2.0
/*
 * srp-fuzz: log in to an SRP target over RDMA CM and send it crafted
 * information units and login requests. Part of keel's ib_srpt tests.
 *
 *   srp-fuzz -a <target IPv4/IPv6> [-p port] -g <service guid hex>
 *            [-n cases] [-s seed] [-W login-wait-ms] [-v]
 *   srp-fuzz -a ... -g ... -m <channels>
 *   srp-fuzz -a ... -g ... -x [-L]
 *   srp-fuzz -a ... -g ... -A | -Q | -B | -S <IUs> | -l <logins>
 *
 * Every case is one of: a login with damaged fields (must be rejected or
 * accepted, never ignored), an SRP_CMD with hostile lengths, descriptor
 * counts, offsets, keys or CDBs, a task management request with random
 * fields, an unknown or truncated IU, a burst that ignores the credit
 * limit, or one of cases-wire.c's (a valid indirect table with random
 * contents, a TMF aimed at outstanding READs, immediate data at another
 * offset). After each case that must be answered the fuzzer waits for the
 * answer; the channel may be dropped by the target (that is a legal reply
 * to a protocol violation) but it must never go silent. Periodically, and
 * at the end, a well-formed INQUIRY must succeed on a fresh login.
 *
 * Scale mode (-m N): log in N channels, each of its own I_T nexus, run an
 * INQUIRY on every one, then disconnect them all and print the time each
 * phase took. With -H the channels are held open after the INQUIRY phase
 * (a "holding" line is printed) until standard input reaches a newline or
 * end of file, so a test can look at the target while all are logged in.
 *
 * External table mode (-x): SRP_CMDs whose indirect descriptor table is
 * not (fully) in the IU, so the target has to RDMA READ it: a WRITE(10)
 * and a READ(10) through scattered buffers, compared; a table behind a
 * bad rkey (the target must answer or drop the channel); malformed tables
 * (CHECK CONDITION, ILLEGAL REQUEST / INVALID FIELD IN COMMAND IU, and the
 * channel stays usable). One "PASS name" or "FAIL name: why" line each.
 * With -L as well (for a target whose debugfs ib_srpt/fail_table_read is
 * armed): one WRITE whose table READ completion the target loses must go
 * unanswered, other commands on the channel must still work, and the
 * channel is then closed with the command outstanding.
 *
 * Teardown races (-T secs, cases-race.c): keep sending IUs on a channel
 * after SRP_I_LOGOUT while the target releases it; -S: a single-channel
 * relogin while the nexus' channel has commands in flight.
 *
 * -D N runs only cases-race.c's random handshake and teardown races (IUs
 * before the RTU; I/O, table fetches and TMFs in flight at DREQ,
 * SRP_I_LOGOUT or a vanished initiator, and a relogin right after), N of
 * them; the main loop mixes them in too.
 *
 * -W sets how long a login may go unanswered (default 5000 ms, 30000 in
 * scale mode); a slow guest (debug kernel, busy host) needs more.
 *
 * -A, -Q, -B, -S N and -l N run the case groups of cases-wire.c
 * (allocation length, send queue exhaustion, ordering after aborts,
 * shared receive queue flood, login storm; see there).
 *
 * Exit status: 0 when the target stayed responsive, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <stdarg.h>
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <getopt.h>
#include <netdb.h>
#include <endian.h>
#include <rdma/rdma_cma.h>
#include <infiniband/verbs.h>

#include "srp-fuzz.h"

/* The last SRP_RSP that wait_answers() matched by tag. */
uint8_t last_rsp[sizeof(struct srp_rsp_hdr) + 18];

/* Resources per connection; the scale mode (-m) uses less. */
int recv_depth = 288;
int data_size = 1 << 20;
int send_slots = 256;

static const char *opt_addr;
static const char *opt_port = "5555";
static uint64_t opt_guid;
static long opt_cases = 1000;
static unsigned int opt_seed = 1;
int opt_verbose;
int opt_srq;		/* -R: the target runs with use_srq=1 */
static int opt_scale;
static int opt_hold;
/*
 * How long a login may go unanswered. The scale mode allows more: with
 * 100+ channels of one emulated guest, one login can wait behind the
 * others' session setup for a few seconds.
 */
int login_wait_ms = 5000;
static int opt_login_wait;	/* -W, overrides both */
static int opt_ext;
static int opt_lost;
static char opt_wire;		/* -A, -Q, -S, -l: cases-wire.c */
static long opt_wire_n;
static int opt_stream;
static int opt_single;
static long opt_races;	/* -D: only cases-race.c's race_fuzz() */
static uint64_t rng;

static struct {
	long cases, logins, login_rej, login_ok, ius, answered, dropped;
	long reconnects, failures;
} st;

void vlog(const char *fmt, ...)
{
	va_list ap;

	if (!opt_verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

uint64_t rnd(void)
{
	/* xorshift64*: reproducible from the seed */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

uint32_t rnd_below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

/* Interesting 32-bit values for length fields. */
static uint32_t rnd_len(void)
{
	static const uint32_t edge[] = {
		0, 1, 15, 16, 17, 511, 512, 4096, 65536, 1 << 20, 1 << 24,
		0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff,
	};

	if (rnd_below(3))
		return edge[rnd_below(ARRAY_SIZE(edge))];
	return (uint32_t)rnd();
}

static int wait_cm(struct conn *c, enum rdma_cm_event_type want,
		   struct rdma_cm_event *copy, int ms)
{
	struct pollfd pfd = { .fd = c->ech->fd, .events = POLLIN };
	struct rdma_cm_event *ev;
	int ret;

	if (poll(&pfd, 1, ms) <= 0)
		return -ETIMEDOUT;
	if (rdma_get_cm_event(c->ech, &ev))
		return -errno;
	if (copy)
		*copy = *ev;
	ret = ev->event == want ? 0 : -(int)ev->event - 1000;
	if (ev->event == RDMA_CM_EVENT_REJECTED &&
	    ev->param.conn.private_data_len >= 8)
		vlog("  rejected, reason %#x\n",
		     be32toh(*(uint32_t *)((uint8_t *)
				ev->param.conn.private_data + 4)));
	if ((ev->event == RDMA_CM_EVENT_ESTABLISHED ||
	     ev->event == RDMA_CM_EVENT_CONNECT_RESPONSE) &&
	    ev->param.conn.private_data_len >= sizeof(struct login_rsp)) {
		const struct login_rsp *r = ev->param.conn.private_data;

		c->credits = be32toh(r->req_lim_delta);
		c->imm_ok = !!(r->rsp_flags & 0x80);
	}
	rdma_ack_cm_event(ev);
	return ret;
}

static void conn_free(struct conn *c)
{
	if (c->id && c->id->qp)
		rdma_destroy_qp(c->id);
	if (c->recv_mr)
		ibv_dereg_mr(c->recv_mr);
	if (c->send_mr)
		ibv_dereg_mr(c->send_mr);
	if (c->data_mr)
		ibv_dereg_mr(c->data_mr);
	if (c->cq)
		ibv_destroy_cq(c->cq);
	if (c->pd)
		ibv_dealloc_pd(c->pd);
	if (c->id)
		rdma_destroy_id(c->id);
	if (c->ech)
		rdma_destroy_event_channel(c->ech);
	free(c->recv_buf);
	free(c->send_buf);
	free(c->data);
	memset(c, 0, sizeof(*c));
}

void conn_close(struct conn *c)
{
	if (c->up) {
		rdma_disconnect(c->id);
		wait_cm(c, RDMA_CM_EVENT_DISCONNECTED, NULL, 2000);
	}
	conn_free(c);
}

int post_recv(struct conn *c, int i)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)(c->recv_buf + (size_t)i * IU_MAX),
		.length = IU_MAX, .lkey = c->recv_mr->lkey,
	};
	struct ibv_recv_wr wr = { .wr_id = i, .sg_list = &sge, .num_sge = 1 };
	struct ibv_recv_wr *bad;

	return ibv_post_recv(c->id->qp, &wr, &bad);
}

void fill_login(struct login_rdma *l)
{
	memset(l, 0, sizeof(*l));
	l->opcode = OP_LOGIN_REQ;
	l->tag = rnd();
	l->it_iu_len = htobe32(IU_MAX);
	l->buf_fmt = htobe16(0x6);
	l->flags = 1;			/* multichannel */
	l->flags |= 0x80;		/* immediate data */
	l->imm_off = htobe16(68);
	*(uint64_t *)&l->t_port_id[0] = htobe64(opt_guid);
	*(uint64_t *)&l->t_port_id[8] = htobe64(opt_guid);
	l->i_port_id[15] = 0x5a;
}

/* Move a QP that librdmacm does not manage to @state, as the CM says. */
static int conn_qp_move(struct conn *c, struct ibv_qp *qp,
			enum ibv_qp_state state)
{
	struct ibv_qp_attr attr = { .qp_state = state };
	int mask;

	if (rdma_init_qp_attr(c->id, &attr, &mask))
		return -1;
	return ibv_modify_qp(qp, &attr, mask) ? -1 : 0;
}

/*
 * Connect with the given login; returns 1 when established, 0 when
 * rejected, -1 on a local or timeout failure.
 *
 * With @hold_rtu the QP is created outside librdmacm, so the CM reports
 * the target's REP (CONNECT_RESPONSE) to us instead of answering it: the
 * QP is moved to RTS and 1 returned with c->up == 2 and no RTU sent. The
 * caller may post IUs, then send the RTU with rdma_establish() (and set
 * c->up = 1) or drop the login with conn_free(), which REJects the REP.
 */
static int conn_connect(struct conn *c, const void *login, int login_len,
			int hold_rtu)
{
	struct rdma_addrinfo hints = { .ai_port_space = RDMA_PS_TCP };
	struct rdma_addrinfo *res;
	struct ibv_qp_init_attr qa = { 0 };
	struct rdma_conn_param cp = { 0 };
	struct ibv_qp *qp = NULL;
	int i, ret;

	memset(c, 0, sizeof(*c));
	c->ech = rdma_create_event_channel();
	if (!c->ech)
		return -1;
	if (rdma_create_id(c->ech, &c->id, c, RDMA_PS_TCP))
		goto fail;
	if (rdma_getaddrinfo(opt_addr, opt_port, &hints, &res)) {
		fprintf(stderr, "srp-fuzz: cannot resolve %s\n", opt_addr);
		goto fail;
	}
	ret = rdma_resolve_addr(c->id, NULL, res->ai_dst_addr, 2000);
	rdma_freeaddrinfo(res);
	if (ret || wait_cm(c, RDMA_CM_EVENT_ADDR_RESOLVED, NULL, 3000))
		goto fail;
	if (rdma_resolve_route(c->id, 2000) ||
	    wait_cm(c, RDMA_CM_EVENT_ROUTE_RESOLVED, NULL, 3000))
		goto fail;

	c->pd = ibv_alloc_pd(c->id->verbs);
	c->cq = ibv_create_cq(c->id->verbs, recv_depth + send_slots + 64, NULL, NULL, 0);
	c->recv_buf = calloc(recv_depth, IU_MAX);
	c->send_buf = calloc(send_slots, IU_MAX);
	c->data = calloc(1, data_size);
	if (!c->pd || !c->cq || !c->recv_buf || !c->send_buf || !c->data)
		goto fail;
	c->recv_mr = ibv_reg_mr(c->pd, c->recv_buf, recv_depth * IU_MAX,
				IBV_ACCESS_LOCAL_WRITE);
	c->send_mr = ibv_reg_mr(c->pd, c->send_buf, (size_t)send_slots * IU_MAX, 0);
	c->data_mr = ibv_reg_mr(c->pd, c->data, data_size,
				IBV_ACCESS_LOCAL_WRITE |
				IBV_ACCESS_REMOTE_READ |
				IBV_ACCESS_REMOTE_WRITE);
	if (!c->recv_mr || !c->send_mr || !c->data_mr)
		goto fail;

	qa.send_cq = c->cq;
	qa.recv_cq = c->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = send_slots;
	qa.cap.max_recv_wr = recv_depth;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	if (hold_rtu) {
		qp = ibv_create_qp(c->pd, &qa);
		if (!qp || conn_qp_move(c, qp, IBV_QPS_INIT))
			goto fail;
		/* post_recv() and conn_free() find it there */
		c->id->qp = qp;
		cp.qp_num = qp->qp_num;
	} else if (rdma_create_qp(c->id, c->pd, &qa)) {
		goto fail;
	}
	for (i = 0; i < recv_depth; i++)
		if (post_recv(c, i))
			goto fail;
	/* librdmacm answers a REP itself for the QPs it knows of */
	if (hold_rtu)
		c->id->qp = NULL;

	cp.private_data = login;
	cp.private_data_len = login_len;
	cp.responder_resources = 4;
	cp.initiator_depth = 4;
	cp.retry_count = 7;
	cp.rnr_retry_count = 7;
	if (rdma_connect(c->id, &cp))
		goto fail;
	st.logins++;
	ret = wait_cm(c, hold_rtu ? RDMA_CM_EVENT_CONNECT_RESPONSE :
			 RDMA_CM_EVENT_ESTABLISHED, NULL, login_wait_ms);
	if (hold_rtu)
		c->id->qp = qp;
	if (!ret && hold_rtu) {
		/* INIT again first: access flags as negotiated (librdmacm too) */
		if (conn_qp_move(c, qp, IBV_QPS_INIT) ||
		    conn_qp_move(c, qp, IBV_QPS_RTR) ||
		    conn_qp_move(c, qp, IBV_QPS_RTS))
			goto fail;
		c->up = 2;
		st.login_ok++;
		return 1;
	}
	if (!ret) {
		c->up = 1;
		st.login_ok++;
		return 1;
	}
	if (ret == -ETIMEDOUT) {
		fprintf(stderr, "srp-fuzz: login got no answer\n");
		conn_free(c);
		return -1;
	}
	st.login_rej++;
	conn_free(c);
	return 0;
fail:
	if (qp && !c->id->qp)
		ibv_destroy_qp(qp);
	conn_free(c);
	return -1;
}

int conn_open(struct conn *c, const void *login, int login_len)
{
	return conn_connect(c, login, login_len, 0);
}

int post_send(struct conn *c, int slot, uint32_t len)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)(c->send_buf + (size_t)slot * IU_MAX),
		.length = len, .lkey = c->send_mr->lkey,
	};
	struct ibv_send_wr wr = {
		.wr_id = 1000 + slot, .sg_list = &sge, .num_sge = 1,
		.opcode = IBV_WR_SEND, .send_flags = IBV_SEND_SIGNALED,
	};
	struct ibv_send_wr *bad;

	st.ius++;
	return ibv_post_send(c->id->qp, &wr, &bad);
}

/* Has the connection been torn down by the target? */
int conn_dropped(struct conn *c)
{
	struct pollfd pfd = { .fd = c->ech->fd, .events = POLLIN };
	struct rdma_cm_event *ev;
	int gone = 0;

	while (poll(&pfd, 1, 0) > 0 && !rdma_get_cm_event(c->ech, &ev)) {
		if (ev->event == RDMA_CM_EVENT_DISCONNECTED ||
		    ev->event == RDMA_CM_EVENT_TIMEWAIT_EXIT ||
		    ev->event == RDMA_CM_EVENT_DEVICE_REMOVAL)
			gone = 1;
		rdma_ack_cm_event(ev);
	}
	if (gone)
		c->up = 0;
	return gone;
}

/*
 * Wait for @want responses. Returns 0 when they arrived, 1 when the
 * channel died (legal), -1 when the target went silent on a live channel.
 */
int wait_answers(struct conn *c, int want, uint64_t tag,
			uint8_t *status)
{
	struct timespec t0, t;
	struct ibv_wc wc[16];
	int got = 0, i, n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (got < want) {
		n = ibv_poll_cq(c->cq, 16, wc);
		for (i = 0; i < n; i++) {
			if (wc[i].status != IBV_WC_SUCCESS) {
				vlog("  wc error %s\n",
				     ibv_wc_status_str(wc[i].status));
				c->up = 0;
				return 1;
			}
			if (wc[i].opcode != IBV_WC_RECV)
				continue;
			{
				const struct srp_rsp_hdr *r = (void *)
					(c->recv_buf + wc[i].wr_id * IU_MAX);

				if (r->opcode == OP_RSP) {
					c->credits += be32toh(r->req_lim_delta);
					if (status && r->tag == tag) {
						*status = r->status;
						memcpy(last_rsp, r,
						       sizeof(last_rsp));
					}
				}
				got++;
				st.answered++;
				post_recv(c, wc[i].wr_id);
			}
		}
		if (n)
			continue;
		if (conn_dropped(c))
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 > WAIT_MS)
			return -1;
		usleep(200);
	}
	return 0;
}

static void set_desc(struct desc *d, struct conn *c, int valid, uint32_t len)
{
	if (valid) {
		uint32_t off = rnd_below(data_size / 2);

		if (len > data_size - off)
			len = data_size - off;
		d->va = htobe64((uintptr_t)c->data + off);
		d->key = htobe32(c->data_mr->rkey);
	} else {
		d->va = htobe64(rnd());
		d->key = htobe32(rnd_below(2) ? c->data_mr->rkey :
				 (uint32_t)rnd());
	}
	d->len = htobe32(len);
}

/* Build a hostile SRP_CMD in slot 0; returns the IU length to send. */
static uint32_t make_cmd(struct conn *c, uint64_t tag)
{
	uint8_t *iu = c->send_buf;
	struct srp_cmd_hdr *h = (void *)iu;
	uint32_t len = sizeof(*h), n, i;
	int sane = rnd_below(4) != 0;	/* mostly valid remote buffers */
	uint8_t fmt = rnd_below(8);

	memset(iu, 0, 1024);
	h->opcode = OP_CMD;
	h->tag = tag;
	h->task_attr = rnd_below(8);
	h->lun[1] = rnd_below(4) ? 0 : rnd_below(256);
	h->add_cdb_len = rnd_below(4) ? 0 : rnd_below(256);
	/* READ(10)/WRITE(10)/INQUIRY/TUR, or garbage */
	switch (rnd_below(5)) {
	case 0:
		h->cdb[0] = 0x28;
		break;
	case 1:
		h->cdb[0] = 0x2a;
		break;
	case 2:
		h->cdb[0] = 0x12;
		h->cdb[4] = 96;
		break;
	case 3:
		h->cdb[0] = 0x7f;
		h->cdb[7] = rnd_below(256);
		break;
	default:
		for (i = 0; i < 16; i++)
			h->cdb[i] = rnd();
		break;
	}
	h->cdb[8] = rnd_below(16);	/* transfer length in blocks */
	len += h->add_cdb_len & ~3;
	if (len > 1024 - 64)
		len = 1024 - 64;

	switch (fmt) {
	case 0:	/* no data */
		break;
	case 1:
	case 2:	/* direct in/out */
		h->buf_fmt = fmt == 1 ? 0x01 : 0x10;
		set_desc((struct desc *)(iu + len), c, sane,
			 sane ? rnd_below(65536) : rnd_len());
		len += 16;
		break;
	case 3:
	case 4: {	/* indirect in/out */
		struct desc *tbl = (struct desc *)(iu + len);
		uint32_t sum = 0;

		n = rnd_below(8) + (rnd_below(4) ? 1 : 0);
		h->buf_fmt = fmt == 3 ? 0x02 : 0x20;
		if (fmt == 3)
			h->in_cnt = rnd_below(4) ? n : rnd_below(256);
		else
			h->out_cnt = rnd_below(4) ? n : rnd_below(256);
		tbl->va = htobe64(rnd());
		tbl->key = htobe32(rnd());
		tbl->len = htobe32(rnd_below(4) ? n * 16 : rnd_len());
		for (i = 0; i < n && len + 20 + (i + 1) * 16 <= 1024; i++) {
			uint32_t l = sane ? rnd_below(8192) + 1 : rnd_len();

			set_desc((struct desc *)(iu + len + 20 + i * 16), c,
				 sane, l);
			sum += be32toh(((struct desc *)
				(iu + len + 20 + i * 16))->len);
		}
		*(uint32_t *)(iu + len + 16) =
			htobe32(rnd_below(4) ? sum : rnd_len());
		len += 20 + i * 16;
		break;
	}
	case 5:
		{	/* immediate data */
		uint32_t ilen = rnd_below(4) ? rnd_below(8192) : rnd_len();

		h->buf_fmt = 0x30;
		*(uint32_t *)(iu + len) = htobe32(ilen);
		len = 68 + (ilen < 8192 ? ilen : rnd_below(8192));
		break;
	}
	default:	/* reserved formats, bidirectional */
		h->buf_fmt = rnd();
		h->out_cnt = rnd();
		h->in_cnt = rnd();
		for (i = len; i < len + 64; i++)
			iu[i] = rnd();
		len += 64;
		break;
	}
	/* sometimes truncate or pad the IU */
	if (!rnd_below(8))
		len = rnd_below(len + 1);
	else if (!rnd_below(16))
		len += rnd_below(IU_MAX - len);
	return len ? len : 1;
}

/* The target answers every SRP_CMD and SRP_TSK_MGMT, however mangled. */
static int answer_expected(uint32_t len, uint8_t opcode)
{
	return len >= 1 && (opcode == OP_CMD || opcode == OP_TSK_MGMT);
}

/* Credit abuse: a burst of TEST UNIT READYs past req_lim. */
static int credit_burst(struct conn *c, uint64_t tag)
{
	uint8_t *iu = c->send_buf;
	int i, burst = c->credits + 8 + rnd_below(32), sent = 0;

	if (burst > send_slots - 1)
		burst = send_slots - 1;
	for (i = 0; i < burst; i++) {
		struct srp_cmd_hdr *h = (void *)(iu + (size_t)(i + 1) * IU_MAX);

		memset(h, 0, sizeof(*h));
		h->opcode = OP_CMD;
		h->tag = tag + i * 0x100000000ULL;
		h->cdb[0] = 0x00;	/* TEST UNIT READY */
		{
			struct ibv_sge sge = {
				.addr = (uintptr_t)h,
				.length = sizeof(*h),
				.lkey = c->send_mr->lkey,
			};
			struct ibv_send_wr wr = {
				.wr_id = 2000 + i, .sg_list = &sge,
				.num_sge = 1, .opcode = IBV_WR_SEND,
				.send_flags = IBV_SEND_SIGNALED,
			};
			struct ibv_send_wr *bad;

			if (ibv_post_send(c->id->qp, &wr, &bad))
				break;
			st.ius++;
			sent++;
		}
	}
	c->credits -= sent;
	return wait_answers(c, sent, 0, NULL) < 0 ? -1 : 0;
}

/* One case on an established connection. 0 ok, -1 target went silent. */
static int fuzz_iu(struct conn *c, long n)
{
	uint8_t *iu = c->send_buf;
	uint64_t tag = 0x1000000 + n;
	uint32_t len;
	int kind = rnd_below(10), want = 0, i, r;

	if (kind == 8)
		return credit_burst(c, tag);
	/* well-formed tables, TMFs at live commands, other imm. offsets */
	if (kind == 9 && rnd_below(2))
		return wire_fuzz_iu(c, n);
	if (kind < 6) {
		len = make_cmd(c, tag);
		want = answer_expected(len, OP_CMD);
	} else if (kind == 6) {	/* task management */
		memset(iu, 0, 64);
		iu[0] = OP_TSK_MGMT;
		*(uint64_t *)(iu + 8) = tag;
		iu[30] = rnd_below(3) ? (1 << rnd_below(7)) : rnd();
		*(uint64_t *)(iu + 32) = rnd_below(2) ? tag - 1 : rnd();
		len = rnd_below(6) ? 48 : rnd_below(64) + 1;
		want = answer_expected(len, OP_TSK_MGMT);
	} else if (kind == 7) {	/* unknown / unexpected opcodes */
		static const uint8_t ops[] = {
			OP_CRED_RSP, OP_AER_RSP, OP_RSP, OP_LOGIN_REQ,
			OP_LOGIN_RSP, OP_T_LOGOUT, 0x55, 0xff,
		};
		len = rnd_below(IU_MAX) + 1;
		for (i = 0; i < (int)len && i < 256; i++)
			iu[i] = rnd();
		iu[0] = ops[rnd_below(8)];
	} else {		/* tiny / empty-ish IUs */
		len = rnd_below(16) + 1;
		memset(iu, 0, len);
		iu[0] = rnd_below(2) ? OP_CMD : OP_TSK_MGMT;
	}
	if (post_send(c, 0, len))
		return 0;
	if (want)
		c->credits--;
	r = wait_answers(c, want, tag, NULL);
	if (r < 0)
		fprintf(stderr, "srp-fuzz: case %ld: no answer (kind %d, opcode %#x, len %u)\n",
			n, kind, iu[0], len);
	if (!want && !r && conn_dropped(c))
		r = 1;
	if (r > 0)
		st.dropped++;
	return r < 0 ? -1 : 0;
}

/* A damaged login; a hung CM exchange is the only failure. */
static int fuzz_login(long n)
{
	struct login_rdma l;
	uint8_t raw[64];
	struct conn c;
	int len = sizeof(l), r;

	fill_login(&l);
	switch (rnd_below(8)) {
	case 0:
		l.it_iu_len = htobe32(rnd_len());
		break;
	case 1:
		l.t_port_id[rnd_below(16)] ^= 1 << rnd_below(8);
		break;
	case 2:
		l.opcode = rnd();
		break;
	case 3:
		l.flags = rnd();
		break;
	case 4:
		l.imm_off = htobe16(rnd());
		break;
	case 5:
		l.buf_fmt = htobe16(rnd());
		break;
	case 6:		/* truncated */
		len = rnd_below(sizeof(l));
		break;
	default:
		memcpy(l.i_port_id, &rng, 8);
		break;
	}
	memcpy(raw, &l, sizeof(l));
	r = conn_open(&c, raw, len);
	if (r < 0) {
		fprintf(stderr, "srp-fuzz: login case %ld hung or failed\n", n);
		return -1;
	}
	if (r > 0)
		conn_close(&c);
	return 0;
}

/* INQUIRY on an open connection: 0 when it returned LIO-ORG data. */
int inquiry(struct conn *cp)
{
	struct conn c_ = *cp, *c = &c_;
	struct srp_cmd_hdr *h;
	struct desc *d;
	uint8_t status = 0xff;
	int r;

	h = (void *)c->send_buf;
	memset(h, 0, 128);
	h->opcode = OP_CMD;
	h->tag = 0xfeed;
	h->buf_fmt = 0x01;
	h->cdb[0] = 0x12;
	h->cdb[4] = 96;
	d = (void *)(c->send_buf + sizeof(*h));
	d->va = htobe64((uintptr_t)c->data);
	d->key = htobe32(c->data_mr->rkey);
	d->len = htobe32(96);
	memset(c->data, 0, 96);
	post_send(c, 0, sizeof(*h) + 16);
	r = wait_answers(c, 1, 0xfeed, &status);
	*cp = *c;
	if (!r && !status && memcmp(c->data + 8, "LIO-ORG", 7))
		return 2;
	return r ? r : status ? 3 : 0;
}

/* Open @n channels, INQUIRY on each, close all; timing on stdout. */
static int scale(int n)
{
	struct conn *cs = calloc(n, sizeof(*cs));
	struct timespec t0, t1, t2, t3;
	struct login_rdma l;
	int i, bad = 0, open = 0;

	recv_depth = 4;
	data_size = 4096;
	send_slots = 4;
	login_wait_ms = opt_login_wait > 0 ? opt_login_wait : 30000;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		fill_login(&l);
		l.i_port_id[14] = i >> 8;
		l.i_port_id[15] = i;
		if (conn_open(&cs[i], &l, sizeof(l)) != 1) {
			fprintf(stderr, "srp-fuzz: channel %d: login failed\n", i);
			bad++;
			continue;
		}
		open++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (i = 0; i < n; i++)
		if (cs[i].up && inquiry(&cs[i])) {
			fprintf(stderr, "srp-fuzz: channel %d: INQUIRY failed\n", i);
			bad++;
		}
	if (opt_hold) {
		char line[16];

		printf("srp-fuzz: holding %d channels\n", open);
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			clearerr(stdin);
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	for (i = 0; i < n; i++)
		if (cs[i].up)
			rdma_disconnect(cs[i].id);
	for (i = 0; i < n; i++)
		conn_close(&cs[i]);
	clock_gettime(CLOCK_MONOTONIC, &t3);
#define MS(a, b) ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000)
	printf("srp-fuzz: %s %d channels: %d logged in after %ld ms, INQUIRY on all in %ld ms, disconnect in %ld ms, %d errors\n",
	       __func__, n, open, (long)MS(t0, t1), (long)MS(t1, t2), (long)MS(t2, t3), bad);
	free(cs);
	return bad ? 1 : 0;
}

/* A fresh, valid login and an INQUIRY that must succeed. */
static int health_check(void)
{
	struct login_rdma l;
	struct conn c;
	int r;

	fill_login(&l);
	if (conn_open(&c, &l, sizeof(l)) != 1) {
		fprintf(stderr, "srp-fuzz: health check: login failed\n");
		return -1;
	}
	r = inquiry(&c);
	conn_close(&c);
	if (r) {
		fprintf(stderr, "srp-fuzz: health check: INQUIRY failed (%d)\n", r);
		return -1;
	}
	return 0;
}

/* ---- external descriptor tables (-x) ---- */

#define XT_LBA		2048
#define XT_LEN		65536		/* bytes per transfer */
#define XT_TBL_W	0		/* offsets in c->data */
#define XT_TBL_R	32768
#define XT_BUF_W	65536
#define XT_BUF_R	(512 * 1024)
#define XT_BUF_D	(896 * 1024)	/* contiguous, for a direct READ */
#define XT_DESC_MAX	1024		/* keel's SRPT_DESC_MAX */

int xt_failed;

void xt_result(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s\n", name);
		return;
	}
	xt_failed++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/*
 * Describe @total bytes as @n buffers of 1..@m sectors (the last one takes
 * the rest) from @off in c->data on, with a sector-sized gap after each,
 * in the table at @tbl. Returns 0, or -1 when @n buffers do not fit.
 */
static int xt_layout(struct conn *c, struct desc *tbl, uint32_t off, int n,
		     int m, uint32_t total)
{
	uint32_t sum = 0, len;
	int i;

	for (i = 0; i < n; i++) {
		len = i + 1 < n ? 512 * (1 + (i * 5) % m) : total - sum;
		if (i + 1 == n && (len == 0 || len > total))
			return -1;
		tbl[i].va = htobe64((uintptr_t)c->data + off);
		tbl[i].key = htobe32(c->data_mr->rkey);
		tbl[i].len = htobe32(len);
		sum += len;
		off += len + 512;
	}
	return off <= data_size ? 0 : -1;
}

/* Byte @k of the test data. */
static uint8_t xt_pattern(uint32_t k, uint32_t seed)
{
	return (uint8_t)(k * 131 + (k >> 9) * 7 + seed);
}

/* Copy between the test data stream and the buffers of a table. */
static void xt_scatter(struct conn *c, const struct desc *tbl, int n,
		       uint8_t *stream, int gather)
{
	uint32_t pos = 0;
	int i;

	for (i = 0; i < n; i++) {
		uint8_t *b = (uint8_t *)(uintptr_t)be64toh(tbl[i].va);
		uint32_t len = be32toh(tbl[i].len);

		if (gather)
			memcpy(stream + pos, b, len);
		else
			memcpy(b, stream + pos, len);
		pos += len;
	}
}

/* The CDB of a READ(10) or WRITE(10) of @blocks sectors at @lba. */
static void xt_rw10(struct srp_cmd_hdr *h, int write, uint32_t lba,
		    uint16_t blocks)
{
	h->cdb[0] = write ? 0x2a : 0x28;
	h->cdb[2] = lba >> 24;
	h->cdb[3] = lba >> 16;
	h->cdb[4] = lba >> 8;
	h->cdb[5] = lba;
	h->cdb[7] = blocks >> 8;
	h->cdb[8] = blocks;
}

/*
 * Send a READ(10)/WRITE(10) of @total bytes at XT_LBA whose descriptor
 * table (@tbl_len bytes at @tbl_va, key @key) is external; the IU carries
 * the first @in_iu descriptors of @copy. Returns the SCSI status, -1 when
 * the channel was dropped, -2 when the target went silent.
 */
static int xt_cmd(struct conn *c, uint64_t tag, int write, int in_iu,
		  uint64_t tbl_va, uint32_t key, uint32_t tbl_len,
		  uint32_t total, const struct desc *copy)
{
	struct srp_cmd_hdr *h = (void *)c->send_buf;
	uint8_t *p = c->send_buf + sizeof(*h);
	struct desc *td = (void *)p;
	uint32_t blocks = total / 512, lba = XT_LBA;
	uint8_t status = 0xff;
	int r;

	memset(h, 0, 1024);
	h->opcode = OP_CMD;
	h->tag = tag;
	h->buf_fmt = write ? 0x20 : 0x02;
	if (write)
		h->out_cnt = in_iu;
	else
		h->in_cnt = in_iu;
	xt_rw10(h, write, lba, blocks);
	td->va = htobe64(tbl_va);
	td->key = htobe32(key);
	td->len = htobe32(tbl_len);
	*(uint32_t *)(p + 16) = htobe32(total);
	memcpy(p + 20, copy, in_iu * sizeof(*copy));
	memset(last_rsp, 0, sizeof(last_rsp));
	if (post_send(c, 0, sizeof(*h) + 20 + in_iu * sizeof(*copy)))
		return -2;
	c->credits--;
	r = wait_answers(c, 1, tag, &status);
	return r < 0 ? -2 : r > 0 ? -1 : status;
}

/* READ(10) of XT_LEN bytes at XT_LBA into XT_BUF_D, one direct buffer. */
static int xt_direct_read(struct conn *c)
{
	struct srp_cmd_hdr *h = (void *)c->send_buf;
	struct desc *d = (void *)(c->send_buf + sizeof(*h));
	uint8_t status = 0xff;

	memset(h, 0, 128);
	h->opcode = OP_CMD;
	h->tag = 0xd1;
	h->buf_fmt = 0x01;
	h->cdb[0] = 0x28;
	h->cdb[4] = XT_LBA >> 8;
	h->cdb[5] = XT_LBA & 0xff;
	h->cdb[7] = (XT_LEN / 512) >> 8;
	h->cdb[8] = (XT_LEN / 512) & 0xff;
	d->va = htobe64((uintptr_t)c->data + XT_BUF_D);
	d->key = htobe32(c->data_mr->rkey);
	d->len = htobe32(XT_LEN);
	memset(c->data + XT_BUF_D, 0xee, XT_LEN);
	if (post_send(c, 0, sizeof(*h) + sizeof(*d)))
		return -2;
	c->credits--;
	if (wait_answers(c, 1, 0xd1, &status))
		return -1;
	return status;
}

/* Status GOOD, or CHECK CONDITION with ILLEGAL REQUEST / 0Eh/03h. */
static int xt_invalid_iu_sense(void)
{
	const struct srp_rsp_hdr *r = (const void *)last_rsp;
	const uint8_t *sense = last_rsp + sizeof(*r);

	return r->status == 0x02 && (r->flags & 0x02) &&
	       be32toh(r->sense_len) >= 14 && (sense[2] & 0xf) == 0x05 &&
	       sense[12] == 0x0e && sense[13] == 0x03;
}

static int xt_login(struct conn *c)
{
	struct login_rdma l;

	fill_login(&l);
	return conn_open(c, &l, sizeof(l)) == 1 ? 0 : -1;
}

/* A malformed table that must be refused with the right sense data. */
static void xt_malformed(struct conn *c, const char *name, int ndesc,
			 uint32_t total, int zero_at, uint32_t tbl_len)
{
	struct desc *tbl = (struct desc *)(c->data + XT_TBL_W);
	int st, i;

	for (i = 0; i < ndesc; i++) {
		tbl[i].va = htobe64((uintptr_t)c->data + XT_BUF_W);
		tbl[i].key = htobe32(c->data_mr->rkey);
		tbl[i].len = htobe32(i == zero_at ? 0 : 512);
	}
	st = xt_cmd(c, 0x3000 + ndesc, 1, 1, (uintptr_t)tbl,
		    c->data_mr->rkey, tbl_len ? tbl_len : ndesc * 16, total,
		    tbl);
	xt_result(st == 0x02 && xt_invalid_iu_sense(), name,
		  "status %d, sense %02x/%02x/%02x", st,
		  last_rsp[sizeof(struct srp_rsp_hdr) + 2],
		  last_rsp[sizeof(struct srp_rsp_hdr) + 12],
		  last_rsp[sizeof(struct srp_rsp_hdr) + 13]);
}

static int ext_tables(void)
{
	const int nw = 40, nr = 70;
	uint8_t *want = malloc(XT_LEN), *got = malloc(XT_LEN);
	struct desc *tw, *tr;
	uint32_t seed = time(NULL), k;
	struct conn c;
	int st;

	if (!want || !got || xt_login(&c)) {
		fprintf(stderr, "srp-fuzz: -x: login failed\n");
		return 1;
	}
	tw = (struct desc *)(c.data + XT_TBL_W);
	tr = (struct desc *)(c.data + XT_TBL_R);
	if (xt_layout(&c, tw, XT_BUF_W, nw, 4, XT_LEN) ||
	    xt_layout(&c, tr, XT_BUF_R, nr, 2, XT_LEN)) {
		fprintf(stderr, "srp-fuzz: -x: buffers do not fit\n");
		return 1;
	}
	for (k = 0; k < XT_LEN; k++)
		want[k] = xt_pattern(k, seed);
	xt_scatter(&c, tw, nw, want, 0);

	/* WRITE: 40 buffers, the first one also in the IU (as ib_srp does) */
	st = xt_cmd(&c, 0x2001, 1, 1, (uintptr_t)tw, c.data_mr->rkey,
		    nw * 16, XT_LEN, tw);
	xt_result(st == 0, "ext-write", "status %d", st);

	/* READ back through 70 other buffers, none of them in the IU */
	memset(c.data + XT_BUF_R, 0xee, data_size - XT_BUF_R);
	st = xt_cmd(&c, 0x2002, 0, 0, (uintptr_t)tr, c.data_mr->rkey,
		    nr * 16, XT_LEN, tr);
	xt_result(st == 0, "ext-read", "status %d", st);
	xt_scatter(&c, tr, nr, got, 1);
	xt_result(st == 0 && !memcmp(want, got, XT_LEN), "ext-read-data",
		  "data read through the external table differs");

	/* the same blocks through one direct descriptor */
	st = xt_direct_read(&c);
	xt_result(st == 0 && !memcmp(want, c.data + XT_BUF_D, XT_LEN),
		  "ext-write-data", "direct READ status %d or data differs",
		  st);

	/* malformed tables: refused, channel stays usable */
	xt_malformed(&c, "ext-zero-buffer", 8, 7 * 512, 3, 0);
	xt_malformed(&c, "ext-sum-mismatch", 8, 8 * 512 + 512, -1, 0);
	xt_malformed(&c, "ext-too-many", XT_DESC_MAX + 1,
		     (XT_DESC_MAX + 1) * 512, -1, 0);
	xt_malformed(&c, "ext-partial-desc", 8, 8 * 512, -1, 8 * 16 + 8);
	st = c.up ? inquiry(&c) : -1;
	xt_result(st == 0, "ext-channel-usable", "INQUIRY after refusals: %d",
		  st);

	/* a table behind a bad rkey: answered (not GOOD) or channel dropped */
	st = xt_cmd(&c, 0x2003, 1, 1, (uintptr_t)tw,
		    c.data_mr->rkey ^ 0x00ffff00, nw * 16, XT_LEN, tw);
	xt_result(st == -1 || st > 0, "ext-bad-rkey",
		  "%s", st == 0 ? "status GOOD" : "target went silent");
	vlog("  bad rkey: %s\n", st == -1 ? "channel dropped" : "answered");
	conn_close(&c);

	/* a fresh channel still does external tables */
	if (xt_login(&c)) {
		xt_result(0, "ext-relogin", "login failed");
	} else {
		tr = (struct desc *)(c.data + XT_TBL_R);
		xt_layout(&c, tr, XT_BUF_R, nr, 2, XT_LEN);
		st = xt_cmd(&c, 0x2004, 0, 2, (uintptr_t)tr, c.data_mr->rkey,
			    nr * 16, XT_LEN, tr);
		xt_scatter(&c, tr, nr, got, 1);
		xt_result(st == 0 && !memcmp(want, got, XT_LEN),
			  "ext-relogin", "READ status %d or data differs", st);
		conn_close(&c);
	}
	free(want);
	free(got);
	printf("srp-fuzz: external tables: %d failed\n", xt_failed);
	return xt_failed ? 1 : 0;
}

/* -x -L: a table READ the target never sees complete (fault injection). */
static int ext_lost_fetch(void)
{
	struct conn c;
	struct desc *tw;
	int st;

	if (xt_login(&c)) {
		fprintf(stderr, "srp-fuzz: -L: login failed\n");
		return 1;
	}
	tw = (struct desc *)(c.data + XT_TBL_W);
	if (xt_layout(&c, tw, XT_BUF_W, 40, 4, XT_LEN)) {
		fprintf(stderr, "srp-fuzz: -L: buffers do not fit\n");
		return 1;
	}
	st = xt_cmd(&c, 0x4001, 1, 1, (uintptr_t)tw, c.data_mr->rkey,
		    40 * 16, XT_LEN, tw);
	xt_result(st == -2, "ext-lost-unanswered", "%s",
		  st == -1 ? "channel dropped" : "answered");
	st = c.up ? inquiry(&c) : -1;
	xt_result(st == 0, "ext-lost-channel-usable", "INQUIRY: %d", st);
	/* close with the WRITE still outstanding on the target */
	conn_close(&c);
	printf("srp-fuzz: lost table READ: %d failed\n", xt_failed);
	return xt_failed ? 1 : 0;
}

#include "cases-race.c"

static void print_usage(void)
{
	fprintf(stderr, "usage: srp-fuzz -a addr [-p port] -g guid [-n cases] [-s seed] [-m channels [-H]] [-x [-L]] [-A | -Q | -B | -S n | -l n | -T secs | -O | -D n] [-W ms] [-R] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct conn c = { 0 };
	struct login_rdma l;
	long n;
	int opt;

	while ((opt = getopt(argc, argv, "a:p:g:n:s:m:W:T:OHxLvRAQBS:l:D:")) != -1) {
		switch (opt) {
		case 'H':
			opt_hold = 1;
			break;
		case 'm':
			opt_scale = atoi(optarg);
			break;
		case 'T':
			opt_stream = atoi(optarg);
			break;
		case 'D':
			opt_races = atol(optarg);
			break;
		case 'O':
			opt_single = 1;
			break;
		case 'x':
			opt_ext = 1;
			break;
		case 'L':
			opt_lost = 1;
			break;
		case 'a':
			opt_addr = optarg;
			break;
		case 'p':
			opt_port = optarg;
			break;
		case 'g':
			opt_guid = strtoull(optarg, NULL, 16);
			break;
		case 'n':
			opt_cases = atol(optarg);
			break;
		case 's':
			opt_seed = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			opt_verbose = 1;
			break;
		case 'R':
			opt_srq = 1;
			break;
		case 'W':
			opt_login_wait = atoi(optarg);
			break;
		case 'A':
		case 'Q':
		case 'B':
		case 'S':
		case 'l':
			opt_wire = opt;
			opt_wire_n = optarg ? atol(optarg) : 0;
			break;
		default:
			print_usage();
		}
	}
	if (!opt_addr || !opt_guid)
		print_usage();
	if (opt_login_wait > 0)
		login_wait_ms = opt_login_wait;
	rng = 0x9e3779b97f4a7c15ULL ^ opt_seed;
	if (!rng)
		rng = 1;

	if (opt_scale)
		return scale(opt_scale);
	if (opt_stream)
		return race_stream(opt_stream);
	if (opt_single)
		return race_single_relogin();
	switch (opt_wire) {
	case 'A':
		return wire_alloc_len();
	case 'Q':
		return wire_sq_full();
	case 'B':
		return wire_ordered_abort();
	case 'S':
		return wire_srq_flood(opt_wire_n);
	case 'l':
		return wire_login_storm(opt_wire_n);
	}
	if (opt_ext && opt_lost)
		return ext_lost_fetch();
	if (opt_ext)
		return ext_tables();
	if (health_check())
		return 1;
	if (opt_races)
		return race_only(opt_races);
	for (n = 0; n < opt_cases; n++) {
		st.cases++;
		if (!rnd_below(20)) {
			if (fuzz_login(n))
				st.failures++;
			continue;
		}
		if (!rnd_below(25)) {	/* cases-race.c, own channels */
			if (race_fuzz(n))
				st.failures++;
			continue;
		}
		if (!c.up) {
			conn_close(&c);
			fill_login(&l);
			if (conn_open(&c, &l, sizeof(l)) != 1) {
				fprintf(stderr, "srp-fuzz: case %ld: relogin failed\n", n);
				st.failures++;
				break;
			}
			st.reconnects++;
		}
		if (fuzz_iu(&c, n)) {
			st.failures++;
			conn_close(&c);
		}
		if (n % 500 == 499 && health_check())
			st.failures++;
		if (n % 5000 == 4999) {
			printf("srp-fuzz: progress %ld cases, %ld IUs, %ld answered, %ld dropped, %ld failures\n",
			       n + 1, st.ius, st.answered, st.dropped,
			       st.failures);
			fflush(stdout);
		}
		if (st.failures > 5)
			break;
	}
	conn_close(&c);
	if (health_check())
		st.failures++;
	printf("srp-fuzz: seed %u cases %ld logins %ld (ok %ld, rejected %ld) ius %ld answered %ld dropped %ld reconnects %ld failures %ld\n",
	       opt_seed, st.cases, st.logins, st.login_ok, st.login_rej,
	       st.ius, st.answered, st.dropped, st.reconnects, st.failures);
	return st.failures ? 1 : 0;
}
