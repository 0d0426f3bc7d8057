// SPDX-License-Identifier: GPL-2.0
/*
 * keel ib_srpt: the RDMA channel - its resources (CQ, QP, completion
 * thread; its buffer rings come from srpt_ring.c) and its life cycle from
 * allocation to release.
 *
 * Each channel owns a CQ created with a plain completion callback. The
 * callback only wakes the channel's kernel thread; the thread polls the CQ
 * in batches of SRPT_WC_BATCH up to SRPT_POLL_BUDGET completions, then
 * re-arms the CQ and sleeps until the next event. All receive processing
 * (IU parsing, LIO submission) runs in that thread, so a slow backend
 * submission delays only its own channel and may sleep freely.
 *
 * Channel states only move forward:
 *
 *   CONNECTING --ESTABLISHED/RTU--> LIVE --disconnect--> DISCONNECTING
 *        |                           |                        |
 *        +-------- reject/error -----+---- close ------> DRAINING
 *                                                             |
 *   zero-length WRITE flushed (every earlier WR completed) ---+
 *        v
 *   DISCONNECTED --> release work on srpt_wq: stop the LIO session, wait
 *   for its commands, stop the thread, destroy CM id/QP/CQ, free the rings.
 *
 * Only a CONNECTING channel goes LIVE: an RTU or ESTABLISHED after a close
 * is ignored (srpt_chan_established() in srpt_cm.c).
 *
 * Closing does not wait for the peer: the QP is moved to the error state
 * right after the DREQ is sent, so a vanished initiator cannot hold up a
 * logout.
 *
 * A port counts its channels in live_chans from the moment a login is
 * admitted until the channel is released, so that disabling a port or
 * switching its HCA to the SRQ can wait for all of them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/mm.h>
#include <linux/percpu-refcount.h>
#include <rdma/ib_cache.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>
#include "srpt.h"

/* ---------------------------------------------------------------- */
/* States, the drain marker, CQ/QP and the completion thread. */

static const char * const srpt_state_names[] = {
	[SRPT_CH_CONNECTING]	= "connecting",
	[SRPT_CH_LIVE]		= "live",
	[SRPT_CH_DISCONNECTING]	= "disconnecting",
	[SRPT_CH_DRAINING]	= "draining",
	[SRPT_CH_DISCONNECTED]	= "disconnected",
};

/**
 * srpt_state_name() - a channel state for log lines and session lists
 * @s: state
 *
 * Return: its name, "?" for a value out of range.
 */
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

/**
 * srpt_post_zero_write() - post a signalled zero-length RDMA WRITE
 * @ch: channel
 *
 * Its completion marks a point in the send queue: on a live channel it is
 * used to start processing IUs that arrived before the connection was
 * established; on a channel in the error state its (flushed) completion
 * proves that every earlier work request has completed.
 *
 * Return: 0 or the error of ib_post_send().
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

/**
 * srpt_cq_event() - CQ completion callback: wake the completion thread
 * @cq:	 the channel's CQ
 * @ctx: the channel
 *
 * May run in hard or soft interrupt context, and at any time
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

/**
 * srpt_poll_spin() - busy-poll an empty CQ for a moment
 * @ch: channel
 *
 * Keep polling an empty CQ for up to srpt_poll_usecs before the thread arms
 * it and sleeps. On an HCA that completes within microseconds, catching the
 * next completion here saves an interrupt, a wakeup and two context
 * switches; under TCG with rxe it only cost IOPS, so it is off by default
 * (Documentation/srpt.rst, "Busy-polling"). Gives up at once when another
 * task wants this CPU.
 *
 * Return: true when it found completions.
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

/**
 * srpt_compl_thread() - the channel's completion thread
 * @arg: the channel
 *
 * Polls the CQ, then re-arms it and sleeps. It sleeps in TASK_INTERRUPTIBLE: an idle channel
 * may sleep for hours, and an uninterruptible sleep would count towards
 * the load average and trip the hung-task detector. Kernel threads do not
 * receive signals, so the interruptible sleep cannot be cut short by one.
 *
 * Return: 0, when srpt_chan_stop_thread() stops it.
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
 *
 * Return: 0, or an error with everything created so far destroyed again.
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
	ch->max_send_wr = qpa.cap.max_send_wr - SRPT_SQ_MARKERS;
	atomic_set(&ch->sq_avail, ch->max_send_wr);
	ch->qp_num = ch->qp->qp_num;

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

/**
 * srpt_chan_start_thread() - let the completion thread run
 * @ch: channel whose srpt_chan_create_hw() succeeded
 */
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

