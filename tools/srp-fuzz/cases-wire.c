// SPDX-License-Identifier: GPL-2.0
/*
 * srp-fuzz: cases about what the target puts on the wire and what an
 * initiator can make it hold (tests/srpt/013-wire-limits, 014-login-storm).
 *
 * -A  allocation length: INQUIRY, REPORT LUNS and READ(10) whose CDB asks
 *     for less than the Data-In buffers offer. Everything past the bytes
 *     the command returns must be left as the initiator filled it: a
 *     target that RDMA-WRITEs whole buffers sends stale kernel memory
 *     (non-zero bytes) or zeros there. Before, 16 WRITEs leave freed
 *     target pages full of a pattern.
 * -Q  send queue exhaustion (target srp_sq_size 16, so 8 send WRs): 16
 *     READ(10)s of 7 x 8 KiB buffers each (8 send WRs per response, so
 *     no two fit at once) and an ABORT TASK at once; 16 such WRITE(10)s
 *     (7 RDMA READs each) and an ABORT TASK of the last at once; then 16
 *     commands to a LUN that does not exist at once; every one (but the
 *     aborted WRITE) must be answered, the data must match.
 * -S N  one initiator ignores its credits: channel A posts one receive,
 *     so the target's responses to it stall (RNR), and sends N TEST UNIT
 *     READYs; with use_srq=1 channel B must still be served (INQUIRY).
 * -l N  N logins with distinct initiator port ids (run against a target
 *     without an ACL for us: all are rejected); any unanswered login fails.
 * -B  task ordering after an aborted command (LUN 0 on a slow device):
 *     a SIMPLE or ORDERED READ aborted (ABORT TASK, LUN RESET) while in
 *     the backend, then an ORDERED and a SIMPLE TEST UNIT READY must be
 *     answered (tests/srpt/019-ordered-tmf).
 *
 * Each check prints "PASS name" or "FAIL name: why" (xt_result()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <endian.h>
#include "srp-fuzz.h"

#define W_FILL		0xee	/* what the initiator puts in its buffers */
#define W_WAIT_MS	20000

/* One answer collected by w_wait(). */
struct w_rsp {
	uint64_t tag;
	uint8_t opcode, status, flags;
	uint32_t in_res;
	int seen;
};

static long w_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Take the next received IU (its fixed part into @iu) and repost the
 * buffer. Returns 0, 1 when the channel died, -1 @ms after @t0.
 */
static int w_recv(struct conn *c, struct srp_rsp_hdr *iu,
		  const struct timespec *t0, int ms)
{
	struct ibv_wc wc;
	int got;

	for (;;) {
		got = ibv_poll_cq(c->cq, 1, &wc);
		if (got > 0 && wc.status != IBV_WC_SUCCESS) {
			vlog("  wc error %s\n", ibv_wc_status_str(wc.status));
			c->up = 0;
			return 1;
		}
		if (got > 0 && wc.opcode == IBV_WC_RECV) {
			memcpy(iu, c->recv_buf + wc.wr_id * IU_MAX, sizeof(*iu));
			post_recv(c, wc.wr_id);
			return 0;
		}
		if (got > 0)
			continue;	/* a send completion */
		if (conn_dropped(c))
			return 1;
		if (w_ms_since(t0) > ms)
			return -1;
		usleep(200);
	}
}

/* Record @iu in the entry of @r[0..n) with its tag; 1 when it had one. */
static int w_match(struct conn *c, struct w_rsp *r, int n,
		   const struct srp_rsp_hdr *iu)
{
	int k;

	if (iu->opcode == OP_RSP)
		c->credits += be32toh(iu->req_lim_delta);
	for (k = 0; k < n; k++) {
		if (r[k].seen || r[k].tag != iu->tag)
			continue;
		r[k].seen = 1;
		r[k].opcode = iu->opcode;
		r[k].status = iu->status;
		r[k].flags = iu->flags;
		r[k].in_res = be32toh(iu->in_res);
		return 1;
	}
	return 0;
}

/*
 * Collect answers until every tag in @r[0..n) has one. Returns 0, 1 when
 * the channel died, -1 when the target went silent for W_WAIT_MS.
 */
static int w_wait(struct conn *c, struct w_rsp *r, int n)
{
	struct srp_rsp_hdr iu;
	struct timespec t0;
	int left = n, ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (left > 0) {
		ret = w_recv(c, &iu, &t0, W_WAIT_MS);
		if (ret)
			return ret;
		left -= w_match(c, r, n, &iu);
	}
	return 0;
}

