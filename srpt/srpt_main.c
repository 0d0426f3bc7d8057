// SPDX-License-Identifier: GPL-2.0
/*
 * keel ib_srpt: module parameters, RDMA device discovery (ib_client),
 * per-port state and the shared receive queue.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <rdma/ib_cache.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>
#include <keel/keel_module.h>
#include "srpt.h"

u64 srpt_service_guid;
unsigned int srp_max_req_size = SRPT_REQ_SIZE_DEFAULT;
int srpt_srq_size = SRPT_SRQ_DEFAULT;
unsigned int srpt_poll_usecs = SRPT_POLL_USECS_DEFAULT;
static unsigned short rdma_cm_port;
struct workqueue_struct *srpt_wq;

module_param(srp_max_req_size, uint, 0444);
MODULE_PARM_DESC(srp_max_req_size,
		 "Largest SRP request (IU) accepted, in bytes (>= 996)");
module_param(srpt_srq_size, int, 0444);
MODULE_PARM_DESC(srpt_srq_size,
		 "Shared receive queue size when use_srq is set (4..65535)");

static int srpt_poll_usecs_set(const char *val, const struct kernel_param *kp)
{
	unsigned int us;
	int ret = kstrtouint(val, 0, &us);

	if (ret)
		return ret;
	if (us > SRPT_POLL_USECS_MAX)
		return -ERANGE;
	WRITE_ONCE(*(unsigned int *)kp->arg, us);
	return 0;
}

static const struct kernel_param_ops srpt_poll_usecs_ops = {
	.set = srpt_poll_usecs_set,
	.get = param_get_uint,
};
module_param_cb(srpt_poll_usecs, &srpt_poll_usecs_ops, &srpt_poll_usecs, 0644);
MODULE_PARM_DESC(srpt_poll_usecs,
		 "Completion threads keep polling an empty CQ this long before sleeping (0..1000 us, 0: sleep at once)");

static int srpt_guid_set(const char *val, const struct kernel_param *kp)
{
	return kstrtou64(val, 16, kp->arg);
}

static int srpt_guid_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "0x%016llx\n", *(u64 *)kp->arg);
}

static const struct kernel_param_ops srpt_guid_ops = {
	.set = srpt_guid_set,
	.get = srpt_guid_get,
};
module_param_cb(srpt_service_guid, &srpt_guid_ops, &srpt_service_guid, 0444);
MODULE_PARM_DESC(srpt_service_guid,
		 "Target port id / IOC GUID / IB CM service id (default: node GUID of the first HCA)");

static int srpt_cm_port_set(const char *val, const struct kernel_param *kp)
{
	u16 port;
	int ret = kstrtou16(val, 0, &port);

	if (ret)
		return ret;
	*(unsigned short *)kp->arg = port;
	return 0;
}

static int srpt_cm_port_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%u\n", srpt_cm_rdma_port());
}

static const struct kernel_param_ops srpt_cm_port_ops = {
	.set = srpt_cm_port_set,
	.get = srpt_cm_port_get,
};
module_param_cb(rdma_cm_port, &srpt_cm_port_ops, &rdma_cm_port, 0444);
MODULE_PARM_DESC(rdma_cm_port,
		 "Start the RDMA CM listener on this port at load time (0: only via configfs discovery_auth/rdma_cm_port)");

static LIST_HEAD(srpt_hcas);
static DEFINE_SPINLOCK(srpt_hcas_lock);
static struct ib_client srpt_client;

static void srpt_hca_free(struct kref *ref)
{
	kfree(container_of(ref, struct srpt_hca, ref));
}

/**
 * srpt_hca_put() - drop an HCA reference
 * @hca: HCA from srpt_hca_get() or srpt_port_by_name()
 *
 * The last one frees the srpt_hca (configfs WWNs can outlive the device).
 */
void srpt_hca_put(struct srpt_hca *hca)
{
	kref_put(&hca->ref, srpt_hca_free);
}