/* ---------------------------------------------------------------- */
/* Life cycle: references, close, disconnect, drain, release. */

static void srpt_chan_free(struct kref *ref)
{
	struct srpt_chan *ch = container_of(ref, struct srpt_chan, ref);

	kfree_rcu(ch, rcu);
}

/**
 * srpt_chan_put() - drop a channel reference
 * @ch: channel
 *
 * The last one frees the channel after an RCU grace period, so that
 * readers walking the nexus lists under RCU never see it go.
 */
void srpt_chan_put(struct srpt_chan *ch)
{
	kref_put(&ch->ref, srpt_chan_free);
}

/**
 * srpt_chan_close() - stop all traffic on a channel and start its release
 * @ch: channel
 *
 * Moves the QP to the error state and posts a zero-length WRITE; its flush
 * completion, which comes after every earlier work request, moves the
 * channel to DISCONNECTED and queues the release work. Idempotent.
 */
void srpt_chan_close(struct srpt_chan *ch)
{
	struct ib_qp_attr attr = { .qp_state = IB_QPS_ERR };
	unsigned long flags;
	int ret;

	/*
	 * DRAINING and the watchdog together, under the state lock: from
	 * here on any flushed zero-length WRITE (this marker, or the one
	 * srpt_chan_established() posted, once the QP is in error) may move
	 * the channel to DISCONNECTED and queue the release, which cancels
	 * only a watchdog already armed. Armed after the state change, it
	 * was left in freed memory twice in the debug-kernel fuzz soak
	 * (KASAN in __run_timers, then in enqueue_timer).
	 */
	spin_lock_irqsave(&ch->lock, flags);
	if (ch->state >= SRPT_CH_DRAINING) {
		spin_unlock_irqrestore(&ch->lock, flags);
		return;
	}
	ch->state = SRPT_CH_DRAINING;
	schedule_delayed_work(&ch->drain_watchdog,
			      SRPT_DRAIN_TIMEOUT_SECS * HZ);
	spin_unlock_irqrestore(&ch->lock, flags);

	ret = srpt_test_qp_err_fails() ? -EIO :
	      ib_modify_qp(ch->qp, &attr, IB_QP_STATE);
	if (ret)
		pr_err("%s: QP to error state failed: %d\n",
		       ch->name, ret);
	ret = srpt_post_zero_write(ch);
	if (ret) {
		pr_err("%s: draining failed: %d\n", ch->name, ret);
		cancel_delayed_work(&ch->drain_watchdog);
		if (srpt_set_state(ch, SRPT_CH_DISCONNECTED))
			queue_work(srpt_wq, &ch->release_work);
		return;
	}
	/* nothing may touch @ch from here on */
	srpt_test_delay(SRPT_DELAY_CLOSE, "close");
}

/**
 * srpt_drain_watchdog() - release a channel whose drain marker never came
 * @w: ch->drain_watchdog, armed by srpt_chan_close()
 *
 * A device that never flushes the drain marker (hardware fault, device
 * going away) must not keep a channel, its session and its initiator's
 * relogin hostage: release it anyway.
 */
static void srpt_drain_watchdog(struct work_struct *w)
{
	struct srpt_chan *ch = container_of(to_delayed_work(w),
					    struct srpt_chan, drain_watchdog);

	if (srpt_set_state(ch, SRPT_CH_DISCONNECTED)) {
		pr_warn("%s: no flush completion after %u s, releasing anyway\n",
			ch->name, SRPT_DRAIN_TIMEOUT_SECS);
		queue_work(srpt_wq, &ch->release_work);
	}
}

/**
 * srpt_chan_disconnect() - tell the initiator we are going, then close
 * @ch: channel
 *
 * Return: 0, or -ENOTCONN if the channel was already disconnecting.
 */
