// SPDX-License-Identifier: GPL-2.0
/*
 * keel ib_srpt: connection management - the RDMA CM listener, IB CM
 * logins, SRP_LOGIN_REQ handling and the channel life cycle.
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
 * is ignored (srpt_chan_established()).
 *
 * Closing does not wait for the peer: the QP is moved to the error state
 * right after the DREQ is sent, so a vanished initiator cannot hold up a
 * logout.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/inet.h>
#include <linux/in6.h>
#include <linux/percpu-refcount.h>
#include <linux/ratelimit.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>
#include "srpt.h"

/*
 * Anyone who reaches the port can send logins, as fast as they like, and
 * most of what a login logs is about the peer, so all of it is rate
 * limited: "login from" lines on one budget, refusals and failures on
 * another, so that a burst of good logins cannot hide why the next one
 * was refused. Both together stay under 3 lines a second.
 */
static DEFINE_RATELIMIT_STATE(srpt_login_rs, 5 * HZ, 4);
static DEFINE_RATELIMIT_STATE(srpt_refuse_rs, 5 * HZ, 8);
#define srpt_rs_log(rs, level, fmt, ...)				\
do {									\
	if (__ratelimit(rs))						\
		pr_##level(fmt, ##__VA_ARGS__);		\
} while (0)
#define srpt_login_log(level, fmt, ...)					\
	srpt_rs_log(&srpt_login_rs, level, fmt, ##__VA_ARGS__)
#define srpt_refuse_log(level, fmt, ...)				\
	srpt_rs_log(&srpt_refuse_rs, level, fmt, ##__VA_ARGS__)

static DEFINE_MUTEX(srpt_listen_lock);	/* protects the two below */
static struct rdma_cm_id *srpt_listen_id;
static u16 srpt_listen_port;

static void srpt_chan_free(struct kref *ref)
{
	struct srpt_chan *ch = container_of(ref, struct srpt_chan, ref);

	kfree_rcu(ch, rcu);
}

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
	int ret;

	if (!srpt_set_state(ch, SRPT_CH_DRAINING))
		return;
	ret = srpt_test_qp_err_fails() ? -EIO :
	      ib_modify_qp(ch->qp, &attr, IB_QP_STATE);
	if (ret)
		pr_err("%s: QP to error state failed: %d\n",
		       ch->name, ret);
	ret = srpt_post_zero_write(ch);
	if (ret) {
		pr_err("%s: draining failed: %d\n", ch->name, ret);
		if (srpt_set_state(ch, SRPT_CH_DISCONNECTED))
			queue_work(srpt_wq, &ch->release_work);
		return;
	}
	schedule_delayed_work(&ch->drain_watchdog,
			      SRPT_DRAIN_TIMEOUT_SECS * HZ);
}

/*
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

/* Close every channel of a port; called with port->lock held. */
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
static bool srpt_port_login_begin(struct srpt_port *port, struct ib_srq **srq)
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

/* An admitted login failed before it had a channel to release. */
static void srpt_port_login_fail(struct srpt_port *port)
{
	if (atomic_dec_and_test(&port->live_chans))
		wake_up_all(&port->chans_gone);
}

void srpt_zero_write_done(struct ib_cq *cq, struct ib_wc *wc)
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

/*
 * The nexus of (@i_id, @t_id), or *@fresh made into it (and *@fresh set to
 * NULL). Called with port->lock held, in the same critical section that
 * puts the new channel on it: a nexus lives exactly as long as it has
 * channels (srpt_nexus_drop()), so logins that never get a channel,
 * rejected ones above all, leave nothing behind.
 */
static struct srpt_nexus *srpt_get_nexus(struct srpt_port *port,
					 const u8 *i_id, const u8 *t_id,
					 struct srpt_nexus **fresh)
{
	struct srpt_nexus *nx;

	lockdep_assert_held(&port->lock);
	list_for_each_entry(nx, &port->nexuses, entry) {
		if (!memcmp(nx->i_id, i_id, 16) && !memcmp(nx->t_id, t_id, 16))
			return nx;
	}
	nx = *fresh;
	*fresh = NULL;
	INIT_LIST_HEAD(&nx->chans);
	memcpy(nx->i_id, i_id, 16);
	memcpy(nx->t_id, t_id, 16);
	list_add_tail_rcu(&nx->entry, &port->nexuses);
	return nx;
}


static int srpt_ib_qp_move(struct srpt_chan *ch, enum ib_qp_state state)
{
	struct ib_qp_attr attr;
	int mask, ret;

	attr.qp_state = state;
	ret = ib_cm_init_qp_attr(ch->cm_ib, &attr, &mask);
	if (ret)
		return ret;
	if (state == IB_QPS_RTR) {
		attr.max_dest_rd_atomic = 4;
	} else {
		attr.max_rd_atomic = 4;
		srpt_test_delay(SRPT_DELAY_RTU, ch->name);
	}
	return ib_modify_qp(ch->qp, &attr, mask);
}

static void srpt_send_reject(struct rdma_cm_id *rid, struct ib_cm_id *iid,
			     u64 tag, u32 reason)
{
	struct srp_login_rej rej;
	u32 len = srpt_build_login_rej(&rej, tag, reason);

	srpt_refuse_log(info, "rejecting login, reason %#x\n", reason);
	if (rid)
		rdma_reject(rid, &rej, len, IB_CM_REJ_CONSUMER_DEFINED);
	else
		ib_send_cm_rej(iid, IB_CM_REJ_CONSUMER_DEFINED, NULL, 0, &rej,
			       len);
}

static int srpt_alloc_rings(struct srpt_chan *ch, const struct srpt_login *l)
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
	ch->imm_offset = srpt_login_imm_offset(l);
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

/*
 * The ACL names a login may match, in order: the session name (RDMA CM
 * source address or IB CM port GUID) below the GUID-form port name, then
 * the initiator port id with and without "0x" below the GID-form one.
 * The port names are only valid while port->name_lock is held.
 */
struct srpt_acl_key {
	struct srpt_port_name	*pn;
	const char		*name;
};

#define SRPT_ACL_KEYS	3

static void srpt_acl_keys(struct srpt_port *port, const char *name,
			  const u8 *i_id, char id[40],
			  struct srpt_acl_key keys[SRPT_ACL_KEYS])
{
	lockdep_assert_held(&port->name_lock);
	snprintf(id, 40, "0x%016llx%016llx",
		 get_unaligned_be64(i_id), get_unaligned_be64(i_id + 8));
	keys[0].pn = port->guid_wwn;
	keys[0].name = name;
	keys[1].pn = port->gid_wwn;
	keys[1].name = id;
	keys[2].pn = port->gid_wwn;
	keys[2].name = id + 2;
}

/*
 * Is there an ACL for this login at all? Checked before anything is
 * allocated for it: a login without one costs a lookup and a reject.
 */
static bool srpt_acl_known(struct srpt_port *port, const char *name,
			   const u8 *i_id)
{
	struct srpt_acl_key keys[SRPT_ACL_KEYS];
	struct srpt_tpg *tpg;
	bool found = false;
	char id[40];
	int k;

	mutex_lock(&port->name_lock);	/* against srpt_drop_wwn() */
	srpt_acl_keys(port, name, i_id, id, keys);
	for (k = 0; k < SRPT_ACL_KEYS && !found; k++) {
		if (!keys[k].pn)
			continue;
		mutex_lock(&keys[k].pn->lock);
		list_for_each_entry(tpg, &keys[k].pn->tpgs, entry) {
			found = target_tpg_has_node_acl(&tpg->se_tpg,
							keys[k].name);
			if (found)
				break;
		}
		mutex_unlock(&keys[k].pn->lock);
	}
	mutex_unlock(&port->name_lock);
	return found;
}

/*
 * Find a TPG below one of the port's WWNs that accepts @name. Called with
 * port->name_lock held: srpt_drop_wwn() must not free @pn meanwhile.
 */
static struct se_session *srpt_setup_sess(struct srpt_chan *ch,
					  struct srpt_port_name *pn,
					  const char *name)
{
	struct se_session *sess = ERR_PTR(-ENOENT);
	struct srpt_tpg *tpg;

	lockdep_assert_held(&ch->port->name_lock);
	if (!pn)
		return sess;
	mutex_lock(&pn->lock);
	list_for_each_entry(tpg, &pn->tpgs, entry) {
		sess = target_setup_session(&tpg->se_tpg, ch->rq_depth, 1,
					    TARGET_PROT_NORMAL, name, ch,
					    NULL);
		if (!IS_ERR(sess))
			break;
	}
	mutex_unlock(&pn->lock);
	return sess;
}

static struct se_session *srpt_find_sess(struct srpt_chan *ch,
					 const u8 *i_id)
{
	struct srpt_acl_key keys[SRPT_ACL_KEYS];
	struct se_session *sess = ERR_PTR(-ENOENT);
	char id[40];
	int k;

	/* srpt_drop_wwn() must not free a port name under us. */
	mutex_lock(&ch->port->name_lock);
	srpt_acl_keys(ch->port, ch->name, i_id, id, keys);
	for (k = 0; k < SRPT_ACL_KEYS; k++) {
		sess = srpt_setup_sess(ch, keys[k].pn, keys[k].name);
		if (!IS_ERR(sess))
			break;
	}
	mutex_unlock(&ch->port->name_lock);
	return sess;
}

/**
 * srpt_login() - handle an SRP_LOGIN_REQ from either CM
 * @hca:  device the request arrived on
 * @pnum: port number
 * @rid:  RDMA CM id (or NULL)
 * @iid:  IB CM id (or NULL)
 * @pkey: partition key of the request (IB CM)
 * @l:	  the decoded request
 * @name: session name
 *
 * Return: 0 when the CM id now belongs to a channel (also when the login
 * was rejected after the channel existed), else an error and the caller's
 * CM destroys the id.
 */
static int srpt_login(struct srpt_hca *hca, u32 pnum, struct rdma_cm_id *rid,
		      struct ib_cm_id *iid, u16 pkey,
		      const struct srpt_login *l, const char *name)
{
	struct srpt_nexus *nx, *fresh = NULL;
	struct srpt_port *port;
	struct srpt_chan *ch;
	union {
		struct rdma_conn_param rdma;
		struct ib_cm_rep_param ib;
	} rep;
	struct srp_login_rsp rsp;
	struct se_session *sess;
	struct ib_srq *srq;
	u32 reason, rsp_len;
	u8 rsp_flags = 0;
	int ret;

	if (!pnum || pnum > hca->nports) {
		srpt_send_reject(rid, iid, l->tag,
				 SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL);
		return -EINVAL;
	}
	port = &hca->ports[pnum - 1];
	srpt_login_log(info, "login from %s (i_port_id %16phN, t_port_id %16phN, it_iu_len %u) on %s-%u\n",
		       name, l->i_port_id, l->t_port_id, l->it_iu_len,
		       dev_name(&hca->dev->dev), pnum);

	reason = srpt_login_check(l, srpt_service_guid, srp_max_req_size);
	if (reason) {
		srpt_refuse_log(warn, "%s: invalid login request\n", name);
		srpt_send_reject(rid, iid, l->tag, reason);
		return -EINVAL;
	}
	if (!srpt_port_login_begin(port, &srq)) {
		srpt_refuse_log(info, "%s: port %s-%u is not enabled\n", name,
			       dev_name(&hca->dev->dev), pnum);
		srpt_send_reject(rid, iid, l->tag,
				 SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES);
		return -EINVAL;
	}
	/* Nothing is allocated for a login that has no ACL. */
	if (!srpt_acl_known(port, name, l->i_port_id)) {
		srpt_refuse_log(info, "rejected login for initiator %s: no ACL\n",
			       name);
		srpt_port_login_fail(port);
		srpt_send_reject(rid, iid, l->tag,
				 SRP_LOGIN_REJ_CHANNEL_LIMIT_REACHED);
		return -EINVAL;
	}
	srpt_test_delay(SRPT_DELAY_LOGIN, name);
	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!fresh || !ch) {
		kfree(fresh);
		kfree(ch);
		srpt_port_login_fail(port);
		srpt_send_reject(rid, iid, l->tag,
				 SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES);
		return -ENOMEM;
	}
	kref_init(&ch->ref);
	init_completion(&ch->released);
	spin_lock_init(&ch->lock);
	INIT_LIST_HEAD(&ch->pending);
	spin_lock_init(&ch->rsp_lock);
	INIT_LIST_HEAD(&ch->rsp_wait);
	INIT_LIST_HEAD(&ch->entry);
	INIT_WORK(&ch->release_work, srpt_release_work);
	INIT_DELAYED_WORK(&ch->drain_watchdog, srpt_drain_watchdog);
	ch->state = SRPT_CH_CONNECTING;
	ch->port = port;
	ch->srq = srq;
	ch->pkey = pkey;
	ch->zw_cqe.done = srpt_zero_write_done;
	strscpy(ch->name, name, sizeof(ch->name));
	ch->rq_depth = min_t(u32, SRPT_RQ_DEPTH_MAX,
			     hca->dev->attrs.max_qp_wr);
	ch->max_rsp = port->attr.max_rsp_size;
	ch->max_ti_iu = l->it_iu_len;
	if (rid) {
		ch->using_rdma_cm = true;
		ch->cm_rdma = rid;
		rid->context = ch;
	} else {
		ch->cm_ib = iid;
		iid->context = ch;
	}

	ret = srpt_alloc_rings(ch, l);
	if (!ret)
		ret = srpt_chan_create_hw(ch);
	if (ret) {
		srpt_refuse_log(warn, "%s: no resources for a channel: %d\n",
			       ch->name, ret);
		reason = SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES;
		goto fail;
	}

	sess = srpt_find_sess(ch, l->i_port_id);
	if (IS_ERR(sess)) {
		ret = PTR_ERR(sess);
		srpt_refuse_log(info, "rejected login for initiator %s: %d (no ACL?)\n",
			       ch->name, ret);
		reason = ret == -ENOMEM ? SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES :
					  SRP_LOGIN_REJ_CHANNEL_LIMIT_REACHED;
		goto fail;
	}
	ch->sess = sess;
	srpt_chan_start_thread(ch);

	/* From here on failures are handled by closing the channel. */
	mutex_lock(&port->lock);
	nx = srpt_get_nexus(port, l->i_port_id, l->t_port_id, &fresh);
	ch->nexus = nx;
	if ((l->flags & SRPT_MCH_MASK) == SRP_MULTICHAN_SINGLE) {
		struct srpt_chan *old;

		list_for_each_entry(old, &nx->chans, entry) {
			if (!srpt_chan_disconnect(old)) {
				pr_info("%s: single-channel relogin, closing old channel\n",
					old->name);
				rsp_flags |= SRP_LOGIN_RSP_MULTICHAN_TERMINATED;
			}
		}
	} else {
		rsp_flags |= SRP_LOGIN_RSP_MULTICHAN_MAINTAINED;
	}
	list_add_tail_rcu(&ch->entry, &nx->chans);
	mutex_unlock(&port->lock);
	kfree(fresh);		/* the nexus existed already */

	if (!rid) {
		ret = srpt_ib_qp_move(ch, IB_QPS_RTR);
		if (ret) {
			reason = SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES;
			goto reject_close;
		}
	}

	if (ch->imm_offset)
		rsp_flags |= SRP_LOGIN_RSP_IMMED_SUPP;
	rsp_len = srpt_build_login_rsp(&rsp, l->tag, ch->rq_depth,
				       srp_max_req_size, l->it_iu_len,
				       rsp_flags);
	atomic_set(&ch->req_lim, ch->rq_depth);
	memset(&rep, 0, sizeof(rep));
	if (rid) {
		rep.rdma.private_data = &rsp;
		rep.rdma.private_data_len = rsp_len;
		rep.rdma.rnr_retry_count = 7;
		rep.rdma.flow_control = 1;
		rep.rdma.responder_resources = 4;
		rep.rdma.initiator_depth = 4;
	} else {
		rep.ib.qp_num = ch->qp->qp_num;
		rep.ib.private_data = &rsp;
		rep.ib.private_data_len = rsp_len;
		rep.ib.rnr_retry_count = 7;
		rep.ib.flow_control = 1;
		rep.ib.srq = !!ch->srq;
		rep.ib.responder_resources = 4;
		rep.ib.initiator_depth = 4;
	}

	/* Under the port lock so that a concurrent disable sees the channel. */
	mutex_lock(&port->lock);
	if (port->enabled && READ_ONCE(ch->state) == SRPT_CH_CONNECTING)
		ret = rid ? rdma_accept(rid, &rep.rdma) :
			    ib_send_cm_rep(iid, &rep.ib);
	else
		ret = -ECONNABORTED;
	mutex_unlock(&port->lock);
	if (!ret)
		return 0;
	srpt_refuse_log(info, "%s: accepting login failed: %d\n", ch->name, ret);
	reason = SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES;

reject_close:
	srpt_send_reject(rid, iid, l->tag, reason);
	srpt_chan_close(ch);
	return 0;

fail:
	srpt_send_reject(rid, iid, l->tag, reason);
	srpt_chan_destroy_hw(ch);
	srpt_free_rings(ch);
	if (rid)
		rid->context = NULL;
	else
		iid->context = NULL;
	kfree(ch);
	kfree(fresh);
	srpt_port_login_fail(port);
	return ret;
}