static struct srp_cmd_hdr *w_hdr(struct conn *c, int slot, uint64_t tag)
{
	struct srp_cmd_hdr *h = (void *)(c->send_buf + (size_t)slot * IU_MAX);

	memset(h, 0, 1024);
	h->opcode = OP_CMD;
	h->tag = tag;
	return h;
}

static void w_rw10(struct srp_cmd_hdr *h, uint8_t op, uint32_t lba,
		   uint16_t blocks)
{
	uint32_t be_lba = htobe32(lba);
	uint16_t be_blocks = htobe16(blocks);

	h->cdb[0] = op;
	memcpy(h->cdb + 2, &be_lba, 4);
	memcpy(h->cdb + 7, &be_blocks, 2);
}

/*
 * Describe @n buffers of @seg bytes, the k-th at @va[k], as the data of
 * the command in @h: one direct descriptor, or a table in the IU. @in
 * selects Data-In. Returns the IU length.
 */
static uint32_t w_descs(struct conn *c, struct srp_cmd_hdr *h, int in, int n,
			uint8_t * const *va, uint32_t seg)
{
	uint8_t *p = (uint8_t *)(h + 1);
	struct desc *d;
	int k;

	if (n == 1) {
		h->buf_fmt = in ? 0x01 : 0x10;
		d = (void *)p;
		d->va = htobe64((uintptr_t)va[0]);
		d->key = htobe32(c->data_mr->rkey);
		d->len = htobe32(seg);
		return sizeof(*h) + sizeof(*d);
	}
	h->buf_fmt = in ? 0x02 : 0x20;
	if (in)
		h->in_cnt = n;
	else
		h->out_cnt = n;
	d = (void *)p;
	d->va = 0;
	d->key = 0;
	d->len = htobe32(n * sizeof(*d));
	*(uint32_t *)(p + 16) = htobe32(n * seg);
	for (k = 0; k < n; k++) {
		d = (void *)(p + 20 + k * sizeof(*d));
		d->va = htobe64((uintptr_t)va[k]);
		d->key = htobe32(c->data_mr->rkey);
		d->len = htobe32(seg);
	}
	return sizeof(*h) + 20 + n * sizeof(*d);
}

/* Send one command from slot 0 and wait for its answer. */
static int w_one(struct conn *c, struct srp_cmd_hdr *h, uint32_t len,
		 struct w_rsp *r)
{
	memset(r, 0, sizeof(*r));
	r->tag = h->tag;
	if (post_send(c, 0, len))
		return -1;
	c->credits--;
	return w_wait(c, r, 1);
}

static int w_login(struct conn *c)
{
	struct login_rdma l;

	fill_login(&l);
	return conn_open(c, &l, sizeof(l)) == 1 ? 0 : -1;
}

/* Byte @k of the pattern region @i is written with (and read back). */
static uint8_t w_pattern(uint32_t k, int i)
{
	return (uint8_t)(0x5a ^ (k * 7) ^ (k >> 8) ^ (i * 29));
}

/* ---- -A: nothing past the returned bytes ---- */

#define A_SEG_GAP	4096

/*
 * Send @cdb with @n Data-In buffers of @seg bytes each and check that the
 * first @want bytes came back and nothing after them was touched.
 */
static void a_check(struct conn *c, const char *name, const uint8_t *cdb,
		    int n, uint32_t seg, uint32_t want)
{
	uint8_t *va[8];
	uint32_t total = n * seg, k, data = 0, beyond = 0, stale = 0;
	struct srp_cmd_hdr *h;
	struct w_rsp r;
	char rname[64];
	int k2, ret;

	memset(c->data, W_FILL, n * (seg + A_SEG_GAP));
	for (k2 = 0; k2 < n; k2++)
		va[k2] = c->data + k2 * (seg + A_SEG_GAP);
	h = w_hdr(c, 0, 0xa000 + n);
	memcpy(h->cdb, cdb, 16);
	ret = w_one(c, h, w_descs(c, h, 1, n, va, seg), &r);
	if (ret) {
		xt_result(0, name, "%s", ret > 0 ? "channel dropped" :
			  "no answer");
		return;
	}
	for (k = 0; k < n * (seg + A_SEG_GAP); k++) {
		uint32_t part = k / (seg + A_SEG_GAP),
			 off = k % (seg + A_SEG_GAP),
			 pos = part * seg + off;
		uint8_t b = c->data[k];

		if (off < seg && pos < want) {
			data += b != W_FILL;
			continue;
		}
		if (b != W_FILL) {
			beyond++;
			stale += b != 0;
		}
	}
	printf("srp-fuzz: %s: status %#x, %u of %u bytes returned, %u bytes written past them (%u non-zero), residual %u\n",
	       name, r.status, data, want, beyond, stale, r.in_res);
	xt_result(r.status == 0 && data > 0 && !beyond, name,
		  "status %#x, %u bytes written past the %u returned, %u of them non-zero (stale target memory)",
		  r.status, beyond, want, stale);
	snprintf(rname, sizeof(rname), "%s-residual", name);
	xt_result(r.status == 0 && (r.flags & 0x20) &&
		  r.in_res == total - want, rname,
		  "flags %#x, Data-In residual %u, expected %u", r.flags,
		  r.in_res, total - want);
}

