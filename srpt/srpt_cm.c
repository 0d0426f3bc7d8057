// SPDX-License-Identifier: GPL-2.0
/*
 * keel ib_srpt: connection management - the RDMA CM listener, the IB CM
 * and RDMA CM event handlers and SRP_LOGIN_REQ handling.
 *
 * A login goes through three steps (srpt_login()): validate (request
 * fields, port enabled, ACL known; nothing allocated yet), allocate (the
 * channel, its hardware and its LIO session) and accept (join the nexus,
 * answer with SRP_LOGIN_RSP). The channel's life after that, from close
 * to release, is in srpt_chan.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/inet.h>
#include <linux/in6.h>
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
		pr_##level(fmt, ##__VA_ARGS__);				\
} while (0)
#define srpt_login_log(level, fmt, ...)					\
	srpt_rs_log(&srpt_login_rs, level, fmt, ##__VA_ARGS__)
#define srpt_refuse_log(level, fmt, ...)				\
	srpt_rs_log(&srpt_refuse_rs, level, fmt, ##__VA_ARGS__)

static DEFINE_MUTEX(srpt_listen_lock);	/* protects the two below */
static struct rdma_cm_id *srpt_listen_id;
static u16 srpt_listen_port;

/**
 * srpt_get_nexus() - the nexus a new channel joins
 * @port:  port; called with port->lock held
 * @i_id:  initiator port identifier
 * @t_id:  target port identifier
 * @fresh: an unused, allocated nexus
 *
 * The nexus of (@i_id, @t_id), or *@fresh made into it (and *@fresh set to
 * NULL). Called in the same critical section that
 * puts the new channel on it: a nexus lives exactly as long as it has
 * channels (srpt_nexus_drop()), so logins that never get a channel,
 * rejected ones above all, leave nothing behind.
 *
 * Return: the nexus.
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

/*
 * The ACL names a login may match, in order: the session name (the
 * initiator's address for RDMA CM, its port GUID for IB CM) below the GUID-form port name, then
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
 * struct srpt_login_args - one login in progress, handed between its steps
 * @hca:    device the request arrived on
 * @pnum:   port number
 * @rid:    RDMA CM id, or NULL
 * @iid:    IB CM id, or NULL
 * @pkey:   partition key of the request (IB CM)
 * @l:	    the decoded request
 * @name:   session name
 * @port:   the port, set by srpt_login_validate()
 * @srq:    the HCA's SRQ at admission, or NULL
 * @fresh:  nexus to use when (@l->i_port_id, @l->t_port_id) has none yet
 * @reason: SRP_LOGIN_REJ reason when a step fails
 */
struct srpt_login_args {
	struct srpt_hca		*hca;
	u32			pnum;
	struct rdma_cm_id	*rid;
	struct ib_cm_id		*iid;
	u16			pkey;
	const struct srpt_login	*l;
	const char		*name;
	struct srpt_port	*port;
	struct ib_srq		*srq;
	struct srpt_nexus	*fresh;
	u32			reason;
};

/**
 * srpt_login_validate() - check a login and admit it on its port
 * @a: the login; @a->port and @a->srq are set on success
 *
 * Refuses, before anything is allocated: a bad port number, a request
 * srpt_login_check() does not accept, a disabled port and an initiator
 * without an ACL. An admitted login counts in the port's live_chans.
 *
 * Return: 0, or -EINVAL with @a->reason set.
 */