/*
 * ESTABLISHED (RDMA CM) or RTU (IB CM): only a channel that is still
 * CONNECTING goes live. After a REP, a close may come first (second
 * single-channel login of the nexus, port disable); its QP is in or on
 * its way to the error state and must not be moved to RTS. The QP
 * modification may sleep, so it cannot run under ch->lock: a close
 * between the check and the modification makes the RTS transition fail
 * (error state) or be overridden by the error state, and the channel
 * stays closed because states never move back.
 */
static void srpt_chan_established(struct srpt_chan *ch)
{
	unsigned long flags;
	bool connecting;
	int ret;

	spin_lock_irqsave(&ch->lock, flags);
	connecting = ch->state == SRPT_CH_CONNECTING;
	spin_unlock_irqrestore(&ch->lock, flags);
	if (!connecting) {
		pr_debug("%s: established while %s, ignored\n", ch->name,
			 srpt_state_name(READ_ONCE(ch->state)));
		return;
	}
	if (!ch->using_rdma_cm) {
		ret = srpt_ib_qp_move(ch, IB_QPS_RTS);
		if (ret) {
			if (READ_ONCE(ch->state) == SRPT_CH_CONNECTING)
				pr_err("%s: QP to RTS failed: %d\n",
				       ch->name, ret);
			srpt_chan_close(ch);
			return;
		}
	}
	if (!srpt_set_state(ch, SRPT_CH_LIVE))
		return;
	pr_debug("%s: live\n", ch->name);
	/* Its completion processes IUs that arrived before this point. */
	ret = srpt_post_zero_write(ch);
	if (ret)
		pr_err("%s: posting zero-length write failed: %d\n",
		       ch->name, ret);
}

