// SPDX-License-Identifier: GPL-2.0
/*
 * srpt_ibcm_test: a minimal SRP initiator that logs in to ib_srpt over the
 * IB CM instead of the RDMA CM. Test helper, not shipped by DKMS.
 *
 * ib_srp can only use the IB CM on InfiniBand links: it needs a subnet
 * administrator path query, which RoCE ports do not answer. The IB CM
 * itself works on RoCE (the RDMA CM runs on top of it), so this module
 * builds the RoCE path record by hand, the way the RDMA CM does, and sends
 * an IB CM REQ carrying an SRP_LOGIN_REQ to the service ID ib_srpt listens
 * on. That exercises ib_srpt's IB CM login, QP transitions (the attributes
 * come from ib_cm_init_qp_attr() instead of the RDMA CM), DREQ/DREP and
 * rejects on an rdma_rxe device.
 *
 * Loading it logs in (init fails with -ECONNREFUSED and a log line giving
 * the SRP reject reason when the target refuses), then, with io=1, sends
 * TEST UNIT READY, a WRITE(10) of a random pattern and a READ(10) of the
 * same blocks, and fails unless the data read back equals the data written.
 * The login stays up while the module is loaded; unloading disconnects.
 *
 * With dm=1 it logs in nowhere and instead asks the port's device
 * management agent what srp_daemon asks (ClassPortInfo, IOUnitInfo,
 * IOControllerProfile, ServiceEntries) plus requests that must be refused,
 * over the GSI QP to its own GID, and fails unless every answer is right.
 * While loaded it holds a reference on the RDMA device: unload it before
 * removing the device.
 */
#include <linux/module.h>
#include <linux/random.h>
#include <linux/etherdevice.h>
#include "srpt_compat.h"
#include <rdma/ib_verbs.h>
#include <rdma/ib_cm.h>
#include <rdma/ib_cache.h>
#include <rdma/ib_addr.h>
#include <rdma/ib_mad.h>
#include <scsi/srp.h>
#include "srpt_dm.h"

#define TST "srpt_ibcm_test"
#define TST_BUF_SIZE	4096
#define TST_IO_BLOCKS	8		/* 512-byte blocks per WRITE/READ */
#define TST_IO_LBA	2048
#define TST_TIMEOUT	(10 * HZ)

static char *dev_name_param;
module_param_named(dev, dev_name_param, charp, 0444);
MODULE_PARM_DESC(dev, "RDMA device to log in through (required)");

static int gid_index;
module_param(gid_index, int, 0444);
MODULE_PARM_DESC(gid_index, "source and destination GID index on port 1 (default 0)");

static unsigned long long id_ext;
module_param(id_ext, ullong, 0444);
MODULE_PARM_DESC(id_ext, "first half of the target port ID (ib_srpt's srpt_service_guid)");

static unsigned long long ioc_guid;
module_param(ioc_guid, ullong, 0444);
MODULE_PARM_DESC(ioc_guid, "second half of the target port ID");

static unsigned long long service_id;
module_param(service_id, ullong, 0444);
MODULE_PARM_DESC(service_id, "IB CM service ID (default: ioc_guid)");

static unsigned int it_iu_len = 512;
module_param(it_iu_len, uint, 0444);
MODULE_PARM_DESC(it_iu_len, "requested maximum initiator-to-target IU length");

static bool io = true;
module_param(io, bool, 0444);
MODULE_PARM_DESC(io, "after login, write and read back LUN 0 (default 1)");

static bool dm;
module_param(dm, bool, 0444);
MODULE_PARM_DESC(dm, "query the device management agent instead of logging in");

/* state of the one connection this module makes */
struct tst_conn {
	struct ib_device *dev;
	const struct ib_gid_attr *sgid;
	struct ib_pd *pd;
	struct ib_cq *cq;
	struct ib_qp *qp;
	struct ib_cm_id *cm;

	struct completion login_done;	/* REP handled, REJ or timeout */
	struct completion disc_done;	/* DREQ/DREP exchange over */
	int login_status;
	u32 rej_reason;			/* SRP_LOGIN_REJ reason, if any */
	bool connected;

	struct ib_cqe send_cqe, recv_cqe;
	struct completion send_comp, recv_comp;
	enum ib_wc_status send_st, recv_st;
	u32 recv_len;