int wire_alloc_len(void)
{
	uint8_t cdb[16];
	struct srp_cmd_hdr *h;
	struct conn c;
	struct w_rsp r;
	uint8_t *va;
	uint32_t k;
	int i;

	if (w_login(&c)) {
		fprintf(stderr, "srp-fuzz: -A: login failed\n");
		return 1;
	}
	/* freed target pages full of a pattern for the next allocations */
	for (i = 0; i < 16; i++) {
		va = c.data;
		for (k = 0; k < 65536; k++)
			va[k] = w_pattern(k, i);
		h = w_hdr(&c, 0, 0xa100 + i);
		w_rw10(h, 0x2a, 4096 + i * 128, 128);
		if (w_one(&c, h, w_descs(&c, h, 0, 1, &va, 65536), &r) ||
		    r.status) {
			xt_result(0, "alloc-prefill", "WRITE %d: status %#x", i,
				  r.status);
			break;
		}
	}

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x12;			/* INQUIRY, allocation length 36 */
	cdb[4] = 36;
	a_check(&c, "alloc-inquiry-direct", cdb, 1, 65536, 36);
	a_check(&c, "alloc-inquiry-table", cdb, 4, 16384, 36);

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0xa0;			/* REPORT LUNS, allocation length 16 */
	cdb[9] = 16;
	a_check(&c, "alloc-report-luns", cdb, 1, 32768, 16);

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x28;			/* READ(10), one block at 4096 */
	cdb[4] = 4096 >> 8;
	cdb[8] = 1;
	a_check(&c, "alloc-read-one-block", cdb, 2, 32768, 512);

	conn_close(&c);
	printf("srp-fuzz: allocation length: %d failed\n", xt_failed);
	return xt_failed ? 1 : 0;
}

/* ---- -Q: responses when the send queue is full ---- */

#define Q_CMDS		16
#define Q_NBUF		7	/* + the SEND: every slot of an 8-slot queue */
#define Q_SEG		8192
#define Q_LEN		(Q_NBUF * Q_SEG)
#define Q_LBA		8192

/* Post task management function @fn aimed at @ref from @slot. */
static int w_tmf(struct conn *c, int slot, uint64_t tag, uint8_t fn,
		 uint64_t ref)
{
	uint8_t *iu = c->send_buf + (size_t)slot * IU_MAX;

	memset(iu, 0, 64);
	iu[0] = OP_TSK_MGMT;
	memcpy(iu + 8, &tag, 8);
	iu[30] = fn;
	memcpy(iu + 32, &ref, 8);
	c->credits--;
	return post_send(c, slot, 48);
}

/*
 * Post Q_CMDS READ(10)s (@op 0x28) or WRITE(10)s (0x2a) of Q_NBUF
 * buffers each, region i at LBA Q_LBA + 128 i, tags @tag + i, at once;
 * the tags go into @r.
 */
static void q_burst(struct conn *c, uint8_t op, uint64_t tag,
		    struct w_rsp *r)
{
	uint8_t *va[Q_NBUF];
	struct srp_cmd_hdr *h;
	uint32_t len;
	int i, j;

	for (i = 0; i < Q_CMDS; i++) {
		uint8_t *buf = c->data + i * Q_LEN;

		for (j = 0; j < Q_NBUF; j++)
			va[j] = buf + j * Q_SEG;
		h = w_hdr(c, 1 + i, tag + i);
		w_rw10(h, op, Q_LBA + i * 128, Q_LEN / 512);
		len = w_descs(c, h, op == 0x28, Q_NBUF, va, Q_SEG);
		r[i].tag = h->tag;
		if (post_send(c, 1 + i, len))
			break;
	}
}