static int srpt_rdma_login(struct rdma_cm_id *id, struct rdma_cm_event *ev)
{
	/* Referenced: srpt_remove_one() may run meanwhile. */
	struct srpt_hca *hca = srpt_hca_get(id->device);
	struct srpt_login l;
	char name[64];
	int ret;

	if (!hca)
		return -ECONNREFUSED;
	if (srpt_login_from_rdma(&l, ev->param.conn.private_data,
				 ev->param.conn.private_data_len)) {
		pr_warn_ratelimited("RDMA CM login with %u bytes of private data refused\n",
				    ev->param.conn.private_data_len);
		srpt_send_reject(id, NULL, 0,
				 SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL);
		srpt_hca_put(hca);
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "%pIS", &id->route.addr.src_addr);
	ret = srpt_login(hca, id->port_num, id, NULL,
			 id->route.path_rec ?
			 be16_to_cpu(id->route.path_rec->pkey) : 0, &l, name);
	srpt_hca_put(hca);
	return ret;
}

static int srpt_rdma_cm_handler(struct rdma_cm_id *id,
				struct rdma_cm_event *ev)
{
	struct srpt_chan *ch = id->context;

	if (ev->event == RDMA_CM_EVENT_CONNECT_REQUEST)
		return srpt_rdma_login(id, ev);
	if (!ch)
		return 0;