	struct ib_mad_agent *dm_agent;	/* dm=1: DM queries */
	struct ib_ah *dm_ah;
	struct completion dm_done;
	enum ib_wc_status dm_st;
	struct srpt_dm_mad dm_rsp;
	u32 dm_tid;

	void *iu_out, *iu_in, *data;	/* TST_BUF_SIZE each */
	u64 dma_out, dma_in, dma_data;
	u64 tag;
};

static struct tst_conn *tst;

static void tst_send_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct tst_conn *c = cq->cq_context;

	c->send_st = wc->status;
	complete(&c->send_comp);
}

static void tst_recv_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct tst_conn *c = cq->cq_context;

	c->recv_st = wc->status;
	c->recv_len = wc->byte_len;
	complete(&c->recv_comp);
}

static int tst_post_recv(struct tst_conn *c)
{
	struct ib_sge sge = {
		.addr = c->dma_in, .length = TST_BUF_SIZE,
		.lkey = c->pd->local_dma_lkey,
	};
	struct ib_recv_wr wr = { .wr_cqe = &c->recv_cqe, .sg_list = &sge,
				 .num_sge = 1 };

	reinit_completion(&c->recv_comp);
	return ib_post_recv(c->qp, &wr, NULL);
}

static int tst_qp_to(struct tst_conn *c, enum ib_qp_state state)
{
	struct ib_qp_attr attr = { .qp_state = state };
	int mask, ret;

	ret = ib_cm_init_qp_attr(c->cm, &attr, &mask);
	if (ret)
		return ret;
	return ib_modify_qp(c->qp, &attr, mask);
}

/* REP: check the SRP_LOGIN_RSP, bring the QP up, confirm with RTU. */
static void tst_rep(struct tst_conn *c, const struct ib_cm_event *ev)
{
	const struct srp_login_rsp *rsp = ev->private_data;
	int ret;

	if (!rsp || rsp->opcode != SRP_LOGIN_RSP) {
		pr_err(TST ": REP without an SRP_LOGIN_RSP\n");
		c->login_status = -EPROTO;
		ib_send_cm_rej(c->cm, IB_CM_REJ_CONSUMER_DEFINED, NULL, 0,
			       NULL, 0);
		return;
	}
	pr_info(TST ": login accepted: req_lim_delta %u, max_it_iu_len %u, max_ti_iu_len %u, flags %#x\n",
		be32_to_cpu(rsp->req_lim_delta),
		be32_to_cpu(rsp->max_it_iu_len),
		be32_to_cpu(rsp->max_ti_iu_len), rsp->rsp_flags);
	ret = tst_qp_to(c, IB_QPS_RTR);
	if (!ret)
		ret = tst_qp_to(c, IB_QPS_RTS);
	if (!ret)
		ret = ib_send_cm_rtu(c->cm, NULL, 0);
	if (ret) {
		pr_err(TST ": bringing the QP up failed: %d\n", ret);
		c->login_status = ret;
		ib_send_cm_rej(c->cm, IB_CM_REJ_CONSUMER_DEFINED, NULL, 0,
			       NULL, 0);
		return;
	}
	c->connected = true;
	c->login_status = 0;
}

static int tst_cm_handler(struct ib_cm_id *id, const struct ib_cm_event *ev)
{
	struct tst_conn *c = id->context;
	const struct srp_login_rej *rej;

	switch (ev->event) {
	case IB_CM_REP_RECEIVED:
		tst_rep(c, ev);
		complete(&c->login_done);
		break;
	case IB_CM_REJ_RECEIVED:
		rej = ev->private_data;
		if (ev->param.rej_rcvd.reason == IB_CM_REJ_CONSUMER_DEFINED &&
		    rej && rej->opcode == SRP_LOGIN_REJ) {
			c->rej_reason = be32_to_cpu(rej->reason);
			pr_info(TST ": login rejected: SRP reason %#x\n",
				c->rej_reason);
		} else {
			pr_info(TST ": login rejected: IB CM reason %d\n",
				ev->param.rej_rcvd.reason);
		}
		c->connected = false;
		c->login_status = -ECONNREFUSED;
		complete(&c->login_done);
		complete(&c->disc_done);
		break;
	case IB_CM_REQ_ERROR:
	case IB_CM_REP_ERROR:
		pr_info(TST ": no answer from the target (event %d)\n",
			ev->event);
		c->login_status = -ETIMEDOUT;
		complete(&c->login_done);
		break;
	case IB_CM_DREQ_RECEIVED:
		pr_info(TST ": target disconnected\n");
		c->connected = false;
		ib_send_cm_drep(id, NULL, 0);
		complete(&c->disc_done);
		break;
	case IB_CM_DREP_RECEIVED:
	case IB_CM_DREQ_ERROR:
	case IB_CM_TIMEWAIT_EXIT:
		c->connected = false;
		complete(&c->disc_done);
		break;
	default:
		break;
	}
	return 0;
}

