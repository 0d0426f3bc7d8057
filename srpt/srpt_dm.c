// SPDX-License-Identifier: GPL-2.0
/*
 * keel ib_srpt: device management (DM) MADs.
 *
 * Initiators discover SRP targets by asking each port's device management
 * agent (IBTA 1.x, chapter 16.3) three questions: which I/O controller
 * slots are populated (IOUnitInfo), what the controller in a slot is
 * (IOControllerProfile: an SRP target, its GUID, queue depths, transfer
 * sizes) and which services it offers (ServiceEntries: one, named
 * "SRP.T10:<ioc guid>"). srp_daemon and ibsrpdm turn the answers into
 * ib_srp add_target lines. This agent answers them, plus ClassPortInfo.
 * One I/O controller, in slot 1, with one service entry.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <rdma/ib_mad.h>
#include <rdma/ib_verbs.h>
#include "srpt.h"
#include "srpt_dm.h"

/* IOControllerProfile values identifying an SRP target */
#define SRPT_IOC_CLASS_SRP	0x0100
#define SRPT_IOC_SUBCLASS_SRP	0x609e	/* T10's organisation ID */
#define SRPT_IOC_PROTOCOL_SRP	0x0108
#define SRPT_IOC_PROTOCOL_VER	0x0001
/* op_cap_mask: sends both ways, RDMA READ and WRITE issued by us */
#define SRPT_IOC_OP_CAPS	0x0f

#define SRPT_DM_SLOT		1	/* our only controller's slot */

static void srpt_dm_iou_info(struct srpt_dm_iou *iou)
{
	iou->change = cpu_to_be16(1);
	iou->nslots = SRPT_DM_SLOTS;
	/* slot 1 present (1), every other slot empty (0) */
	iou->slots[0] = 1 << 4;
}

static u16 srpt_dm_ioc_profile(struct srpt_port *port, u32 slot,
			       struct srpt_dm_ioc *ioc)
{
	const struct ib_device_attr *a = &port->hca->dev->attrs;

	if (!slot || slot > SRPT_DM_SLOTS)
		return SRPT_DM_ST_BAD_FIELD;
	if (slot != SRPT_DM_SLOT)
		return SRPT_DM_ST_NO_IOC;
	ioc->ioc_guid = cpu_to_be64(srpt_service_guid);
	ioc->vendor = cpu_to_be32(a->vendor_id);
	ioc->device = cpu_to_be32(a->vendor_part_id);
	ioc->hw_version = cpu_to_be16(a->hw_ver);
	ioc->subsys_vendor = cpu_to_be32(a->vendor_id);
	ioc->subsys_device = cpu_to_be32(1);
	ioc->cls = cpu_to_be16(SRPT_IOC_CLASS_SRP);
	ioc->subcls = cpu_to_be16(SRPT_IOC_SUBCLASS_SRP);
	ioc->proto = cpu_to_be16(SRPT_IOC_PROTOCOL_SRP);
	ioc->proto_ver = cpu_to_be16(SRPT_IOC_PROTOCOL_VER);
	/* what a login is granted: the channel's credits */
	ioc->sq_depth = cpu_to_be16(min_t(u32, SRPT_RQ_DEPTH_MAX,
						  a->max_qp_wr));
	ioc->rd_depth = 4;
	ioc->max_send = cpu_to_be32(srp_max_req_size);
	ioc->max_rdma = cpu_to_be32(READ_ONCE(port->attr.max_rdma_size));
	ioc->ops = SRPT_IOC_OP_CAPS;
	ioc->nsvc = 1;
	strscpy(ioc->ident, "keel SRP target", sizeof(ioc->ident));
	return 0;
}

/* attribute modifier: slot << 16 | last entry << 8 | first entry */
static u16 srpt_dm_svc_entries(u32 mod, struct srpt_dm_svc *svc)
{
	u32 slot = mod >> 16, hi = (mod >> 8) & 0xff, lo = mod & 0xff;

	if (!slot || slot > SRPT_DM_SLOTS || hi < lo || hi - lo > 3)
		return SRPT_DM_ST_BAD_FIELD;
	if (slot != SRPT_DM_SLOT)
		return SRPT_DM_ST_NO_IOC;
	if (hi > 0)	/* we have entry 0 only */
		return SRPT_DM_ST_BAD_FIELD;
	snprintf(svc->name, sizeof(svc->name), "SRP.T10:%016llx",
		 srpt_service_guid);
	svc->sid = cpu_to_be64(srpt_service_guid);
	return 0;
}

static void srpt_dm_class_port_info(struct ib_class_port_info *cpi)
{
	cpi->base_version = IB_MGMT_BASE_VERSION;
	cpi->class_version = SRPT_DM_CLASS_VERSION;
	/* response time value 20: about 4 s */
	ib_set_cpi_resp_time(cpi, 20);
}

/* Fill in @rsp for the Get in @req; returns the MAD status. */
static u16 srpt_dm_answer(struct srpt_port *port, const struct srpt_dm_mad *req,
			  struct srpt_dm_mad *rsp)
{
	u32 mod = be32_to_cpu(req->hdr.attr_mod);

	if (req->hdr.method != IB_MGMT_METHOD_GET)
		return SRPT_DM_ST_BAD_ATTR;	/* Set: nothing is settable */
	switch (be16_to_cpu(req->hdr.attr_id)) {
	case SRPT_DM_ATTR_CLASS_PORT_INFO:
		srpt_dm_class_port_info((void *)rsp->data);
		return 0;
	case SRPT_DM_ATTR_IOU_INFO:
		srpt_dm_iou_info((void *)rsp->data);
		return 0;
	case SRPT_DM_ATTR_IOC_PROFILE:
		return srpt_dm_ioc_profile(port, mod, (void *)rsp->data);
	case SRPT_DM_ATTR_SVC_ENTRIES:
		return srpt_dm_svc_entries(mod, (void *)rsp->data);
	default:
		return SRPT_DM_ST_BAD_ATTR;
	}
}