static int srpt_login_validate(struct srpt_login_args *a)
{
	const struct srpt_login *l = a->l;
	struct srpt_hca *hca = a->hca;

	if (!a->pnum || a->pnum > hca->nports) {
		a->reason = SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;
		return -EINVAL;
	}
	a->port = &hca->ports[a->pnum - 1];
	srpt_login_log(info, "login from %s (i_port_id %16phN, t_port_id %16phN, it_iu_len %u) on %s-%u\n",
		       a->name, l->i_port_id, l->t_port_id, l->it_iu_len,
		       dev_name(&hca->dev->dev), a->pnum);

	a->reason = srpt_login_check(l, srpt_service_guid, srp_max_req_size);
	if (a->reason) {
		srpt_refuse_log(warn, "%s: invalid login request\n", a->name);
		return -EINVAL;
	}
	if (!srpt_port_login_begin(a->port, &a->srq)) {
		srpt_refuse_log(info, "%s: port %s-%u is not enabled\n",
				a->name, dev_name(&hca->dev->dev), a->pnum);
		a->reason = SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES;
		return -EINVAL;
	}
	/* Nothing is allocated for a login that has no ACL. */
	if (!srpt_acl_known(a->port, a->name, l->i_port_id)) {
		srpt_refuse_log(info, "rejected login for initiator %s: no ACL\n",
				a->name);
		srpt_port_login_fail(a->port);
		a->reason = SRP_LOGIN_REJ_CHANNEL_LIMIT_REACHED;
		return -EINVAL;
	}
	return 0;
}

/**
 * srpt_login_alloc() - create the channel of an admitted login
 * @a:	 the login, validated
 * @out: set to the channel as far as it was built, also on failure
 *
 * Allocates the channel and a spare nexus, the rings, CQ, QP and thread,
 * finds the LIO session the ACL allows and starts the completion thread.
 * The CM id points at the channel from here on.
 *
 * Return: 0, or an error with @a->reason set; the caller rejects the login
 * and undoes the rest with srpt_login_unwind().
 */
static int srpt_login_alloc(struct srpt_login_args *a, struct srpt_chan **out)
{
	const struct srpt_login *l = a->l;
	struct se_session *sess;
	struct srpt_chan *ch;
	int ret;

	srpt_test_delay(SRPT_DELAY_LOGIN, a->name);
	a->fresh = kzalloc(sizeof(*a->fresh), GFP_KERNEL);
	ch = srpt_chan_alloc(a->port, a->srq, a->name);
	*out = ch;
	if (!a->fresh || !ch) {
		a->reason = SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES;
		return -ENOMEM;
	}
	ch->pkey = a->pkey;
	ch->max_ti_iu = l->it_iu_len;
	if (a->rid) {
		ch->using_rdma_cm = true;
		ch->cm_rdma = a->rid;
		a->rid->context = ch;
	} else {
		ch->cm_ib = a->iid;
		a->iid->context = ch;
	}

	ret = srpt_chan_alloc_rings(ch, srpt_login_imm_offset(l));
	if (!ret)
		ret = srpt_chan_create_hw(ch);
	if (ret) {
		srpt_refuse_log(warn, "%s: no resources for a channel: %d\n",
				ch->name, ret);
		a->reason = SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES;
		return ret;
	}

	sess = srpt_find_sess(ch, l->i_port_id);
	if (IS_ERR(sess)) {
		ret = PTR_ERR(sess);
		srpt_refuse_log(info, "rejected login for initiator %s: %d (no ACL?)\n",
				ch->name, ret);
		a->reason = ret == -ENOMEM ?
			    SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES :
			    SRP_LOGIN_REJ_CHANNEL_LIMIT_REACHED;
		return ret;
	}
	ch->sess = sess;
	srpt_chan_start_thread(ch);
	return 0;
}

/* Undo a failed srpt_login_alloc(); @ch may be NULL. */
static void srpt_login_unwind(struct srpt_login_args *a, struct srpt_chan *ch)
{
	/* The CM id goes back to its CM, which destroys it. */
	if (ch && ch->cm_rdma)
		ch->cm_rdma->context = NULL;
	else if (ch && ch->cm_ib)
		ch->cm_ib->context = NULL;
	srpt_chan_discard(ch);
	kfree(a->fresh);
	srpt_port_login_fail(a->port);
}

/*
 * Put a new channel on its nexus. A single-channel login closes the
 * channels the nexus has; returns the SRP_LOGIN_RSP multichannel flag.
 */