/* MAC and MTU of the netdev behind our GID (RoCE) */
static int tst_gid_netdev(struct tst_conn *c, u8 *mac, int *mtu)
{
	struct net_device *ndev;

	rcu_read_lock();
	ndev = rdma_read_gid_attr_ndev_rcu(c->sgid);
	if (IS_ERR(ndev)) {
		rcu_read_unlock();
		pr_err(TST ": GID %d has no netdev (not a RoCE port?)\n",
		       gid_index);
		return PTR_ERR(ndev);
	}
	ether_addr_copy(mac, ndev->dev_addr);
	*mtu = ndev->mtu;
	rcu_read_unlock();
	return 0;
}

/* The RoCE path to ourselves: what the RDMA CM's route resolution makes. */
static int tst_fill_path(struct tst_conn *c, struct sa_path_rec *p)
{
	u8 mac[ETH_ALEN];
	int mtu, ret;

	ret = tst_gid_netdev(c, mac, &mtu);
	if (ret)
		return ret;
	memset(p, 0, sizeof(*p));
	p->rec_type = sa_conv_gid_to_pathrec_type(c->sgid->gid_type);
	p->sgid = c->sgid->gid;
	p->dgid = c->sgid->gid;
	p->hop_limit = 64;
	p->reversible = 1;
	p->pkey = cpu_to_be16(0xffff);
	p->mtu_selector = IB_SA_EQ;
	p->mtu = iboe_get_mtu(mtu);
	p->rate_selector = IB_SA_EQ;
	p->rate = IB_RATE_PORT_CURRENT;
	p->packet_life_time_selector = IB_SA_EQ;
	p->packet_life_time = 16;
	p->roce.route_resolved = true;
	sa_path_set_dmac(p, mac);
	return p->mtu ? 0 : -EINVAL;
}

static int tst_login(struct tst_conn *c)
{
	struct ib_qp_attr attr = { };
	struct ib_cm_req_param req = { };
	struct srp_login_req lr = { };
	struct sa_path_rec path;
	int ret;

	ret = tst_fill_path(c, &path);
	if (ret)
		return ret;

	attr.qp_state = IB_QPS_INIT;
	attr.port_num = 1;
	attr.qp_access_flags = IB_ACCESS_REMOTE_READ | IB_ACCESS_REMOTE_WRITE;
	ret = ib_find_cached_pkey(c->dev, 1, 0xffff, &attr.pkey_index);
	if (ret)
		return ret;
	ret = ib_modify_qp(c->qp, &attr, IB_QP_STATE | IB_QP_PKEY_INDEX |
			   IB_QP_PORT | IB_QP_ACCESS_FLAGS);
	if (ret)
		return ret;
	ret = tst_post_recv(c);
	if (ret)
		return ret;

	lr.opcode = SRP_LOGIN_REQ;
	lr.tag = 1;
	lr.req_it_iu_len = cpu_to_be32(it_iu_len);
	lr.req_buf_fmt = cpu_to_be16(SRP_BUF_FORMAT_DIRECT |
				     SRP_BUF_FORMAT_INDIRECT);
	lr.req_flags = SRP_MULTICHAN_SINGLE;
	/* the initiator port ID is our own GID */
	memcpy(lr.initiator_port_id, c->sgid->gid.raw, 16);
	put_unaligned_be64(id_ext, &lr.target_port_id[0]);
	put_unaligned_be64(ioc_guid, &lr.target_port_id[8]);

	req.primary_path = &path;
	req.ppath_sgid_attr = c->sgid;
	req.service_id = cpu_to_be64(service_id ? service_id : ioc_guid);
	req.qp_num = c->qp->qp_num;
	req.qp_type = IB_QPT_RC;
	req.starting_psn = get_random_u32() & 0xffffff;
	req.private_data = &lr;
	req.private_data_len = sizeof(lr);
	req.responder_resources = 4;
	req.initiator_depth = 4;
	req.flow_control = 1;
	req.retry_count = 7;
	req.rnr_retry_count = 7;
	req.remote_cm_response_timeout = 20;
	req.local_cm_response_timeout = 20;
	req.max_cm_retries = 3;

	c->login_status = -ETIMEDOUT;
	ret = ib_send_cm_req(c->cm, &req);
	if (ret) {
		pr_err(TST ": sending the REQ failed: %d\n", ret);
		return ret;
	}
	if (!wait_for_completion_timeout(&c->login_done, 4 * TST_TIMEOUT))
		pr_err(TST ": no REP or REJ\n");
	return c->login_status;
}