/**
 * srpt_hca_get() - the HCA of an RDMA device, referenced
 * @dev: RDMA device
 *
 * For the RDMA CM, whose connection requests may still arrive while
 * srpt_remove_one() runs; drop the reference with srpt_hca_put().
 *
 * Return: the HCA, or NULL once it is removed.
 */
struct srpt_hca *srpt_hca_get(struct ib_device *dev)
{
	struct srpt_hca *hca;

	spin_lock(&srpt_hcas_lock);
	list_for_each_entry(hca, &srpt_hcas, entry) {
		if (hca->dev == dev) {
			kref_get(&hca->ref);
			spin_unlock(&srpt_hcas_lock);
			return hca;
		}
	}
	spin_unlock(&srpt_hcas_lock);
	return NULL;
}

/**
 * srpt_port_by_name() - find the port a configfs WWN name refers to
 * @name: GUID-form or GID-form port name
 * @slot: set to the port's WWN pointer for that form
 *
 * Takes a reference on the HCA, dropped by srpt_hca_put().
 *
 * Return: the port, or NULL when no port has that name.
 */
struct srpt_port *srpt_port_by_name(const char *name,
				    struct srpt_port_name ***slot)
{
	struct srpt_hca *hca;
	u32 i;

	spin_lock(&srpt_hcas_lock);
	list_for_each_entry(hca, &srpt_hcas, entry) {
		for (i = 0; i < hca->nports; i++) {
			struct srpt_port *p = &hca->ports[i];

			if (!strcmp(name, p->guid_name))
				*slot = &p->guid_wwn;
			else if (!strcmp(name, p->gid_name))
				*slot = &p->gid_wwn;
			else
				continue;
			kref_get(&hca->ref);
			spin_unlock(&srpt_hcas_lock);
			return p;
		}
	}
	spin_unlock(&srpt_hcas_lock);
	return NULL;
}

/* Longest line srpt_walk_sessions() produces, with room to spare. */
#define SRPT_SESSION_LINE	256

/**
 * srpt_walk_sessions() - describe every channel of every port, one line each
 * @emit: called with each line; runs under a spinlock and RCU, must not
 *	  sleep
 * @arg:  passed to @emit
 *
 * Line format: <dev>-<port> <session name> <state> i_port_id=0x<id>
 * qp=<n> ius=<n> bad_ius=<n> waiting=<n> sq_avail=<n>, newline
 * terminated. waiting counts IUs held back (before the connection is
 * established, or for want of a tag), sq_avail the free send queue
 * slots: a stalled channel shows where its commands are. Both are read
 * without the completion thread's locking, as a snapshot.
 */
void srpt_walk_sessions(void (*emit)(void *arg, const char *line), void *arg)
{
	char line[SRPT_SESSION_LINE];
	struct srpt_nexus *nx;
	struct srpt_chan *ch;
	struct srpt_hca *hca;
	u32 i;

	spin_lock(&srpt_hcas_lock);
	rcu_read_lock();
	list_for_each_entry(hca, &srpt_hcas, entry) {
		for (i = 0; i < hca->nports; i++) {
			struct srpt_port *p = &hca->ports[i];

			list_for_each_entry_rcu(nx, &p->nexuses, entry) {
				list_for_each_entry_rcu(ch, &nx->chans, entry) {
					scnprintf(line, sizeof(line),
						  "%s-%u %s %s i_port_id=0x%16phN qp=%u ius=%lld bad_ius=%lld waiting=%u sq_avail=%d\n",
						  dev_name(&hca->dev->dev),
						  p->num, ch->name,
						  srpt_state_name(READ_ONCE(ch->state)),
						  nx->i_id, ch->qp_num,
						  atomic64_read(&ch->stat_ius),
						  atomic64_read(&ch->stat_bad_ius),
						  READ_ONCE(ch->nr_pending),
						  atomic_read(&ch->sq_avail));
					emit(arg, line);
				}
			}
		}
	}
	rcu_read_unlock();
	spin_unlock(&srpt_hcas_lock);
}

/**
 * srpt_port_set_enabled() - allow or stop logins on a port
 * @port: port; caller holds port->lock
 * @on:	  new setting; disabling disconnects every channel
 */