	switch (ev->event) {
	case RDMA_CM_EVENT_ESTABLISHED:
		srpt_chan_established(ch);
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
		/* Answers the DREQ if it came from the initiator. */
		if (srpt_chan_disconnect(ch))
			srpt_chan_close(ch);
		break;
	case RDMA_CM_EVENT_REJECTED:
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_CONNECT_ERROR:
		pr_info("%s: %s\n", ch->name,
			rdma_event_msg(ev->event));
		srpt_chan_close(ch);
		break;
	case RDMA_CM_EVENT_TIMEWAIT_EXIT:
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		srpt_chan_close(ch);
		break;
	default:
		pr_debug("%s: RDMA CM event %s\n", ch->name,
			 rdma_event_msg(ev->event));
		break;
	}
	/* Never let the RDMA CM destroy a channel's id: release does. */
	return 0;
}

static int srpt_ib_login(struct ib_cm_id *id, const struct ib_cm_event *ev)
{
	const struct ib_cm_req_event_param *p = &ev->param.req_rcvd;
	struct srpt_hca *hca = id->context;
	struct srpt_login l;
	char name[64];

	if (srpt_login_from_ib(&l, ev->private_data, IB_CM_REQ_PRIVATE_DATA_SIZE)) {
		srpt_send_reject(NULL, id, 0,
				 SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL);
		return -EINVAL;
	}
	srpt_fmt_guid_name(name, sizeof(name), &p->primary_path->dgid);
	return srpt_login(hca, p->port, NULL, id,
			  be16_to_cpu(p->primary_path->pkey), &l, name);
}