int srpt_chan_disconnect(struct srpt_chan *ch)
{
	int ret;

	if (!srpt_set_state(ch, SRPT_CH_DISCONNECTING))
		return -ENOTCONN;
	if (ch->using_rdma_cm) {
		/* rdma_disconnect() moves the QP to the error state first. */
		ret = srpt_test_qp_err_fails() ? -EIO :
		      rdma_disconnect(ch->cm_rdma);
	} else {
		ret = ib_send_cm_dreq(ch->cm_ib, NULL, 0);
		if (ret)
			ret = ib_send_cm_drep(ch->cm_ib, NULL, 0);
	}
	if (ret)
		pr_debug("%s: disconnect request failed: %d\n", ch->name, ret);
	srpt_chan_close(ch);
	return 0;
}

/**
 * srpt_chan_disconnect_wait() - disconnect and wait for the release
 * @ch: channel
 *
 * Reports every SRPT_DRAIN_REPORT_SECS while the release is held up (by
 * backend commands that do not complete).
 */
void srpt_chan_disconnect_wait(struct srpt_chan *ch)
{
	struct srpt_port *port = ch->port;

	kref_get(&ch->ref);
	mutex_lock(&port->lock);
	srpt_chan_disconnect(ch);
	mutex_unlock(&port->lock);
	while (!wait_for_completion_timeout(&ch->released,
					    SRPT_DRAIN_REPORT_SECS * HZ))
		pr_info("%s: still waiting for release (state %s)\n",
			ch->name, srpt_state_name(READ_ONCE(ch->state)));
	srpt_chan_put(ch);
}

/**
 * srpt_chan_fatal() - a work request failed with a real (non-flush) error
 * @ch:	    channel; its QP is now in the error state
 * @what:   which kind of work request
 * @status: completion status
 *
 * The connection is useless from here on: tell the initiator instead of
 * going silent. Called from the completion thread.
 */
void srpt_chan_fatal(struct srpt_chan *ch, const char *what,
		     enum ib_wc_status status)
{
	if (status == IB_WC_WR_FLUSH_ERR)
		return;
	pr_info_ratelimited("%s: %s failed (%s), disconnecting\n",
			    ch->name, what, ib_wc_status_msg(status));
	srpt_chan_disconnect(ch);
}

/**
 * srpt_port_close_all() - disconnect every channel of a port
 * @port: port; called with port->lock held
 */
void srpt_port_close_all(struct srpt_port *port)
{
	struct srpt_nexus *nx;
	struct srpt_chan *ch;

	lockdep_assert_held(&port->lock);
	list_for_each_entry(nx, &port->nexuses, entry) {
		list_for_each_entry(ch, &nx->chans, entry) {
			if (!srpt_chan_disconnect(ch))
				pr_info("%s: closing, port %s-%u disabled\n",
					ch->name, dev_name(&port->hca->dev->dev),
					port->num);
		}
	}
}

/**
 * srpt_port_wait_chans() - wait until every channel of a port is released
 * @port: port, already disabled
 */
void srpt_port_wait_chans(struct srpt_port *port)
{
	struct srpt_nexus *nx, *tmp;
	struct srpt_chan *ch;

	while (!wait_event_timeout(port->chans_gone,
				   !atomic_read(&port->live_chans),
				   SRPT_DRAIN_REPORT_SECS * HZ)) {
		pr_info("%s-%u: waiting for %d channels\n",
			dev_name(&port->hca->dev->dev), port->num,
			atomic_read(&port->live_chans));
		rcu_read_lock();
		list_for_each_entry_rcu(nx, &port->nexuses, entry)
			list_for_each_entry_rcu(ch, &nx->chans, entry)
				pr_info("  %s: %s\n", ch->name,
					srpt_state_name(READ_ONCE(ch->state)));
		rcu_read_unlock();
	}
	/*
	 * Logins count in live_chans, taken under port->lock, from before
	 * they join a nexus, and a nexus goes with its last channel: what
	 * is left is empty. A nexus that has channels again (the port was
	 * enabled meanwhile) stays.
	 */
	mutex_lock(&port->lock);
	list_for_each_entry_safe(nx, tmp, &port->nexuses, entry) {
		if (!list_empty(&nx->chans))
			continue;
		list_del_rcu(&nx->entry);
		kfree_rcu(nx, rcu);
	}
	mutex_unlock(&port->lock);
}