int wire_sq_full(void)
{
	struct w_rsp r[Q_CMDS + 1];
	struct srp_cmd_hdr *h;
	struct conn c;
	uint8_t *va[Q_NBUF];
	uint32_t k;
	int i, j, ret, good, bad_data;

	if (w_login(&c)) {
		fprintf(stderr, "srp-fuzz: -Q: login failed\n");
		return 1;
	}
	/* one at a time: the pattern of region i at LBA Q_LBA + 128 i */
	for (i = 0; i < Q_CMDS; i++) {
		uint8_t *buf = c.data + i * Q_LEN;

		for (k = 0; k < Q_LEN; k++)
			buf[k] = w_pattern(k, i);
		for (j = 0; j < Q_NBUF; j++)
			va[j] = buf + j * Q_SEG;
		h = w_hdr(&c, 0, 0xb000 + i);
		w_rw10(h, 0x2a, Q_LBA + i * 128, Q_LEN / 512);
		ret = w_one(&c, h, w_descs(&c, h, 0, Q_NBUF, va, Q_SEG), &r[0]);
		if (ret || r[0].status) {
			xt_result(0, "sq-full-write", "WRITE %d: %d, status %#x",
				  i, ret, r[0].status);
			conn_close(&c);
			return 1;
		}
	}
	xt_result(1, "sq-full-write", "%s", "");

	/* all READs and an ABORT TASK for a tag nobody uses, at once */
	memset(c.data, W_FILL, Q_CMDS * Q_LEN);
	memset(r, 0, sizeof(r));
	q_burst(&c, 0x28, 0xb100, r);
	r[Q_CMDS].tag = 0xb1ff;		/* ABORT TASK of a tag nobody uses */
	w_tmf(&c, Q_CMDS + 1, r[Q_CMDS].tag, 0x01, 0x7777777777777777ULL);
	ret = w_wait(&c, r, Q_CMDS + 1);
	good = 0;
	bad_data = 0;
	for (i = 0; i < Q_CMDS; i++) {
		const uint8_t *buf = c.data + i * Q_LEN;

		if (!r[i].seen || r[i].status)
			continue;
		good++;
		for (k = 0; k < Q_LEN; k++)
			if (buf[k] != w_pattern(k, i)) {
				bad_data++;
				break;
			}
	}
	printf("srp-fuzz: sq-full: %d of %d READs answered GOOD, %d with wrong data, ABORT TASK %s\n",
	       good, Q_CMDS, bad_data,
	       r[Q_CMDS].seen ? "answered" : "not answered");
	xt_result(!ret && good == Q_CMDS && !bad_data, "sq-full-reads",
		  "%s, %d of %d GOOD, %d with wrong data",
		  ret < 0 ? "target went silent" : ret ? "channel dropped" :
		  "all answered", good, Q_CMDS, bad_data);
	xt_result(r[Q_CMDS].seen, "sq-full-tmf", "ABORT TASK not answered");

	/*
	 * all WRITEs at once (each needs 7 of the 8 send slots for its RDMA
	 * READs, so 15 wait for room) and an ABORT TASK for the last one:
	 * the TMF and every other WRITE must be answered
	 */
	if (c.up) {
		memset(r, 0, sizeof(r));
		for (i = 0; i < Q_CMDS; i++)
			for (k = 0; k < Q_LEN; k++)
				c.data[i * Q_LEN + k] = w_pattern(k, i);
		q_burst(&c, 0x2a, 0xb300, r);
		/* the aborted WRITE's answer is not waited for */
		r[Q_CMDS - 1].tag = 0xb3ff;
		w_tmf(&c, Q_CMDS + 1, r[Q_CMDS - 1].tag, 0x01,
		      0xb300 + Q_CMDS - 1);
		ret = w_wait(&c, r, Q_CMDS);
		for (i = 0, good = 0; i < Q_CMDS - 1; i++)
			good += r[i].seen && !r[i].status;
		printf("srp-fuzz: sq-full: %d of %d WRITEs answered GOOD, ABORT TASK of the last %s\n",
		       good, Q_CMDS - 1,
		       r[Q_CMDS - 1].seen ? "answered" : "not answered");
		xt_result(!ret && good == Q_CMDS - 1, "sq-full-write-abort",
			  "%s, %d of %d WRITEs GOOD, ABORT TASK %s",
			  ret < 0 ? "target went silent" :
			  ret ? "channel dropped" : "all answered", good,
			  Q_CMDS - 1,
			  r[Q_CMDS - 1].seen ? "answered" : "not answered");
		/* the aborted WRITE may still be answered: let it arrive */
		usleep(500000);
	} else {
		xt_result(0, "sq-full-write-abort", "channel gone");
	}

	/* commands LIO fails at once (no LUN 7): statuses only, in a burst */
	if (c.up) {
		memset(r, 0, sizeof(r));
		for (i = 0; i < Q_CMDS; i++) {
			h = w_hdr(&c, 1 + i, 0xb200 + i);
			h->lun[1] = 7;
			h->cdb[0] = 0x00;	/* TEST UNIT READY */
			r[i].tag = h->tag;
			post_send(&c, 1 + i, sizeof(*h));
		}
		ret = w_wait(&c, r, Q_CMDS);
		for (i = 0, good = 0; i < Q_CMDS; i++)
			good += r[i].seen;
		xt_result(!ret && good == Q_CMDS, "sq-full-no-lun",
			  "%d of %d answered (%s)", good, Q_CMDS,
			  ret < 0 ? "target went silent" :
			  ret ? "channel dropped" : "ok");
	} else {
		xt_result(0, "sq-full-no-lun", "channel gone");
	}
	ret = c.up ? inquiry(&c) : -1;
	xt_result(ret == 0, "sq-full-channel-usable", "INQUIRY: %d", ret);
	conn_close(&c);
	printf("srp-fuzz: send queue exhaustion: %d failed\n", xt_failed);
	return xt_failed ? 1 : 0;
}