static void srpt_dm_recv(struct ib_mad_agent *agent,
			 struct ib_mad_send_buf *send_buf,
			 struct ib_mad_recv_wc *wc)
{
	struct srpt_port *port = agent->context;
	const struct srpt_dm_mad *req = (const void *)wc->recv_buf.mad;
	struct ib_mad_send_buf *rsp;
	struct srpt_dm_mad *out;
	struct ib_ah *ah;
	u16 status;

	if (req->hdr.mgmt_class != IB_MGMT_CLASS_DEVICE_MGMT)
		goto free;
	ah = ib_create_ah_from_wc(agent->qp->pd, wc->wc, wc->recv_buf.grh,
				  agent->port_num);
	if (IS_ERR(ah)) {
		pr_warn_ratelimited("%s-%u: no address handle for a DM reply: %ld\n",
				    dev_name(&port->hca->dev->dev), port->num,
				    PTR_ERR(ah));
		goto free;
	}
	rsp = ib_create_send_mad(agent, wc->wc->src_qp, wc->wc->pkey_index, 0,
				 IB_MGMT_DEVICE_HDR, IB_MGMT_DEVICE_DATA,
				 GFP_KERNEL, IB_MGMT_BASE_VERSION);
	if (IS_ERR(rsp)) {
		rdma_destroy_ah(ah, RDMA_DESTROY_AH_SLEEPABLE);
		goto free;
	}
	rsp->ah = ah;
	out = rsp->mad;
	memset(out, 0, sizeof(*out));
	out->hdr = req->hdr;
	out->hdr.method = IB_MGMT_METHOD_GET_RESP;
	status = srpt_dm_answer(port, req, out);
	out->hdr.status = cpu_to_be16(status);
	if (status)
		pr_debug("%s-%u: DM %s of attribute %#x (modifier %#x): status %#x\n",
			 dev_name(&port->hca->dev->dev), port->num,
			 req->hdr.method == IB_MGMT_METHOD_GET ? "Get" : "Set",
			 be16_to_cpu(req->hdr.attr_id),
			 be32_to_cpu(req->hdr.attr_mod), status);
	if (ib_post_send_mad(rsp, NULL)) {
		ib_free_send_mad(rsp);
		rdma_destroy_ah(ah, RDMA_DESTROY_AH_SLEEPABLE);
	}
free:
	ib_free_recv_mad(wc);
}

static void srpt_dm_sent(struct ib_mad_agent *agent,
			 struct ib_mad_send_wc *wc)
{
	rdma_destroy_ah(wc->send_buf->ah, RDMA_DESTROY_AH_SLEEPABLE);
	ib_free_send_mad(wc->send_buf);
}

/**
 * srpt_dm_register() - start answering DM MADs on a port
 * @port: port
 *
 * Sets the port's DeviceManagementSupported capability bit and registers
 * a GSI agent for the DM class. Neither is fatal: without them the port
 * still takes logins from initiators told where the target is (and SR-IOV
 * virtual functions cannot set capability bits).
 */
void srpt_dm_register(struct srpt_port *port)
{
	struct ib_device *dev = port->hca->dev;
	struct ib_port_modify pm = {
		.set_port_cap_mask = IB_PORT_DEVICE_MGMT_SUP,
	};
	struct ib_mad_reg_req reg = {
		.mgmt_class = IB_MGMT_CLASS_DEVICE_MGMT,
		.mgmt_class_version = SRPT_DM_CLASS_VERSION,
	};
	struct ib_mad_agent *agent;
	int ret;

	if (!rdma_cap_ib_mad(dev, port->num))
		return;
	ret = ib_modify_port(dev, port->num, 0, &pm);
	if (ret) {
		pr_info("%s-%u: no device management (setting the capability failed: %d)\n",
			dev_name(&dev->dev), port->num, ret);
		return;
	}
	set_bit(IB_MGMT_METHOD_GET, reg.method_mask);
	set_bit(IB_MGMT_METHOD_SET, reg.method_mask);
	agent = ib_register_mad_agent(dev, port->num, IB_QPT_GSI, &reg, 0,
				      srpt_dm_sent, srpt_dm_recv, port, 0);
	if (IS_ERR(agent)) {
		pr_info("%s-%u: no device management (MAD agent: %ld)\n",
			dev_name(&dev->dev), port->num, PTR_ERR(agent));
		pm.set_port_cap_mask = 0;
		pm.clr_port_cap_mask = IB_PORT_DEVICE_MGMT_SUP;
		ib_modify_port(dev, port->num, 0, &pm);
		return;
	}
	port->dm_agent = agent;
}

/**
 * srpt_dm_unregister() - stop answering DM MADs on a port
 * @port: port
 *
 * Waits for the agent's handlers to finish.
 */
void srpt_dm_unregister(struct srpt_port *port)
{
	struct ib_port_modify pm = {
		.clr_port_cap_mask = IB_PORT_DEVICE_MGMT_SUP,
	};

	if (!port->dm_agent)
		return;
	ib_modify_port(port->hca->dev, port->num, 0, &pm);
	ib_unregister_mad_agent(port->dm_agent);
	port->dm_agent = NULL;
}