/**
 * srpt_port_login_begin() - admit a login, or refuse it on a disabled port
 * @port: port the login arrived on
 * @srq:  set to the HCA's shared receive queue (or NULL) for the channel
 *
 * An admitted login counts in @port->live_chans until its channel is
 * released (or srpt_port_login_fail()), so that srpt_port_wait_chans()
 * (port teardown, use_srq switch, HCA removal) waits for it instead of
 * freeing the nexus it is about to join; srpt_hca_set_srq() refuses to
 * switch while it runs. The SRQ is read once, under srq_lock.
 *
 * Return: false when the port does not take logins.
 */
bool srpt_port_login_begin(struct srpt_port *port, struct ib_srq **srq)
{
	struct srpt_hca *hca = port->hca;
	bool ok;

	mutex_lock(&hca->srq_lock);
	mutex_lock(&port->lock);
	ok = port->enabled;
	if (ok)
		atomic_inc(&port->live_chans);
	mutex_unlock(&port->lock);
	*srq = hca->srq;
	mutex_unlock(&hca->srq_lock);
	return ok;
}

/**
 * srpt_port_login_fail() - an admitted login failed before it had a channel
 * @port: port of srpt_port_login_begin()
 *
 * Undoes the live_chans count of the login; the release work does that
 * for a login that got a channel.
 */
void srpt_port_login_fail(struct srpt_port *port)
{
	if (atomic_dec_and_test(&port->live_chans))
		wake_up_all(&port->chans_gone);
}

/**
 * srpt_zero_write_done() - completion of the zero-length RDMA WRITE
 * @cq: the channel's CQ
 * @wc: its work completion
 *
 * Success means the channel just went live: process the IUs that arrived
 * before. A flush means every earlier work request has completed: the
 * channel is DISCONNECTED and its release work is queued.
 */
static void srpt_zero_write_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct srpt_chan *ch = wc->qp->qp_context;

	if (wc->status == IB_WC_SUCCESS) {
		/* Connection established: run what arrived before. */
		srpt_drain_pending(ch);
		return;
	}
	if (srpt_inject(SRPT_FAULT_DRAIN_FLUSH)) {
		pr_warn("%s: fault injection: drain flush lost\n",
			ch->name);
		return;
	}
	if (srpt_set_state(ch, SRPT_CH_DISCONNECTED))
		queue_work(srpt_wq, &ch->release_work);
}

static void srpt_free_rings(struct srpt_chan *ch)
{
	struct srpt_hca *hca = ch->port->hca;

	srpt_ring_free(hca, (void **)ch->send_ring, ch->rq_depth,
		       ch->rsp_pool, DMA_TO_DEVICE);
	ch->send_ring = NULL;
	srpt_ring_free(hca, (void **)ch->recv_ring, ch->rq_depth,
		       ch->req_pool, DMA_FROM_DEVICE);
	ch->recv_ring = NULL;
	srpt_pool_put(ch->rsp_pool);
	srpt_pool_put(ch->req_pool);
	ch->rsp_pool = NULL;
	ch->req_pool = NULL;
}

/*
 * Name the commands LIO still holds: tag, fabric state (enum
 * srpt_cmd_state), LIO's t_state, transport_state and se_cmd_flags, and
 * the opcode. Read without locks: a report, not a decision.
 */
static void srpt_report_stuck(struct srpt_chan *ch)
{
	u32 i, shown = 0;

	for (i = 0; i < ch->rq_depth && shown < 8; i++) {
		struct srpt_send_ioctx *ioctx = ch->send_ring[i];
		struct se_cmd *cmd = &ioctx->cmd;
		enum srpt_cmd_state state = READ_ONCE(ioctx->state);

		if (state == SRPT_CMD_DONE || !READ_ONCE(cmd->se_sess))
			continue;
		pr_warn("%s:   tag %#llx state %d t_state %d transport_state %#x flags %#x opcode %#x%s\n",
			ch->name, cmd->tag, state, READ_ONCE(cmd->t_state),
			READ_ONCE(cmd->transport_state), cmd->se_cmd_flags,
			READ_ONCE(ioctx->opcode),
			list_empty(&ioctx->rsp_entry) ? "" : " (waits for send queue room)");
		shown++;
	}
}