/**
 * tst_command() - send one SRP_CMD and wait for its SRP_RSP
 * @c:	  connection
 * @cdb:  10-byte CDB
 * @out:  data-out length (from c->data), or 0
 * @in:	  data-in length (into c->data), or 0
 *
 * Return: the SCSI status (0 for GOOD), or a negative error when the
 * exchange itself failed.
 */
static int tst_command(struct tst_conn *c, const u8 *cdb, u32 out, u32 in)
{
	struct srp_cmd *cmd = c->iu_out;
	struct srp_direct_buf *db = (void *)cmd->add_data;
	const struct srp_rsp *rsp = c->iu_in;
	struct ib_sge sge = { .addr = c->dma_out, .lkey = c->pd->local_dma_lkey };
	struct ib_send_wr wr = { .wr_cqe = &c->send_cqe, .sg_list = &sge,
				 .num_sge = 1, .opcode = IB_WR_SEND,
				 .send_flags = IB_SEND_SIGNALED };
	u32 len = sizeof(*cmd);
	int ret;

	memset(cmd, 0, sizeof(*cmd) + sizeof(*db));
	cmd->opcode = SRP_CMD;
	cmd->tag = ++c->tag;
	memcpy(cmd->cdb, cdb, 10);
	if (out || in) {
		cmd->buf_fmt = out ? SRP_DATA_DESC_DIRECT << 4 :
				     SRP_DATA_DESC_DIRECT;
		db->va = cpu_to_be64(c->dma_data);
		db->key = cpu_to_be32(c->pd->unsafe_global_rkey);
		db->len = cpu_to_be32(out ? out : in);
		len += sizeof(*db);
	}
	sge.length = len;
	ib_dma_sync_single_for_device(c->dev, c->dma_out, len, DMA_TO_DEVICE);
	ib_dma_sync_single_for_device(c->dev, c->dma_data, TST_BUF_SIZE,
				      DMA_BIDIRECTIONAL);
	reinit_completion(&c->send_comp);
	ret = ib_post_send(c->qp, &wr, NULL);
	if (ret)
		return ret;
	if (!wait_for_completion_timeout(&c->send_comp, TST_TIMEOUT) ||
	    c->send_st != IB_WC_SUCCESS) {
		pr_err(TST ": SRP_CMD %#x: send failed (%s)\n", cdb[0],
		       ib_wc_status_msg(c->send_st));
		return -EIO;
	}
	if (!wait_for_completion_timeout(&c->recv_comp, TST_TIMEOUT) ||
	    c->recv_st != IB_WC_SUCCESS) {
		pr_err(TST ": SRP_CMD %#x: no response\n", cdb[0]);
		return -EIO;
	}
	ib_dma_sync_single_for_cpu(c->dev, c->dma_in, TST_BUF_SIZE,
				   DMA_FROM_DEVICE);
	ib_dma_sync_single_for_cpu(c->dev, c->dma_data, TST_BUF_SIZE,
				   DMA_BIDIRECTIONAL);
	if (c->recv_len < sizeof(*rsp) || rsp->opcode != SRP_RSP ||
	    rsp->tag != cmd->tag) {
		pr_err(TST ": SRP_CMD %#x: unexpected IU (%u bytes, opcode %#x)\n",
		       cdb[0], c->recv_len, rsp->opcode);
		return -EPROTO;
	}
	ret = rsp->status;
	if (ret)
		pr_info(TST ": SRP_CMD %#x: SCSI status %#x\n", cdb[0], ret);
	if (tst_post_recv(c))
		return -EIO;
	return ret;
}