/* ---- -S: one initiator cannot take the shared receive queue ---- */

int wire_srq_flood(long n)
{
	int rd = recv_depth, ss = send_slots, ds = data_size;
	struct conn a, b;
	struct srp_cmd_hdr *h;
	long i, sent = 0;
	int ret, dropped;

	/* A: one receive buffer (the target's answers stall), many sends */
	recv_depth = 1;
	send_slots = n + 8;
	data_size = 4096;
	if (w_login(&a)) {
		fprintf(stderr, "srp-fuzz: -S: login A failed\n");
		return 1;
	}
	recv_depth = rd;
	send_slots = ss;
	data_size = ds;
	for (i = 0; i < n; i++) {
		h = w_hdr(&a, i, 0xc000 + i);
		h->cdb[0] = 0x00;	/* TEST UNIT READY */
		if (post_send(&a, i, sizeof(*h)))
			break;
		sent++;
	}
	sleep(2);
	dropped = conn_dropped(&a);
	printf("srp-fuzz: srq-flood: channel A sent %ld IUs on %d credits, %s\n",
	       sent, a.credits, dropped ? "target dropped it" :
	       "still connected");

	if (w_login(&b)) {
		xt_result(0, "srq-other-channel", "login B failed");
		conn_close(&a);
		return 1;
	}
	ret = inquiry(&b);
	xt_result(ret == 0, "srq-other-channel", "INQUIRY on channel B: %s",
		  ret < 0 ? "no answer (shared receive queue exhausted)" :
		  ret > 0 && !b.up ? "channel dropped" : "failed");
	conn_close(&b);
	if (!dropped)
		dropped = conn_dropped(&a);
	xt_result(dropped, "srq-flooder-dropped",
		  "channel A kept %ld IUs past its credits", sent);
	conn_close(&a);
	printf("srp-fuzz: shared receive queue flood: %d failed\n", xt_failed);
	return xt_failed ? 1 : 0;
}

/* ---- -l: many rejected logins ---- */

int wire_login_storm(long n)
{
	long i, rej = 0, acc = 0, hung = 0;
	struct login_rdma l;
	struct timespec t0;
	uint64_t base = rnd();
	struct conn c;
	int r;

	recv_depth = 2;
	data_size = 4096;
	send_slots = 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		uint64_t id = htobe64(base + i);

		fill_login(&l);
		memcpy(l.i_port_id + 8, &id, 8);
		r = conn_open(&c, &l, sizeof(l));
		if (r > 0) {
			acc++;
			conn_close(&c);
		} else if (r == 0) {
			rej++;
		} else if (++hung <= 5) {
			fprintf(stderr, "srp-fuzz: login %ld got no answer\n", i);
		}
		if (i % 1000 == 999)
			fprintf(stderr, "srp-fuzz: %ld logins after %ld ms\n",
				i + 1, w_ms_since(&t0));
	}
	printf("srp-fuzz: login storm: %ld logins, %ld rejected, %ld accepted, %ld unanswered, %ld ms\n",
	       n, rej, acc, hung, w_ms_since(&t0));
	return hung ? 1 : 0;
}