/* Wait for the session's commands, reporting while they are stuck. */
static void srpt_wait_sess_cmds(struct srpt_chan *ch)
{
	struct se_session *sess = ch->sess;
	struct target_cmd_counter *cnt = sess->cmd_cnt;
	unsigned int waited = 0;

	target_stop_session(sess);
	while (!wait_event_timeout(cnt->refcnt_wq,
				   percpu_ref_is_zero(&cnt->refcnt),
				   SRPT_DRAIN_REPORT_SECS * HZ)) {
		waited += SRPT_DRAIN_REPORT_SECS;
		pr_warn("%s: commands still in the backend after %u s\n",
			ch->name, waited);
		if (waited == SRPT_DRAIN_REPORT_SECS || !(waited % 60))
			srpt_report_stuck(ch);
	}
	target_wait_for_sess_cmds(sess);
}

/* Receive buffers parked on the pending list go back to the SRQ. */
static void srpt_return_pending(struct srpt_chan *ch)
{
	struct srpt_recv_ioctx *recv_ioctx, *next;

	ch->nr_pending = 0;
	list_for_each_entry_safe(recv_ioctx, next, &ch->pending, pending) {
		list_del_init(&recv_ioctx->pending);
		if (!ch->recv_ring)
			srpt_post_srq_recv(ch->port->hca, recv_ioctx);
	}
}

/* A channel has left @nx: free it with its last one (port->lock held). */
static void srpt_nexus_drop(struct srpt_port *port, struct srpt_nexus *nx)
{
	lockdep_assert_held(&port->lock);
	if (!nx || !list_empty(&nx->chans))
		return;
	list_del_rcu(&nx->entry);
	kfree_rcu(nx, rcu);
}

/**
 * srpt_release_work() - final teardown of a DISCONNECTED channel
 * @w: ch->release_work, on srpt_wq
 *
 * Waits for the LIO session's commands, stops the completion thread,
 * removes the session, destroys CM id, QP and CQ, leaves the nexus, frees
 * the rings and ends the channel's live_chans count. Drops the reference
 * the channel was created with.
 */
static void srpt_release_work(struct work_struct *w)
{
	struct srpt_chan *ch = container_of(w, struct srpt_chan, release_work);
	struct srpt_port *port = ch->port;

	pr_debug("%s: releasing\n", ch->name);
	cancel_delayed_work_sync(&ch->drain_watchdog);
	/*
	 * LIO commands complete through send completions, so the thread
	 * runs until they are all gone. Locally answered IUs still in
	 * flight are simply forgotten with the CQ.
	 */
	if (ch->sess)
		srpt_wait_sess_cmds(ch);
	srpt_chan_stop_thread(ch);
	srpt_chan_drop_fetches(ch);
	srpt_return_pending(ch);
	srpt_test_delay(SRPT_DELAY_RELEASE, ch->name);
	if (ch->sess) {
		target_remove_session(ch->sess);
		ch->sess = NULL;
	}
	/*
	 * The CM id before the QP: destroying the id waits for its event
	 * handler still running (an RTU or ESTABLISHED that raced the close,
	 * moving the QP to RTS) and no event follows, so none reaches a
	 * destroyed QP. An RDMA CM QP outlives its id as a plain ib_qp.
	 */
	if (ch->using_rdma_cm) {
		rdma_destroy_id(ch->cm_rdma);
		ch->cm_rdma = NULL;
	} else {
		ib_destroy_cm_id(ch->cm_ib);
		ch->cm_ib = NULL;
	}
	srpt_chan_destroy_hw(ch);
	/* No provider task can touch a data buffer now. */
	srpt_free_late_sgls(ch);

	mutex_lock(&port->lock);
	list_del_rcu(&ch->entry);
	srpt_nexus_drop(port, ch->nexus);
	mutex_unlock(&port->lock);

	srpt_free_rings(ch);
	complete_all(&ch->released);
	if (atomic_dec_and_test(&port->live_chans))
		wake_up_all(&port->chans_gone);
	kref_put(&ch->ref, srpt_chan_free);
}

/**
 * srpt_chan_alloc_rings() - buffer pools and rings of a new channel
 * @ch:		channel from srpt_chan_alloc(), @ch->max_rsp and
 *		@ch->rq_depth set
 * @imm_offset: immediate data offset granted to the login (0: none)
 *
 * With a shared receive queue the channel only gets its send ring and
 * does not offer immediate data; srpt_chan_discard() or the release frees
 * what was allocated, also after a failure.
 *
 * Return: 0 or -ENOMEM.
 */