static int tst_io(struct tst_conn *c)
{
	u8 tur[10] = { };
	u8 rw[10] = { };
	u32 len = TST_IO_BLOCKS * 512;
	u8 *pattern;
	int ret, i;

	/* a fresh nexus may report a unit attention first */
	for (i = 0; i < 3; i++) {
		ret = tst_command(c, tur, 0, 0);
		if (ret <= 0)
			break;
	}
	if (ret) {
		pr_err(TST ": TEST UNIT READY failed: %d\n", ret);
		return ret < 0 ? ret : -EIO;
	}

	pattern = kmalloc(len, GFP_KERNEL);
	if (!pattern)
		return -ENOMEM;
	get_random_bytes(pattern, len);
	memcpy(c->data, pattern, len);
	rw[0] = 0x2a;				/* WRITE(10) */
	put_unaligned_be32(TST_IO_LBA, &rw[2]);
	put_unaligned_be16(TST_IO_BLOCKS, &rw[7]);
	ret = tst_command(c, rw, len, 0);
	if (ret) {
		pr_err(TST ": WRITE(10) failed: %d\n", ret);
		goto out;
	}
	memset(c->data, 0, len);
	rw[0] = 0x28;				/* READ(10) */
	ret = tst_command(c, rw, 0, len);
	if (ret) {
		pr_err(TST ": READ(10) failed: %d\n", ret);
		goto out;
	}
	if (memcmp(c->data, pattern, len)) {
		pr_err(TST ": data read back differs from data written\n");
		ret = -EILSEQ;
		goto out;
	}
	pr_info(TST ": TEST UNIT READY, WRITE(10) and READ(10) of %u bytes: data verified\n",
		len);
out:
	kfree(pattern);
	return ret < 0 ? ret : (ret ? -EIO : 0);
}

/* ---- dm=1: questions an SRP discovery tool asks the DM agent ---- */

static void tst_dm_recv(struct ib_mad_agent *agent,
			struct ib_mad_send_buf *send_buf,
			struct ib_mad_recv_wc *wc)
{
	struct tst_conn *c = agent->context;

	memcpy(&c->dm_rsp, wc->recv_buf.mad, sizeof(c->dm_rsp));
	ib_free_recv_mad(wc);
}

/* for a request that expects a reply: runs after tst_dm_recv() */
static void tst_dm_sent(struct ib_mad_agent *agent,
			struct ib_mad_send_wc *wc)
{
	struct tst_conn *c = agent->context;

	c->dm_st = wc->status;
	complete(&c->dm_done);
}

/**
 * tst_dm_query() - one DM request to our own port, and its reply
 * @c:	    connection state (agent and address handle set up)
 * @method: IB_MGMT_METHOD_GET or _SET
 * @attr:   attribute ID
 * @mod:    attribute modifier
 *
 * Return: the reply's MAD status (reply in c->dm_rsp), or a negative
 * error when no reply came.
 */
static int tst_dm_query(struct tst_conn *c, u8 method, u16 attr, u32 mod)
{
	struct ib_mad_send_buf *msg;
	struct ib_mad_hdr *h;
	int ret;

	msg = ib_create_send_mad(c->dm_agent, 1, 0, 0, IB_MGMT_DEVICE_HDR,
				 IB_MGMT_DEVICE_DATA, GFP_KERNEL,
				 IB_MGMT_BASE_VERSION);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	msg->ah = c->dm_ah;
	msg->timeout_ms = 2000;
	msg->retries = 2;
	h = msg->mad;
	memset(msg->mad, 0, sizeof(struct srpt_dm_mad));
	h->base_version = IB_MGMT_BASE_VERSION;
	h->mgmt_class = IB_MGMT_CLASS_DEVICE_MGMT;
	h->class_version = 1;
	h->method = method;
	h->tid = cpu_to_be64((u64)c->dm_agent->hi_tid << 32 | ++c->dm_tid);
	h->attr_id = cpu_to_be16(attr);
	h->attr_mod = cpu_to_be32(mod);
	memset(&c->dm_rsp, 0, sizeof(c->dm_rsp));
	reinit_completion(&c->dm_done);
	ret = ib_post_send_mad(msg, NULL);
	if (ret) {
		ib_free_send_mad(msg);
		return ret;
	}
	wait_for_completion(&c->dm_done);	/* the MAD layer times out */
	ib_free_send_mad(msg);
	if (c->dm_st != IB_WC_SUCCESS) {
		pr_err(TST ": DM attribute %#x: no reply (%s)\n", attr,
		       ib_wc_status_msg(c->dm_st));
		return -ETIMEDOUT;
	}
	if (c->dm_rsp.hdr.method != IB_MGMT_METHOD_GET_RESP) {
		pr_err(TST ": DM attribute %#x: reply method %#x\n", attr,
		       c->dm_rsp.hdr.method);
		return -EPROTO;
	}
	return be16_to_cpu(c->dm_rsp.hdr.status);
}

