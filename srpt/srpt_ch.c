// SPDX-License-Identifier: GPL-2.0
/*
 * keel ib_srpt: channel resources - buffer rings, CQ, QP and the
 * per-channel completion thread.
 *
 * Each channel owns a CQ created with a plain completion callback. The
 * callback only wakes the channel's kernel thread; the thread polls the CQ
 * in batches of SRPT_WC_BATCH up to SRPT_POLL_BUDGET completions, then
 * re-arms the CQ and sleeps until the next event. All receive processing
 * (IU parsing, LIO submission) runs in that thread, so a slow backend
 * submission delays only its own channel and may sleep freely.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/mm.h>
#include <rdma/ib_cache.h>
#include "srpt.h"

/* ---------------------------------------------------------------- */
/* Buffer pools: one kmem_cache per buffer size, shared and refcounted. */

struct srpt_bufpool {
	struct list_head	entry;
	struct kmem_cache	*cache;
	u32			size;
	unsigned int		users;
	char			name[24];
};

static LIST_HEAD(srpt_pools);
static DEFINE_MUTEX(srpt_pools_lock);

/**
 * srpt_pool_get() - find or create the pool for @size-byte buffers
 * @size: buffer size
 *
 * Buffers are 512-byte aligned so that immediate data placed at the right
 * offset can be handed to block drivers in place.
 */
struct srpt_bufpool *srpt_pool_get(u32 size)
{
	struct srpt_bufpool *p;

	mutex_lock(&srpt_pools_lock);
	list_for_each_entry(p, &srpt_pools, entry) {
		if (p->size == size) {
			p->users++;
			goto out;
		}
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		goto out;
	p->size = size;
	p->users = 1;
	snprintf(p->name, sizeof(p->name), "srpt_buf_%u", size);
	p->cache = kmem_cache_create(p->name, size, 512, 0, NULL);
	if (!p->cache) {
		kfree(p);
		p = NULL;
		goto out;
	}
	list_add(&p->entry, &srpt_pools);
out:
	mutex_unlock(&srpt_pools_lock);
	return p;
}

void srpt_pool_put(struct srpt_bufpool *p)
{
	if (!p)
		return;
	mutex_lock(&srpt_pools_lock);
	if (--p->users == 0) {
		list_del(&p->entry);
		kmem_cache_destroy(p->cache);
		kfree(p);
	}
	mutex_unlock(&srpt_pools_lock);
}

/**
 * srpt_ring_alloc() - allocate @n contexts, each with a mapped buffer
 * @hca:      device the buffers are mapped for
 * @n:	      ring size
 * @ctx_size: size of the context structure (starts with struct srpt_buf)
 * @pool:     buffer pool
 * @start:    offset of the IU inside each buffer
 * @dir:      DMA direction
 *
 * Return: array of context pointers, or NULL.
 */
void **srpt_ring_alloc(struct srpt_hca *hca, u32 n, size_t ctx_size,
		       struct srpt_bufpool *pool, u32 start,
		       enum dma_data_direction dir)
{
	struct ib_device *dev = hca->dev;
	void **ring;
	u32 i;

	ring = kvcalloc(n, sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return NULL;
	for (i = 0; i < n; i++) {
		struct srpt_buf *b = kzalloc(ctx_size, GFP_KERNEL);

		if (!b)
			goto fail;
		ring[i] = b;
		b->idx = i;
		b->start = start;
		b->buf = kmem_cache_alloc(pool->cache, GFP_KERNEL);
		if (!b->buf)
			goto fail;
		b->dma = ib_dma_map_single(dev, b->buf, pool->size, dir);
		if (ib_dma_mapping_error(dev, b->dma)) {
			kmem_cache_free(pool->cache, b->buf);
			b->buf = NULL;
			goto fail;
		}
	}
	return ring;
fail:
	srpt_ring_free(hca, ring, n, pool, dir);
	return NULL;
}

void srpt_ring_free(struct srpt_hca *hca, void **ring, u32 n,
		    struct srpt_bufpool *pool, enum dma_data_direction dir)
{
	u32 i;