void srpt_port_set_enabled(struct srpt_port *port, bool on)
{
	lockdep_assert_held(&port->lock);
	if (port->enabled == on)
		return;
	WRITE_ONCE(port->enabled, on);
	if (!on)
		srpt_port_close_all(port);
}

static int srpt_port_refresh(struct srpt_port *port)
{
	int ret;

	ret = rdma_query_gid(port->hca->dev, port->num, 0, &port->gid);
	if (ret)
		return ret;
	srpt_fmt_guid_name(port->guid_name, sizeof(port->guid_name),
			   port->gid.raw);
	srpt_fmt_gid_name(port->gid_name, sizeof(port->gid_name),
			  port->gid.raw);
	return 0;
}

static void srpt_port_refresh_work(struct work_struct *w)
{
	srpt_port_refresh(container_of(w, struct srpt_port, refresh));
}

static void srpt_async_event(struct ib_event_handler *h, struct ib_event *ev)
{
	struct srpt_hca *hca = container_of(h, struct srpt_hca, event_handler);
	u32 pnum = ev->element.port_num;

	switch (ev->event) {
	case IB_EVENT_PORT_ACTIVE:
	case IB_EVENT_LID_CHANGE:
	case IB_EVENT_PKEY_CHANGE:
	case IB_EVENT_SM_CHANGE:
	case IB_EVENT_CLIENT_REREGISTER:
	case IB_EVENT_GID_CHANGE:
		if (pnum >= 1 && pnum <= hca->nports)
			schedule_work(&hca->ports[pnum - 1].refresh);
		break;
	default:
		pr_debug("%s: async event %s\n", dev_name(&hca->dev->dev),
			 ib_event_msg(ev->event));
		break;
	}
}

static void srpt_srq_event(struct ib_event *ev, void *ctx)
{
	pr_debug("SRQ event %s\n", ib_event_msg(ev->event));
}

/*
 * The SRQ's buffers are only freed when the device let go of the SRQ: a
 * QP still attached to it (-EBUSY) could DMA into freed pages. Logins
 * count in live_chans before they read hca->srq, so callers that waited
 * for live_chans never see that; it is reported, and the buffers leaked,
 * rather than trusted.
 */
static int srpt_srq_free(struct srpt_hca *hca)
{
	int ret;

	if (!hca->srq)
		return 0;
	ret = ib_destroy_srq_user(hca->srq, NULL);
	if (ret) {
		pr_err("%s: destroying the SRQ failed: %d, keeping its buffers\n",
		       dev_name(&hca->dev->dev), ret);
		return ret;
	}
	hca->srq = NULL;
	srpt_ring_free(hca, (void **)hca->srq_ring, hca->srq_size,
		       hca->srq_pool, DMA_FROM_DEVICE);
	hca->srq_ring = NULL;
	srpt_pool_put(hca->srq_pool);
	hca->srq_pool = NULL;
	return 0;
}

static int srpt_srq_alloc(struct srpt_hca *hca)
{
	struct ib_srq_init_attr ia = {
		.event_handler = srpt_srq_event,
		.srq_context = hca,
		.attr.max_wr = hca->srq_size,
		.attr.max_sge = 1,
		.srq_type = IB_SRQT_BASIC,
	};
	struct ib_srq *srq;
	u32 i;

	srq = ib_create_srq(hca->pd, &ia);
	if (IS_ERR(srq))
		return PTR_ERR(srq);
	hca->srq_pool = srpt_pool_get(srp_max_req_size);
	if (!hca->srq_pool)
		goto fail;
	hca->srq_ring = (struct srpt_recv_ioctx **)
		srpt_ring_alloc(hca, hca->srq_size,
				sizeof(struct srpt_recv_ioctx),
				hca->srq_pool, 0, DMA_FROM_DEVICE);
	if (!hca->srq_ring)
		goto fail;
	hca->srq = srq;
	for (i = 0; i < hca->srq_size; i++) {
		INIT_LIST_HEAD(&hca->srq_ring[i]->pending);
		srpt_post_srq_recv(hca, hca->srq_ring[i]);
	}
	return 0;
fail:
	srpt_pool_put(hca->srq_pool);
	hca->srq_pool = NULL;
	ib_destroy_srq(srq);
	return -ENOMEM;
}