#define TST_EXPECT(cond, ...)					\
	do {							\
		if (!(cond)) {					\
			pr_err(TST ": DM: " __VA_ARGS__);	\
			bad++;					\
		}						\
	} while (0)

/* The answers srp_daemon needs, then requests that must be refused. */
static int tst_dm(struct tst_conn *c)
{
	const struct srpt_dm_iou *iou = (const void *)c->dm_rsp.data;
	const struct srpt_dm_ioc *ioc = (const void *)c->dm_rsp.data;
	const struct srpt_dm_svc *svc = (const void *)c->dm_rsp.data;
	const struct ib_class_port_info *cpi = (const void *)c->dm_rsp.data;
	char want[40];
	int st, bad = 0;

	st = tst_dm_query(c, IB_MGMT_METHOD_GET, 0x0001, 0);
	if (st < 0)
		return st;
	TST_EXPECT(!st && cpi->base_version == 1 && cpi->class_version == 1,
		   "ClassPortInfo: status %#x, versions %u/%u\n", st,
		   cpi->base_version, cpi->class_version);

	st = tst_dm_query(c, IB_MGMT_METHOD_GET, 0x0010, 0);
	TST_EXPECT(!st && iou->nslots >= 1 &&
		   (iou->slots[0] >> 4) == 1,
		   "IOUnitInfo: status %#x, %u controllers, slot 1 %#x\n", st,
		   iou->nslots, iou->slots[0] >> 4);

	st = tst_dm_query(c, IB_MGMT_METHOD_GET, 0x0011, 1);
	TST_EXPECT(!st && be64_to_cpu(ioc->ioc_guid) == ioc_guid,
		   "IOControllerProfile: status %#x, guid %016llx\n", st,
		   be64_to_cpu(ioc->ioc_guid));
	/* what srp_daemon checks to recognise an SRP target */
	TST_EXPECT(be16_to_cpu(ioc->cls) == 0x0100 &&
		   be16_to_cpu(ioc->subcls) == 0x609e &&
		   be16_to_cpu(ioc->proto) == 0x0108 &&
		   be16_to_cpu(ioc->proto_ver) == 1,
		   "IOControllerProfile: class %#x/%#x protocol %#x/%#x\n",
		   be16_to_cpu(ioc->cls), be16_to_cpu(ioc->subcls),
		   be16_to_cpu(ioc->proto),
		   be16_to_cpu(ioc->proto_ver));
	TST_EXPECT(ioc->nsvc == 1 && ioc->sq_depth &&
		   ioc->max_send && ioc->max_rdma,
		   "IOControllerProfile: %u services, depth %u, sizes %u/%u\n",
		   ioc->nsvc, be16_to_cpu(ioc->sq_depth),
		   be32_to_cpu(ioc->max_send), be32_to_cpu(ioc->max_rdma));
	pr_info(TST ": DM: IOC %016llx \"%.64s\", send queue %u, send size %u, RDMA size %u\n",
		be64_to_cpu(ioc->ioc_guid), ioc->ident,
		be16_to_cpu(ioc->sq_depth),
		be32_to_cpu(ioc->max_send), be32_to_cpu(ioc->max_rdma));

	st = tst_dm_query(c, IB_MGMT_METHOD_GET, 0x0012, 1 << 16);
	snprintf(want, sizeof(want), "SRP.T10:%016llx", ioc_guid);
	TST_EXPECT(!st && !strncmp(svc->name, want, sizeof(svc->name)) &&
		   be64_to_cpu(svc->sid) == ioc_guid,
		   "ServiceEntries: status %#x, \"%.40s\" id %016llx\n", st,
		   svc->name, be64_to_cpu(svc->sid));
	pr_info(TST ": DM: service \"%.40s\" id %016llx\n", svc->name,
		be64_to_cpu(svc->sid));

	st = tst_dm_query(c, IB_MGMT_METHOD_GET, 0x0011, 2);
	TST_EXPECT(st == 0x0100, "profile of empty slot 2: status %#x\n", st);
	st = tst_dm_query(c, IB_MGMT_METHOD_GET, 0x0011, 0);
	TST_EXPECT(st == 0x001c, "profile of slot 0: status %#x\n", st);
	st = tst_dm_query(c, IB_MGMT_METHOD_GET, 0x0012, 1 << 16 | 5 << 8);
	TST_EXPECT(st == 0x001c, "service entries 0..5: status %#x\n", st);
	st = tst_dm_query(c, IB_MGMT_METHOD_GET, 0x0099, 0);
	TST_EXPECT(st == 0x000c, "unknown attribute: status %#x\n", st);
	st = tst_dm_query(c, IB_MGMT_METHOD_SET, 0x0010, 0);
	TST_EXPECT(st == 0x000c, "Set IOUnitInfo: status %#x\n", st);

	if (bad)
		return -EIO;
	pr_info(TST ": DM: all answers as expected\n");
	return 0;
}