	if (!ring)
		return;
	for (i = 0; i < n; i++) {
		struct srpt_buf *b = ring[i];

		if (!b)
			continue;
		if (b->buf) {
			ib_dma_unmap_single(hca->dev, b->dma, pool->size, dir);
			kmem_cache_free(pool->cache, b->buf);
		}
		kfree(b);
	}
	kvfree(ring);
}

/* ---------------------------------------------------------------- */

static const char * const srpt_state_names[] = {
	[SRPT_CH_CONNECTING]	= "connecting",
	[SRPT_CH_LIVE]		= "live",
	[SRPT_CH_DISCONNECTING]	= "disconnecting",
	[SRPT_CH_DRAINING]	= "draining",
	[SRPT_CH_DISCONNECTED]	= "disconnected",
};

const char *srpt_state_name(enum srpt_ch_state s)
{
	return (unsigned int)s < ARRAY_SIZE(srpt_state_names) ?
		srpt_state_names[s] : "?";
}

/**
 * srpt_set_state() - move a channel forward
 * @ch:	 channel
 * @new: target state
 *
 * Return: true when the state changed (it never moves backwards).
 */
bool srpt_set_state(struct srpt_chan *ch, enum srpt_ch_state new)
{
	unsigned long flags;
	bool moved = false;

	spin_lock_irqsave(&ch->lock, flags);
	if (new > ch->state) {
		ch->state = new;
		moved = true;
	}
	spin_unlock_irqrestore(&ch->lock, flags);
	return moved;
}

static void srpt_fill_recv_wr(struct srpt_hca *hca,
			      struct srpt_recv_ioctx *recv_ioctx,
			      struct ib_recv_wr *wr, struct ib_sge *sge)
{
	sge->addr = recv_ioctx->b.dma + recv_ioctx->b.start;
	sge->length = srp_max_req_size;
	sge->lkey = hca->lkey;
	recv_ioctx->b.cqe.done = srpt_recv_done;
	wr->next = NULL;
	wr->wr_cqe = &recv_ioctx->b.cqe;
	wr->sg_list = sge;
	wr->num_sge = 1;
}

/**
 * srpt_post_recv() - give a receive buffer back to the hardware
 * @ch: channel the buffer came from
 * @recv_ioctx: receive context
 *
 * Buffers of the shared receive queue go back to the SRQ.
 */
int srpt_post_recv(struct srpt_chan *ch, struct srpt_recv_ioctx *recv_ioctx)
{
	struct srpt_hca *hca = ch->port->hca;
	struct ib_recv_wr wr;
	struct ib_sge sge;

	if (!ch->recv_ring)
		return srpt_post_srq_recv(hca, recv_ioctx);
	srpt_fill_recv_wr(hca, recv_ioctx, &wr, &sge);
	return ib_post_recv(ch->qp, &wr, NULL);
}

int srpt_post_srq_recv(struct srpt_hca *hca, struct srpt_recv_ioctx *recv_ioctx)
{
	struct ib_recv_wr wr;
	struct ib_sge sge;

	srpt_fill_recv_wr(hca, recv_ioctx, &wr, &sge);
	return ib_post_srq_recv(hca->srq, &wr, NULL);
}

/**
 * srpt_post_zero_write() - post a signalled zero-length RDMA WRITE
 * @ch: channel
 *
 * Its completion marks a point in the send queue: on a live channel it is
 * used to start processing IUs that arrived before the connection was
 * established; on a channel in the error state its (flushed) completion
 * proves that every earlier work request has completed.
 */
int srpt_post_zero_write(struct srpt_chan *ch)
{
	struct ib_rdma_wr wr = { };

	wr.wr.opcode = IB_WR_RDMA_WRITE;
	wr.wr.send_flags = IB_SEND_SIGNALED;
	wr.wr.wr_cqe = &ch->zw_cqe;
	return ib_post_send(ch->qp, &wr.wr, NULL);
}

static void srpt_qp_event(struct ib_event *ev, void *ctx)
{
	struct srpt_chan *ch = ctx;

	switch (ev->event) {
	case IB_EVENT_COMM_EST:
		/* A released channel's CM id is gone; it was not CONNECTING. */
		if (READ_ONCE(ch->state) != SRPT_CH_CONNECTING)
			break;
		if (ch->using_rdma_cm)
			rdma_notify(ch->cm_rdma, ev->event);
		else
			ib_cm_notify(ch->cm_ib, ev->event);
		break;
	case IB_EVENT_QP_LAST_WQE_REACHED:
		break;
	default:
		pr_info_ratelimited("%s: QP event %d (%s)\n",
				    ch->name, ev->event,
				    ib_event_msg(ev->event));
		break;
	}
}

/*
 * CQ callback, may run in hard or soft interrupt context, and at any time
 * until ib_destroy_cq() returns: flushes of receives posted to a QP in the
 * error state, anything after the drain watchdog released the channel.
 * ch->thread therefore stays set, and referenced, until the CQ is gone;
 * once the thread has exited, waking it does nothing.
 */
static void srpt_cq_event(struct ib_cq *cq, void *ctx)
{
	struct srpt_chan *ch = ctx;

	wake_up_process(ch->thread);
}

static void srpt_cq_async(struct ib_event *ev, void *ctx)
{
	struct srpt_chan *ch = ctx;

	pr_err_ratelimited("%s: CQ event %s\n", ch->name,
			   ib_event_msg(ev->event));
}

/* Poll up to @budget completions; returns how many were handled. */
static int srpt_poll(struct srpt_chan *ch, int budget)
{
	struct ib_wc wcs[SRPT_WC_BATCH];
	int done = 0;

	while (done < budget) {
		int n = ib_poll_cq(ch->cq, min(budget - done, SRPT_WC_BATCH),
				   wcs);
		int i;

		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			struct ib_wc *wc = &wcs[i];

			/* Unsignalled RDMA WRs only complete when flushed. */
			if (wc->wr_cqe)
				wc->wr_cqe->done(ch->cq, wc);
		}
		done += n;
		if (n < SRPT_WC_BATCH)
			break;
	}
	return done;
}

/*
 * Keep polling an empty CQ for up to srpt_poll_usecs before the thread arms
 * it and sleeps. On an HCA that completes within microseconds, catching the
 * next completion here saves an interrupt, a wakeup and two context
 * switches; under TCG with rxe it only cost IOPS, so it is off by default
 * (Documentation/srpt.rst, "Busy-polling"). Gives up at once when another
 * task wants this CPU. Returns true when it found completions.
 */
static bool srpt_poll_spin(struct srpt_chan *ch)
{
	unsigned int us = READ_ONCE(srpt_poll_usecs);
	u64 end;

	if (!us)
		return false;
	end = local_clock() + (u64)us * NSEC_PER_USEC;
	do {
		cpu_relax();
		if (srpt_poll(ch, SRPT_POLL_BUDGET))
			return true;
	} while (!need_resched() && !kthread_should_stop() &&
		 local_clock() < end);
	return false;
}

/*
 * The completion thread. It sleeps in TASK_INTERRUPTIBLE: an idle channel
 * may sleep for hours, and an uninterruptible sleep would count towards
 * the load average and trip the hung-task detector. Kernel threads do not
 * receive signals, so the interruptible sleep cannot be cut short by one.
 */
static int srpt_compl_thread(void *arg)
{
	struct srpt_chan *ch = arg;

	while (!kthread_should_stop()) {
		if (srpt_poll(ch, SRPT_POLL_BUDGET) >= SRPT_POLL_BUDGET) {
			cond_resched();
			continue;
		}
		if (srpt_poll_spin(ch)) {
			cond_resched();
			continue;
		}
		set_current_state(TASK_INTERRUPTIBLE);
		if (ib_req_notify_cq(ch->cq, IB_CQ_NEXT_COMP |
				     IB_CQ_REPORT_MISSED_EVENTS) > 0 ||
		    kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			continue;
		}
		schedule();
	}
	return 0;
}

/*
 * IB CM: move a new QP to INIT with the partition of the request (the RDMA
 * CM's rdma_create_qp() does this itself). Receives may only be posted
 * from INIT on: a QP in RESET refuses them.
 */
static int srpt_ib_qp_init(struct srpt_chan *ch)
{
	struct ib_qp_attr attr = { };
	int ret;

	attr.qp_state = IB_QPS_INIT;
	attr.qp_access_flags = IB_ACCESS_LOCAL_WRITE;
	attr.port_num = ch->port->num;
	ret = ib_find_cached_pkey(ch->port->hca->dev, ch->port->num, ch->pkey,
				  &attr.pkey_index);
	if (ret < 0)
		pr_warn("%s: P_Key %#x not found, using index 0\n",
			ch->name, ch->pkey);
	return ib_modify_qp(ch->qp, &attr, IB_QP_STATE | IB_QP_ACCESS_FLAGS |
			    IB_QP_PORT | IB_QP_PKEY_INDEX);
}

/**
 * srpt_chan_create_hw() - create CQ, thread and QP of a new channel
 * @ch: channel with port, rq_depth and rings set up
 *
 * When the device refuses the requested send queue size it is halved
 * down to SRPT_SQ_MIN. The thread is created but not started.
 */
int srpt_chan_create_hw(struct srpt_chan *ch)
{
	struct srpt_hca *hca = ch->port->hca;
	const struct ib_device_attr *attrs = &hca->dev->attrs;
	struct ib_cq_init_attr cq_attr = { };
	struct ib_qp_init_attr qpa;
	u32 sq = ch->port->attr.sq_size;
	u32 vector;
	int ret, i;

	ch->thread = kthread_create(srpt_compl_thread, ch, "srpt_%s-%u",
				    dev_name(&hca->dev->dev), ch->port->num);
	if (IS_ERR(ch->thread)) {
		ret = PTR_ERR(ch->thread);
		ch->thread = NULL;
		return ret;
	}
	get_task_struct(ch->thread);
	/* As urgent as the in-tree twin's WQ_HIGHPRI completion workers. */
	set_user_nice(ch->thread, MIN_NICE);
	/* Spread the channels' CQs over the device's interrupt vectors. */
	vector = (u32)atomic_inc_return(&hca->next_vector) %
		 max(hca->dev->num_comp_vectors, 1);

	for (;;) {
		ch->cq_size = ch->rq_depth + sq;
		cq_attr.cqe = min_t(u32, ch->cq_size, attrs->max_cqe);
		cq_attr.comp_vector = vector;
		ch->cq = ib_create_cq(hca->dev, srpt_cq_event, srpt_cq_async,
				      ch, &cq_attr);
		if (IS_ERR(ch->cq)) {
			ret = PTR_ERR(ch->cq);
			ch->cq = NULL;
			goto fail;
		}

		memset(&qpa, 0, sizeof(qpa));
		qpa.qp_context = ch;
		qpa.event_handler = srpt_qp_event;
		qpa.send_cq = ch->cq;
		qpa.recv_cq = ch->cq;
		qpa.sq_sig_type = IB_SIGNAL_REQ_WR;
		qpa.qp_type = IB_QPT_RC;
		/* Half of the send queue for responses, half for RDMA. */
		qpa.cap.max_send_wr = min_t(u32, sq / 2, attrs->max_qp_wr);
		qpa.cap.max_rdma_ctxs = sq / 2;
		qpa.cap.max_send_sge = attrs->max_send_sge;
		qpa.cap.max_recv_sge = 1;
		qpa.port_num = ch->port->num;
		if (ch->srq)
			qpa.srq = ch->srq;
		else
			qpa.cap.max_recv_wr = ch->rq_depth;

		if (ch->using_rdma_cm) {
			ret = rdma_create_qp(ch->cm_rdma, hca->pd, &qpa);
			ch->qp = ret ? NULL : ch->cm_rdma->qp;
		} else {
			ch->qp = ib_create_qp(hca->pd, &qpa);
			ret = IS_ERR(ch->qp) ? PTR_ERR(ch->qp) : 0;
			if (ret)
				ch->qp = NULL;
		}
		if (!ret)
			break;
		ib_destroy_cq(ch->cq);
		ch->cq = NULL;
		if (sq <= SRPT_SQ_MIN) {
			pr_err("%s: QP creation failed: %d\n",
			       ch->name, ret);
			goto fail;
		}
		sq = max_t(u32, sq / 2, SRPT_SQ_MIN);
	}
	atomic_set(&ch->sq_avail, qpa.cap.max_send_wr);
	ch->qp_num = ch->qp->qp_num;
	ch->max_send_wr = qpa.cap.max_send_wr;

	if (!ch->using_rdma_cm) {
		ret = srpt_ib_qp_init(ch);
		if (ret)
			goto fail_qp;
	}
	if (ch->recv_ring) {
		for (i = 0; i < ch->rq_depth; i++) {
			ret = srpt_post_recv(ch, ch->recv_ring[i]);
			if (ret)
				goto fail_qp;
		}
	}
	return 0;

fail_qp:
	srpt_chan_destroy_qp(ch);
fail:
	srpt_chan_destroy_hw(ch);
	return ret;
}

void srpt_chan_start_thread(struct srpt_chan *ch)
{
	wake_up_process(ch->thread);
}

/**
 * srpt_chan_stop_thread() - stop the completion thread
 * @ch: channel whose QP no longer produces completions we need
 *
 * The task stays referenced in ch->thread: the CQ callback may still fire
 * until srpt_chan_destroy_hw() has destroyed the CQ.
 */
void srpt_chan_stop_thread(struct srpt_chan *ch)
{
	if (!ch->thread || ch->thread_stopped)
		return;
	kthread_stop(ch->thread);
	ch->thread_stopped = true;
}

/**
 * srpt_chan_destroy_qp() - destroy the channel's QP, if it has one
 * @ch: channel
 *
 * While an RDMA CM channel's cm_id exists the QP is detached from it with
 * rdma_destroy_qp(); the release destroys the cm_id first (and clears
 * ch->cm_rdma), the QP is then destroyed like any other.
 */
void srpt_chan_destroy_qp(struct srpt_chan *ch)
{
	if (!ch->qp)
		return;
	if (ch->using_rdma_cm && ch->cm_rdma)
		rdma_destroy_qp(ch->cm_rdma);
	else
		ib_destroy_qp(ch->qp);
	ch->qp = NULL;
}

/**
 * srpt_chan_destroy_hw() - stop the thread, destroy QP and CQ
 * @ch: channel
 *
 * The thread's task reference goes last: no CQ callback can run after
 * ib_destroy_cq().
 */
void srpt_chan_destroy_hw(struct srpt_chan *ch)
{
	srpt_chan_stop_thread(ch);
	srpt_chan_destroy_qp(ch);
	if (ch->cq) {
		ib_destroy_cq(ch->cq);
		ch->cq = NULL;
	}
	if (ch->thread) {
		put_task_struct(ch->thread);
		ch->thread = NULL;
		ch->thread_stopped = false;
	}
}