static u8 srpt_login_join(struct srpt_login_args *a, struct srpt_chan *ch)
{
	const struct srpt_login *l = a->l;
	struct srpt_port *port = a->port;
	struct srpt_nexus *nx;
	u8 rsp_flags = 0;

	mutex_lock(&port->lock);
	nx = srpt_get_nexus(port, l->i_port_id, l->t_port_id, &a->fresh);
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
	kfree(a->fresh);		/* the nexus existed already */
	a->fresh = NULL;
	return rsp_flags;
}

/**
 * srpt_login_accept() - join the nexus and answer with SRP_LOGIN_RSP
 * @a:	the login
 * @ch: its channel, with session and running thread
 *
 * From here on failures are handled by closing the channel: the channel
 * owns the CM id whatever happens.
 */
static void srpt_login_accept(struct srpt_login_args *a, struct srpt_chan *ch)
{
	const struct srpt_login *l = a->l;
	struct srpt_port *port = a->port;
	struct rdma_cm_id *rid = a->rid;
	union {
		struct rdma_conn_param rdma;
		struct ib_cm_rep_param ib;
	} rep;
	struct srp_login_rsp rsp;
	u32 reason, rsp_len;
	u8 rsp_flags;
	int ret;

	rsp_flags = srpt_login_join(a, ch);
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
			    ib_send_cm_rep(a->iid, &rep.ib);
	else
		ret = -ECONNABORTED;
	mutex_unlock(&port->lock);
	if (!ret)
		return;
	srpt_refuse_log(info, "%s: accepting login failed: %d\n", ch->name,
			ret);
	reason = SRP_LOGIN_REJ_INSUFFICIENT_RESOURCES;

reject_close:
	srpt_send_reject(rid, a->iid, l->tag, reason);
	srpt_chan_close(ch);
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
 * Three steps: srpt_login_validate(), srpt_login_alloc() and
 * srpt_login_accept().
 *
 * Return: 0 when the CM id now belongs to a channel (also when the login
 * was rejected after the channel existed), else an error and the caller's
 * CM destroys the id.
 */
static int srpt_login(struct srpt_hca *hca, u32 pnum, struct rdma_cm_id *rid,
		      struct ib_cm_id *iid, u16 pkey,
		      const struct srpt_login *l, const char *name)
{
	struct srpt_login_args a = {
		.hca = hca, .pnum = pnum, .rid = rid, .iid = iid,
		.pkey = pkey, .l = l, .name = name,
	};
	struct srpt_chan *ch;
	int ret;

	ret = srpt_login_validate(&a);
	if (ret) {
		srpt_send_reject(rid, iid, l->tag, a.reason);
		return ret;
	}
	ret = srpt_login_alloc(&a, &ch);
	if (ret) {
		srpt_send_reject(rid, iid, l->tag, a.reason);
		srpt_login_unwind(&a, ch);
		return ret;
	}
	srpt_login_accept(&a, ch);
	return 0;
}

/**
 * srpt_chan_established() - the connection is up: the channel goes live
 * @ch: channel
 *
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
	/*
	 * The session (and the ACL it needs) is named after the initiator:
	 * on a passive id, route.addr.dst_addr is the peer's address and
	 * src_addr our own. The in-tree driver (6.1) uses src_addr, so
	 * across two machines it names every initiator after the target.
	 */
	snprintf(name, sizeof(name), "%pIS", &id->route.addr.dst_addr);
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
	srpt_fmt_guid_name(name, sizeof(name), p->primary_path->dgid.raw);
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
 * The old listener goes once the new one listens.
 *
 * Return: 0, or the error of the last listen attempt (the old listener
 * then stays).
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

/**
 * srpt_cm_stop_rdma() - stop the RDMA CM listener, if there is one
 */
void srpt_cm_stop_rdma(void)
{
	srpt_cm_listen_rdma(0);
}

/**
 * srpt_cm_rdma_port() - the port the RDMA CM listener is on
 *
 * Return: the TCP-space port number, 0 when not listening.
 */
u16 srpt_cm_rdma_port(void)
{
	return READ_ONCE(srpt_listen_port);
}