static int tst_dm_setup(struct tst_conn *c)
{
	struct rdma_ah_attr ah = { };
	union ib_gid dgid = c->sgid->gid;
	u8 mac[ETH_ALEN];
	int mtu, ret;

	ret = tst_gid_netdev(c, mac, &mtu);
	if (ret)
		return ret;
	/* no registration request: a client that only sends */
	c->dm_agent = ib_register_mad_agent(c->dev, 1, IB_QPT_GSI, NULL, 0,
					    tst_dm_sent, tst_dm_recv, c, 0);
	if (IS_ERR(c->dm_agent)) {
		ret = PTR_ERR(c->dm_agent);
		c->dm_agent = NULL;
		return ret;
	}
	ah.type = rdma_ah_find_type(c->dev, 1);
	rdma_ah_set_port_num(&ah, 1);
	rdma_ah_set_grh(&ah, &dgid, 0, gid_index, 64, 0);
	memcpy(ah.roce.dmac, mac, ETH_ALEN);
	c->dm_ah = rdma_create_ah(c->dm_agent->qp->pd, &ah,
				  RDMA_CREATE_AH_SLEEPABLE);
	if (IS_ERR(c->dm_ah)) {
		ret = PTR_ERR(c->dm_ah);
		c->dm_ah = NULL;
		return ret;
	}
	return 0;
}

static void tst_disconnect(struct tst_conn *c)
{
	if (c->connected && !ib_send_cm_dreq(c->cm, NULL, 0) &&
	    !wait_for_completion_timeout(&c->disc_done, TST_TIMEOUT))
		pr_warn(TST ": no DREP\n");
}

static void tst_free(struct tst_conn *c)
{
	if (c->dm_ah)
		rdma_destroy_ah(c->dm_ah, RDMA_DESTROY_AH_SLEEPABLE);
	if (c->dm_agent)
		ib_unregister_mad_agent(c->dm_agent);
	if (c->cm)
		ib_destroy_cm_id(c->cm);
	if (c->qp) {
		ib_drain_qp(c->qp);
		ib_destroy_qp(c->qp);
	}
	if (c->cq)
		ib_free_cq(c->cq);
	if (c->dma_out)
		ib_dma_unmap_single(c->dev, c->dma_out, TST_BUF_SIZE,
				    DMA_TO_DEVICE);
	if (c->dma_in)
		ib_dma_unmap_single(c->dev, c->dma_in, TST_BUF_SIZE,
				    DMA_FROM_DEVICE);
	if (c->dma_data)
		ib_dma_unmap_single(c->dev, c->dma_data, TST_BUF_SIZE,
				    DMA_BIDIRECTIONAL);
	kfree(c->iu_out);
	kfree(c->iu_in);
	kfree(c->data);
	if (c->pd)
		ib_dealloc_pd(c->pd);
	if (c->sgid)
		rdma_put_gid_attr(c->sgid);
	ib_device_put(c->dev);
	kfree(c);
}