int srpt_chan_alloc_rings(struct srpt_chan *ch, u16 imm_offset)
{
	struct srpt_hca *hca = ch->port->hca;
	u32 start, i;

	ch->rsp_pool = srpt_pool_get(ch->max_rsp);
	if (!ch->rsp_pool)
		return -ENOMEM;
	ch->send_ring = (struct srpt_send_ioctx **)
		srpt_ring_alloc(hca, ch->rq_depth,
				sizeof(struct srpt_send_ioctx), ch->rsp_pool,
				0, DMA_TO_DEVICE);
	if (!ch->send_ring)
		return -ENOMEM;
	for (i = 0; i < ch->rq_depth; i++) {
		ch->send_ring[i]->ch = ch;
		INIT_LIST_HEAD(&ch->send_ring[i]->rsp_entry);
	}

	if (ch->srq)
		return 0;
	/*
	 * Receive buffers are 512-byte aligned; the IU starts at an offset
	 * that puts immediate data on a 512-byte boundary.
	 */
	ch->imm_offset = imm_offset;
	start = ch->imm_offset ? round_up(ch->imm_offset, 512) -
				 ch->imm_offset : 0;
	ch->req_pool = srpt_pool_get(start + srp_max_req_size);
	if (!ch->req_pool)
		return -ENOMEM;
	ch->recv_ring = (struct srpt_recv_ioctx **)
		srpt_ring_alloc(hca, ch->rq_depth,
				sizeof(struct srpt_recv_ioctx), ch->req_pool,
				start, DMA_FROM_DEVICE);
	if (!ch->recv_ring)
		return -ENOMEM;
	for (i = 0; i < ch->rq_depth; i++)
		INIT_LIST_HEAD(&ch->recv_ring[i]->pending);
	return 0;
}

/**
 * srpt_chan_alloc() - a new, CONNECTING channel without resources
 * @port: port the login arrived on, admitted by srpt_port_login_begin()
 * @srq:  the HCA's shared receive queue read at admission, or NULL
 * @name: session name
 *
 * The caller sets the CM fields, then calls srpt_chan_alloc_rings() and
 * srpt_chan_create_hw(); a channel that never got a CM id of its own back
 * goes with srpt_chan_discard(), any other through srpt_chan_close().
 *
 * Return: the channel (one reference) or NULL.
 */
struct srpt_chan *srpt_chan_alloc(struct srpt_port *port, struct ib_srq *srq,
				  const char *name)
{
	struct srpt_chan *ch = kzalloc(sizeof(*ch), GFP_KERNEL);

	if (!ch)
		return NULL;
	kref_init(&ch->ref);
	init_completion(&ch->released);
	spin_lock_init(&ch->lock);
	INIT_LIST_HEAD(&ch->pending);
	spin_lock_init(&ch->rsp_lock);
	INIT_LIST_HEAD(&ch->rsp_wait);
	init_llist_head(&ch->late_sgls);
	INIT_LIST_HEAD(&ch->entry);
	INIT_WORK(&ch->release_work, srpt_release_work);
	INIT_DELAYED_WORK(&ch->drain_watchdog, srpt_drain_watchdog);
	ch->state = SRPT_CH_CONNECTING;
	ch->port = port;
	ch->srq = srq;
	ch->zw_cqe.done = srpt_zero_write_done;
	strscpy(ch->name, name, sizeof(ch->name));
	ch->rq_depth = min_t(u32, SRPT_RQ_DEPTH_MAX,
			     port->hca->dev->attrs.max_qp_wr);
	ch->max_rsp = port->attr.max_rsp_size;
	return ch;
}

/**
 * srpt_chan_discard() - free a channel that never went past its login
 * @ch: channel from srpt_chan_alloc() that has no session and is on no
 *	nexus, or NULL
 *
 * Undoes srpt_chan_create_hw() and srpt_chan_alloc_rings(), as far as they
 * got. The login stays counted in live_chans: see srpt_port_login_fail().
 */
void srpt_chan_discard(struct srpt_chan *ch)
{
	if (!ch)
		return;
	srpt_chan_destroy_hw(ch);
	srpt_free_rings(ch);
	kfree(ch);
}