/**
 * srpt_ib_cm_handler() - IB CM events (listener and channels)
 * @id: CM id
 * @ev: event
 *
 * Return: non-zero only when a new id must be destroyed by the IB CM.
 */
int srpt_ib_cm_handler(struct ib_cm_id *id, const struct ib_cm_event *ev)
{
	struct srpt_chan *ch = id->context;

	if (ev->event == IB_CM_REQ_RECEIVED)
		return srpt_ib_login(id, ev);

	switch (ev->event) {
	case IB_CM_RTU_RECEIVED:
	case IB_CM_USER_ESTABLISHED:
		srpt_chan_established(ch);
		break;
	case IB_CM_DREQ_RECEIVED:
		srpt_chan_disconnect(ch);
		break;
	case IB_CM_REJ_RECEIVED:
	case IB_CM_DREP_RECEIVED:
	case IB_CM_TIMEWAIT_EXIT:
	case IB_CM_REP_ERROR:
		srpt_chan_close(ch);
		break;
	default:
		pr_debug("%s: IB CM event %d\n", ch->name, ev->event);
		break;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* The RDMA CM listener (one, on all addresses). */

static struct rdma_cm_id *srpt_rdma_listen_on(struct sockaddr *sa)
{
	struct rdma_cm_id *id;
	int ret;

	id = rdma_create_id(&init_net, srpt_rdma_cm_handler, NULL,
			    RDMA_PS_TCP, IB_QPT_RC);
	if (IS_ERR(id))
		return id;
	ret = rdma_bind_addr(id, sa);
	if (!ret)
		ret = rdma_listen(id, 128);
	if (ret) {
		rdma_destroy_id(id);
		return ERR_PTR(ret);
	}
	return id;
}

/**
 * srpt_cm_listen_rdma() - (re)start the RDMA CM listener
 * @port: TCP-space port number, 0 to stop listening
 *
 * Listens on [::]:port, or on 0.0.0.0:port where IPv6 is unavailable.
 */
int srpt_cm_listen_rdma(u16 port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct rdma_cm_id *id = NULL, *old;

	mutex_lock(&srpt_listen_lock);
	if (port == srpt_listen_port && (srpt_listen_id || !port)) {
		mutex_unlock(&srpt_listen_lock);
		return 0;
	}
	if (port) {
		sin6.sin6_port = cpu_to_be16(port);
		id = srpt_rdma_listen_on((struct sockaddr *)&sin6);
		if (IS_ERR(id)) {
			sin.sin_port = cpu_to_be16(port);
			id = srpt_rdma_listen_on((struct sockaddr *)&sin);
		}
		if (IS_ERR(id)) {
			mutex_unlock(&srpt_listen_lock);
			pr_err("RDMA CM listen on port %u failed: %ld\n",
			       port, PTR_ERR(id));
			return PTR_ERR(id);
		}
	}
	old = srpt_listen_id;
	srpt_listen_id = id;
	srpt_listen_port = port;
	mutex_unlock(&srpt_listen_lock);
	if (old)
		rdma_destroy_id(old);
	if (port)
		pr_info("RDMA CM listening on port %u\n", port);
	return 0;
}

void srpt_cm_stop_rdma(void)
{
	srpt_cm_listen_rdma(0);
}

u16 srpt_cm_rdma_port(void)
{
	return READ_ONCE(srpt_listen_port);
}