static int tst_map(struct tst_conn *c, void **buf, u64 *dma,
		   enum dma_data_direction dir)
{
	*buf = kzalloc(TST_BUF_SIZE, GFP_KERNEL);
	if (!*buf)
		return -ENOMEM;
	*dma = ib_dma_map_single(c->dev, *buf, TST_BUF_SIZE, dir);
	if (ib_dma_mapping_error(c->dev, *dma)) {
		*dma = 0;
		return -ENOMEM;
	}
	return 0;
}

static int tst_setup(struct tst_conn *c)
{
	struct ib_qp_init_attr qpa = { };
	int ret;

	c->sgid = rdma_get_gid_attr(c->dev, 1, gid_index);
	if (IS_ERR(c->sgid)) {
		ret = PTR_ERR(c->sgid);
		c->sgid = NULL;
		pr_err(TST ": no GID %d on %s port 1\n", gid_index,
		       dev_name(&c->dev->dev));
		return ret;
	}
	/* The target reads and writes c->data by address: a test shortcut. */
	c->pd = ib_alloc_pd(c->dev, IB_PD_UNSAFE_GLOBAL_RKEY);
	if (IS_ERR(c->pd)) {
		ret = PTR_ERR(c->pd);
		c->pd = NULL;
		return ret;
	}
	c->cq = ib_alloc_cq(c->dev, c, 16, 0, IB_POLL_SOFTIRQ);
	if (IS_ERR(c->cq)) {
		ret = PTR_ERR(c->cq);
		c->cq = NULL;
		return ret;
	}
	qpa.send_cq = c->cq;
	qpa.recv_cq = c->cq;
	qpa.qp_type = IB_QPT_RC;
	qpa.sq_sig_type = IB_SIGNAL_REQ_WR;
	qpa.cap.max_send_wr = 4;
	qpa.cap.max_recv_wr = 4;
	qpa.cap.max_send_sge = 1;
	qpa.cap.max_recv_sge = 1;
	c->qp = ib_create_qp(c->pd, &qpa);
	if (IS_ERR(c->qp)) {
		ret = PTR_ERR(c->qp);
		c->qp = NULL;
		return ret;
	}
	ret = tst_map(c, &c->iu_out, &c->dma_out, DMA_TO_DEVICE);
	if (!ret)
		ret = tst_map(c, &c->iu_in, &c->dma_in, DMA_FROM_DEVICE);
	if (!ret)
		ret = tst_map(c, &c->data, &c->dma_data, DMA_BIDIRECTIONAL);
	if (ret)
		return ret;
	c->cm = ib_create_cm_id(c->dev, tst_cm_handler, c);
	if (IS_ERR(c->cm)) {
		ret = PTR_ERR(c->cm);
		c->cm = NULL;
		return ret;
	}
	return 0;
}

static int __init tst_init(void)
{
	struct tst_conn *c;
	int ret;

	if (!dev_name_param) {
		pr_err(TST ": dev= is required\n");
		return -EINVAL;
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->dev = ib_device_get_by_name(dev_name_param, RDMA_DRIVER_UNKNOWN);
	if (!c->dev) {
		pr_err(TST ": no RDMA device %s\n", dev_name_param);
		kfree(c);
		return -ENODEV;
	}
	init_completion(&c->login_done);
	init_completion(&c->disc_done);
	init_completion(&c->send_comp);
	init_completion(&c->recv_comp);
	init_completion(&c->dm_done);
	c->send_cqe.done = tst_send_done;
	c->recv_cqe.done = tst_recv_done;

	ret = tst_setup(c);
	if (!ret && dm) {
		ret = tst_dm_setup(c);
		if (!ret)
			ret = tst_dm(c);
	} else if (!ret) {
		ret = tst_login(c);
		if (!ret && io)
			ret = tst_io(c);
	}
	if (ret) {
		tst_disconnect(c);
		tst_free(c);
		return ret;
	}
	tst = c;
	return 0;
}

static void __exit tst_exit(void)
{
	tst_disconnect(tst);
	tst_free(tst);
}

module_init(tst_init);
module_exit(tst_exit);
MODULE_DESCRIPTION("SRP login over the IB CM on RoCE, for testing ib_srpt");
MODULE_LICENSE("GPL");