/**
 * srpt_hca_set_srq() - switch the HCA between per-channel rings and SRQ
 * @hca: device; its ports must have no channels (caller disabled them)
 * @on:	 use the shared receive queue for new channels
 *
 * Return: 0; -EBUSY while a port has channels or logins; or the error of
 * creating or destroying the SRQ.
 */
int srpt_hca_set_srq(struct srpt_hca *hca, bool on)
{
	u32 i;
	int ret = 0;

	mutex_lock(&hca->srq_lock);
	for (i = 0; i < hca->nports; i++) {
		if (atomic_read(&hca->ports[i].live_chans)) {
			ret = -EBUSY;
			goto out;
		}
	}
	if (!on)
		ret = srpt_srq_free(hca);
	else if (!hca->srq)
		ret = srpt_srq_alloc(hca);
out:
	mutex_unlock(&hca->srq_lock);
	return ret;
}

static int srpt_add_one(struct ib_device *dev)
{
	struct srpt_hca *hca;
	u32 i;
	int ret;

	hca = kzalloc(struct_size(hca, ports, dev->phys_port_cnt), GFP_KERNEL);
	if (!hca)
		return -ENOMEM;
	kref_init(&hca->ref);
	hca->dev = dev;
	hca->nports = dev->phys_port_cnt;
	mutex_init(&hca->srq_lock);
	hca->srq_size = min_t(u32, srpt_srq_size, dev->attrs.max_srq_wr);

	hca->pd = ib_alloc_pd(dev, 0);
	if (IS_ERR(hca->pd)) {
		ret = PTR_ERR(hca->pd);
		goto free;
	}
	hca->lkey = hca->pd->local_dma_lkey;

	if (!srpt_service_guid)
		srpt_service_guid = be64_to_cpu(dev->node_guid);

	for (i = 0; i < hca->nports; i++) {
		struct srpt_port *p = &hca->ports[i];

		p->hca = hca;
		p->num = i + 1;
		mutex_init(&p->lock);
		mutex_init(&p->name_lock);
		INIT_LIST_HEAD(&p->nexuses);
		init_waitqueue_head(&p->chans_gone);
		INIT_WORK(&p->refresh, srpt_port_refresh_work);
		p->attr.max_rdma_size = SRPT_RDMA_SIZE_DEFAULT;
		p->attr.max_rsp_size = SRPT_RSP_SIZE_DEFAULT;
		p->attr.sq_size = SRPT_SQ_DEFAULT;
		p->attr.use_srq = false;
		ret = srpt_port_refresh(p);
		if (ret) {
			pr_err("%s-%u: reading GID failed: %d\n",
			       dev_name(&dev->dev), p->num, ret);
			goto dealloc_pd;
		}
	}

	/*
	 * IB CM logins wherever the device speaks the IB CM: InfiniBand and
	 * also RoCE (the in-tree driver: InfiniBand only). An initiator on
	 * RoCE normally uses the RDMA CM; the IB CM listener there costs
	 * nothing and lets the IB CM login path be tested on rdma_rxe.
	 */
	if (rdma_cap_ib_cm(dev, 1)) {
		hca->cm_id = ib_create_cm_id(dev, srpt_ib_cm_handler, hca);
		if (IS_ERR(hca->cm_id)) {
			ret = PTR_ERR(hca->cm_id);
			hca->cm_id = NULL;
			goto dealloc_pd;
		}
		ret = ib_cm_listen(hca->cm_id, cpu_to_be64(srpt_service_guid));
		if (ret) {
			pr_err("%s: IB CM listen failed: %d\n",
			       dev_name(&dev->dev), ret);
			goto destroy_cm;
		}
	}

	for (i = 0; i < hca->nports; i++)
		srpt_dm_register(&hca->ports[i]);

	INIT_IB_EVENT_HANDLER(&hca->event_handler, dev, srpt_async_event);
	ib_register_event_handler(&hca->event_handler);

	spin_lock(&srpt_hcas_lock);
	list_add_tail(&hca->entry, &srpt_hcas);
	spin_unlock(&srpt_hcas_lock);
	ib_set_client_data(dev, &srpt_client, hca);
	pr_info("added %s, port 1 %s / %s; login with id_ext=%016llx,ioc_guid=%016llx\n",
		dev_name(&dev->dev), hca->ports[0].guid_name,
		hca->ports[0].gid_name, srpt_service_guid, srpt_service_guid);
	return 0;

destroy_cm:
	ib_destroy_cm_id(hca->cm_id);
dealloc_pd:
	ib_dealloc_pd(hca->pd);
free:
	srpt_hca_put(hca);
	return ret;
}