/* ---- -B: task ordering after an aborted command ---- */

#define B_SIMPLE	0
#define B_ORDERED	2

/* Post a 1-block READ(10) at @lba with task attribute @attr from @slot. */
static int b_read(struct conn *c, int slot, uint64_t tag, uint8_t attr,
		  uint32_t lba)
{
	struct srp_cmd_hdr *h = w_hdr(c, slot, tag);
	uint8_t *va = c->data + slot * 4096;

	h->task_attr = attr;
	w_rw10(h, 0x28, lba, 8);
	c->credits--;
	return post_send(c, slot, w_descs(c, h, 1, 1, &va, 4096));
}

/*
 * One case: a READ with task attribute @attr that the backend holds (the
 * test puts LUN 0 on a dm-delay device), @fn aimed at it while it is in
 * the backend, then an ORDERED and a SIMPLE TEST UNIT READY, which must
 * both be answered GOOD once the TMF was (the first after a LUN RESET
 * may report the reset as a unit attention instead).
 */
static void b_case(struct conn *c, const char *name, uint8_t attr,
		   uint8_t fn, uint64_t tag)
{
	struct w_rsp r[2];
	struct srp_cmd_hdr *h;
	int ret, k;

	memset(r, 0, sizeof(r));
	r[0].tag = tag;
	r[1].tag = tag + 1;
	if (b_read(c, 1, tag, attr, 64)) {
		xt_result(0, name, "posting the READ failed");
		return;
	}
	usleep(300000);		/* well inside the backend's delay */
	if (w_tmf(c, 2, tag + 1, fn, tag)) {
		xt_result(0, name, "posting the TMF failed");
		return;
	}
	/* the TMF is answered when the READ has left the backend */
	ret = w_wait(c, &r[1], 1);
	if (ret) {
		xt_result(0, name, "TMF %#x %s", fn,
			  ret < 0 ? "not answered" : "dropped the channel");
		return;
	}
	memset(r, 0, sizeof(r));
	h = w_hdr(c, 3, tag + 2);
	h->task_attr = B_ORDERED;	/* TEST UNIT READY */
	r[0].tag = h->tag;
	h = w_hdr(c, 4, tag + 3);
	h->task_attr = B_SIMPLE;
	r[1].tag = h->tag;
	c->credits -= 2;
	if (post_send(c, 3, sizeof(*h)) || post_send(c, 4, sizeof(*h))) {
		xt_result(0, name, "posting TEST UNIT READY failed");
		return;
	}
	ret = w_wait(c, r, 2);
	/* after a LUN RESET the first command reports it (unit attention) */
	for (k = 0; fn == 0x08 && k < 2; k++)
		if (r[k].status == 0x02)
			r[k].status = 0;
	xt_result(!ret && !r[0].status && !r[1].status, name,
		  "ORDERED TEST UNIT READY %s (status %#x), SIMPLE %s (status %#x)",
		  r[0].seen ? "answered" : "never answered", r[0].status,
		  r[1].seen ? "answered" : "never answered", r[1].status);
}

int wire_ordered_abort(void)
{
	struct conn c;
	int ret;

	if (w_login(&c)) {
		fprintf(stderr, "srp-fuzz: -B: login failed\n");
		return 1;
	}
	b_case(&c, "abort-simple-then-ordered", B_SIMPLE, 0x01, 0xd000);
	if (c.up)
		b_case(&c, "abort-ordered-then-ordered", B_ORDERED, 0x01,
		       0xd100);
	if (c.up)
		b_case(&c, "lun-reset-then-ordered", B_SIMPLE, 0x08, 0xd200);
	ret = c.up ? inquiry(&c) : -1;
	xt_result(ret == 0, "ordered-channel-usable", "INQUIRY: %d", ret);
	conn_close(&c);
	printf("srp-fuzz: ordering after aborts: %d failed\n", xt_failed);
	return xt_failed ? 1 : 0;
}

/* ---- cases mixed into the random run (fuzz_iu) ---- */

#define F_AREA		(256 * 1024)	/* buffers live in c->data below */

/*
 * A well-formed indirect table (valid key, non-overlapping buffers in
 * the data region) with random counts and lengths behind a READ(10),
 * WRITE(10) or a control command with a random allocation length. For
 * Data-In, nothing past what the response says was returned may change.
 */