static void srpt_remove_one(struct ib_device *dev, void *data)
{
	struct srpt_hca *hca = data;
	u32 i;

	ib_unregister_event_handler(&hca->event_handler);
	for (i = 0; i < hca->nports; i++) {
		srpt_dm_unregister(&hca->ports[i]);
		cancel_work_sync(&hca->ports[i].refresh);
	}
	/* No new IB CM logins; RDMA CM ones find no client data. */
	if (hca->cm_id)
		ib_destroy_cm_id(hca->cm_id);
	ib_set_client_data(dev, &srpt_client, NULL);

	spin_lock(&srpt_hcas_lock);
	list_del(&hca->entry);
	spin_unlock(&srpt_hcas_lock);

	for (i = 0; i < hca->nports; i++) {
		struct srpt_port *p = &hca->ports[i];

		mutex_lock(&p->lock);
		srpt_port_set_enabled(p, false);
		mutex_unlock(&p->lock);
		srpt_port_wait_chans(p);
	}
	srpt_srq_free(hca);
	ib_dealloc_pd(hca->pd);
	pr_info("removed %s\n", dev_name(&dev->dev));
	srpt_hca_put(hca);
}

static struct ib_client srpt_client = {
	.name	= KBUILD_MODNAME,
	.add	= srpt_add_one,
	.remove	= srpt_remove_one,
};

static int __init srpt_init(void)
{
	int ret;

	if (srp_max_req_size < SRPT_REQ_SIZE_MIN) {
		pr_err("srp_max_req_size %u is below the minimum %u\n",
		       srp_max_req_size, SRPT_REQ_SIZE_MIN);
		return -EINVAL;
	}
	if (srpt_srq_size < SRPT_SRQ_MIN || srpt_srq_size > SRPT_SRQ_MAX) {
		pr_err("srpt_srq_size %d is outside %u..%u\n",
		       srpt_srq_size, SRPT_SRQ_MIN, SRPT_SRQ_MAX);
		return -EINVAL;
	}
	/* Channel releases may block on backends: let them run in parallel. */
	srpt_wq = alloc_workqueue("srpt_release", WQ_UNBOUND, 0);
	if (!srpt_wq)
		return -ENOMEM;
	ret = target_register_template(&srpt_fabric_ops);
	if (ret)
		goto destroy_wq;
	ret = ib_register_client(&srpt_client);
	if (ret)
		goto unregister_fabric;
	srpt_debugfs_init();
	/* Not fatal: configfs discovery_auth/rdma_cm_port can retry. */
	if (rdma_cm_port && srpt_cm_listen_rdma(rdma_cm_port))
		pr_warn("no RDMA CM listener on port %u yet\n",
			rdma_cm_port);
	return 0;

unregister_fabric:
	target_unregister_template(&srpt_fabric_ops);
destroy_wq:
	destroy_workqueue(srpt_wq);
	return ret;
}

static void __exit srpt_exit(void)
{
	srpt_debugfs_exit();
	srpt_cm_stop_rdma();
	ib_unregister_client(&srpt_client);
	target_unregister_template(&srpt_fabric_ops);
	destroy_workqueue(srpt_wq);
}

module_init(srpt_init);
module_exit(srpt_exit);

MODULE_DESCRIPTION("keel SCSI RDMA Protocol target (LIO fabric srpt)");
MODULE_LICENSE("GPL");
MODULE_VERSION(KEEL_VERSION);