static int f_table(struct conn *c, long n)
{
	static const uint8_t ctl[] = { 0x12, 0xa0, 0x1a, 0x25, 0x9e };
	int nd = 1 + rnd_below(16), in = rnd_below(2), k;
	uint8_t *va[16];
	uint32_t len[16], total = 0, off = 0, ret_len, pos, i;
	struct srp_cmd_hdr *h = w_hdr(c, 0, 0xf000000 + n);
	uint8_t *p = (uint8_t *)(h + 1);
	struct w_rsp r;
	int ret;

	for (k = 0; k < nd; k++) {
		len[k] = rnd_below(4) ? 512 * (1 + rnd_below(8)) :
					1 + rnd_below(8192);
		off += rnd_below(4) ? 0 : rnd_below(4096);
		va[k] = c->data + off;
		off += len[k];
		total += len[k];
	}
	memset(c->data, W_FILL, off);
	h->task_attr = rnd_below(3);
	switch (rnd_below(3)) {
	case 0:		/* a control command asking for a random amount */
		in = 1;
		h->cdb[0] = ctl[rnd_below(sizeof(ctl))];
		h->cdb[1] = h->cdb[0] == 0x9e ? 0x10 : 0;
		h->cdb[4] = rnd();
		h->cdb[8] = rnd();
		h->cdb[9] = rnd();
		h->cdb[13] = rnd();
		break;
	default:	/* READ/WRITE(10), length right or not */
		w_rw10(h, in ? 0x28 : 0x2a, 16384 + rnd_below(100000),
		       rnd_below(4) ? total / 512 : rnd_below(64));
		break;
	}
	h->buf_fmt = in ? 0x02 : 0x20;
	if (in)
		h->in_cnt = nd;
	else
		h->out_cnt = nd;
	*(uint32_t *)(p + 12) = htobe32(nd * 16);
	*(uint32_t *)(p + 16) = htobe32(rnd_below(8) ? total :
					total + rnd_below(1024) - 512);
	for (k = 0; k < nd; k++) {
		struct desc *d = (void *)(p + 20 + k * 16);

		d->va = htobe64((uintptr_t)va[k]);
		d->key = htobe32(c->data_mr->rkey);
		d->len = htobe32(len[k]);
	}
	ret = w_one(c, h, sizeof(*h) + 20 + nd * 16, &r);
	if (ret)
		return ret < 0 ? -1 : 0;
	if (!in || r.status || (r.flags & 0x10) || r.in_res > total)
		return 0;
	ret_len = total - ((r.flags & 0x20) ? r.in_res : 0);
	for (k = 0, pos = 0; k < nd; pos += len[k], k++)
		for (i = 0; i < len[k]; i++)
			if (pos + i >= ret_len && va[k][i] != W_FILL) {
				fprintf(stderr, "srp-fuzz: case %ld: CDB %#x wrote byte %u of %u, %u returned\n",
					n, h->cdb[0], pos + i, total, ret_len);
				return -1;
			}
	return 0;
}

/*
 * Task management aimed at commands that are really outstanding: a few
 * READs of several buffers, then at once an ABORT TASK of one of them,
 * an ABORT TASK SET, a CLEAR TASK SET or a LUN RESET. The TMF must be
 * answered; each READ is answered or aborted (the target owes its credit
 * then). Stragglers are collected so the next case starts clean.
 */
static int f_tmf(struct conn *c, long n)
{
	static const uint8_t fns[] = { 0x01, 0x02, 0x04, 0x08 };
	struct w_rsp r[9];
	int k, m = 2 + rnd_below(7), ret, got;
	struct srp_rsp_hdr rsp;
	struct timespec t0;
	uint8_t *va[4], *iu;
	uint64_t tag = 0xe000000 + (uint64_t)n * 16;

	memset(r, 0, sizeof(r));
	for (k = 0; k < m; k++) {
		struct srp_cmd_hdr *h = w_hdr(c, 1 + k, tag + k);
		int j;

		for (j = 0; j < 4; j++)
			va[j] = c->data + k * 65536 + j * 16384;
		w_rw10(h, 0x28, 32768 + k * 128, 128);
		r[k].tag = h->tag;
		if (post_send(c, 1 + k, w_descs(c, h, 1, 4, va, 16384)))
			return 0;
	}
	iu = c->send_buf + (size_t)(m + 1) * IU_MAX;
	memset(iu, 0, 64);
	iu[0] = OP_TSK_MGMT;
	r[m].tag = tag + 15;
	memcpy(iu + 8, &r[m].tag, 8);
	iu[30] = fns[rnd_below(sizeof(fns))];
	memcpy(iu + 32, &r[rnd_below(m)].tag, 8);
	if (post_send(c, m + 1, 48))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = 0;
	while (!r[m].seen && !ret) {
		ret = w_recv(c, &rsp, &t0, W_WAIT_MS);
		if (!ret)
			w_match(c, r, m + 1, &rsp);
	}
	if (ret < 0)
		fprintf(stderr, "srp-fuzz: case %ld: TMF %#x with %d READs outstanding not answered\n",
			n, iu[30], m);
	if (ret)
		return ret < 0 ? -1 : 0;
	/* aborted READs stay unanswered: collect the others for a while */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (k = 0, got = 0; k < m; k++)
		got += r[k].seen;
	while (got < m && !w_recv(c, &rsp, &t0, 3000))
		got += w_match(c, r, m, &rsp);
	vlog("  TMF %#x: %d of %d READs answered\n", iu[30], got, m);
	return 0;
}

/*
 * Immediate data at an offset other than 68 (52..80, after additional
 * CDB bytes where they fit) on a channel of its own: the WRITE must
 * succeed and a READ must return the same bytes.
 */
static int f_imm(long n)
{
	uint16_t off = 52 + rnd_below(29), blocks = 1 + rnd_below(15);
	uint32_t lba = 200000 + rnd_below(50000), k, ilen = blocks * 512;
	uint8_t add = 4 * rnd_below((off - 52) / 4 + 1);
	struct srp_cmd_hdr *h;
	struct login_rdma l;
	struct conn c;
	struct w_rsp r;
	uint8_t *data;
	int ret;

	fill_login(&l);
	l.imm_off = htobe16(off);
	ret = conn_open(&c, &l, sizeof(l));
	if (ret <= 0)
		return ret;
	/*
	 * Channels on the shared receive queue get no immediate data (their
	 * buffers are laid out for no offset): the grant is what is wrong.
	 */
	if (opt_srq || !c.imm_ok) {
		if (opt_srq != c.imm_ok) {
			conn_close(&c);
			return 0;
		}
		fprintf(stderr, "srp-fuzz: case %ld: immediate data at %u %s\n",
			n, off, opt_srq ? "granted with use_srq=1" : "not granted");
		conn_close(&c);
		return -1;
	}
	/* a LUN RESET of an earlier case left a unit attention: take it */
	for (k = 0; k < 4; k++) {
		h = w_hdr(&c, 0, 0xd400000 + n);
		if (w_one(&c, h, sizeof(*h), &r) || !r.status)
			break;
	}
	h = w_hdr(&c, 0, 0xd000000 + n);
	h->add_cdb_len = add;
	w_rw10(h, 0x2a, lba, blocks);
	h->buf_fmt = 0x30;
	*(uint32_t *)((uint8_t *)(h + 1) + add) = htobe32(ilen);
	data = (uint8_t *)h + off;
	for (k = 0; k < ilen; k++)
		data[k] = rnd();
	memcpy(c.data + 65536, data, ilen);
	memset(&r, 0, sizeof(r));
	r.tag = h->tag;
	ret = post_send(&c, 0, off + ilen) ? 1 : w_wait(&c, &r, 1);
	if (!ret && r.status) {
		fprintf(stderr, "srp-fuzz: case %ld: WRITE with immediate data at %u (add. CDB %u): status %#x\n",
			n, off, add, r.status);
		ret = -1;
	}
	if (!ret) {
		uint8_t *va = c.data;

		h = w_hdr(&c, 0, 0xd800000 + n);
		w_rw10(h, 0x28, lba, blocks);
		memset(c.data, W_FILL, ilen);
		ret = w_one(&c, h, w_descs(&c, h, 1, 1, &va, ilen), &r);
		if (!ret && (r.status || memcmp(c.data, c.data + 65536, ilen))) {
			fprintf(stderr, "srp-fuzz: case %ld: immediate data at %u read back wrong (status %#x)\n",
				n, off, r.status);
			ret = -1;
		}
	}
	conn_close(&c);
	return ret < 0 ? -1 : 0;
}

/**
 * wire_fuzz_iu() - one of the cases above, picked at random
 * @c: established connection (f_imm opens its own)
 * @n: case number
 *
 * Return: 0, or -1 when the target went silent or returned wrong data.
 */
int wire_fuzz_iu(struct conn *c, long n)
{
	switch (rnd_below(5)) {
	case 0:
		return f_imm(n);
	case 1:
	case 2:
		return f_tmf(c, n);
	default:
		return f_table(c, n);
	}
}
