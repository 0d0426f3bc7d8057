// SPDX-License-Identifier: GPL-2.0
/*
 * keel ib_srpt: configfs - /sys/kernel/config/target/srpt/
 *
 *   discovery_auth/rdma_cm_port	RDMA CM listener port (0: off)
 *   version, sessions			fabric version, channel list
 *   <port>/				port named from GID[0], GUID or GID form
 *   <port>/<tpg>/enable		logins allowed on the port
 *   <port>/<tpg>/attrib/		srp_max_rdma_size, srp_max_rsp_size,
 *					srp_sq_size, use_srq (per port)
 *   <port>/<tpg>/acls/<initiator>/	GUID, hex port id, IPv4 or IPv6
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/configfs.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>
#include "srpt.h"


static struct srpt_port *srpt_port_of_tpg(struct se_portal_group *se_tpg)
{
	return container_of(se_tpg, struct srpt_tpg, se_tpg)->pname->port;
}

/* Parse an unsigned value within [lo, hi]; logs and returns -EINVAL. */
static int srpt_parse_range(const char *what, const char *page, u32 lo,
			    u32 hi, u32 *out)
{
	u32 v;
	int ret = kstrtou32(page, 0, &v);

	if (ret || v < lo || v > hi) {
		pr_warn("%s: expected a number in %u..%u\n", what,
			lo, hi);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

#define SRPT_RANGE_ATTR(field, lo, hi)					\
static ssize_t srpt_attrib_##field##_show(struct config_item *item,	\
					  char *page)			\
{									\
	struct srpt_port *p = srpt_port_of_tpg(attrib_to_tpg(item));	\
									\
	return sysfs_emit(page, "%u\n", p->attr.field);			\
}									\
static ssize_t srpt_attrib_##field##_store(struct config_item *item,	\
					   const char *page,		\
					   size_t count)		\
{									\
	struct srpt_port *p = srpt_port_of_tpg(attrib_to_tpg(item));	\
	u32 v;								\
	int ret = srpt_parse_range(#field, page, lo, hi, &v);		\
									\
	if (ret)							\
		return ret;						\
	WRITE_ONCE(p->attr.field, v);					\
	return count;							\
}

SRPT_RANGE_ATTR(max_rdma_size, SRPT_RDMA_SIZE_DEFAULT, SRPT_RDMA_SIZE_MAX)
SRPT_RANGE_ATTR(max_rsp_size, SRPT_RSP_SIZE_MIN, SRPT_RSP_SIZE_MAX)
SRPT_RANGE_ATTR(sq_size, SRPT_SQ_MIN, SRPT_SRQ_MAX)

static ssize_t srpt_attrib_use_srq_show(struct config_item *item, char *page)
{
	struct srpt_port *p = srpt_port_of_tpg(attrib_to_tpg(item));

	return sysfs_emit(page, "%d\n", p->attr.use_srq);
}

/*
 * Switching SRQ use logs every initiator of the port out, switches the
 * HCA, then restores the previous enable state.
 */
static ssize_t srpt_attrib_use_srq_store(struct config_item *item,
					 const char *page, size_t count)
{
	struct srpt_port *p = srpt_port_of_tpg(attrib_to_tpg(item));
	bool was_enabled;
	u32 v;
	int ret;

	ret = srpt_parse_range("use_srq", page, 0, 1, &v);
	if (ret)
		return ret;
	if (p->attr.use_srq == v)
		return count;
	mutex_lock(&p->lock);
	was_enabled = p->enabled;
	srpt_port_set_enabled(p, false);
	mutex_unlock(&p->lock);
	srpt_port_wait_chans(p);
	ret = srpt_hca_set_srq(p->hca, v);
	if (!ret)
		p->attr.use_srq = v;
	else
		pr_warn("%s-%u: switching use_srq to %u failed: %d\n",
			dev_name(&p->hca->dev->dev), p->num, v, ret);
	mutex_lock(&p->lock);
	srpt_port_set_enabled(p, was_enabled);
	mutex_unlock(&p->lock);
	return ret ? ret : count;
}

/* The in-tree names: srp_max_rdma_size etc. */
static struct configfs_attribute srpt_attr_srp_max_rdma_size = {
	.ca_name = "srp_max_rdma_size", .ca_mode = 0644,
	.ca_owner = THIS_MODULE,
	.show = srpt_attrib_max_rdma_size_show,
	.store = srpt_attrib_max_rdma_size_store,
};

static struct configfs_attribute srpt_attr_srp_max_rsp_size = {
	.ca_name = "srp_max_rsp_size", .ca_mode = 0644,
	.ca_owner = THIS_MODULE,
	.show = srpt_attrib_max_rsp_size_show,
	.store = srpt_attrib_max_rsp_size_store,
};

static struct configfs_attribute srpt_attr_srp_sq_size = {
	.ca_name = "srp_sq_size", .ca_mode = 0644,
	.ca_owner = THIS_MODULE,
	.show = srpt_attrib_sq_size_show,
	.store = srpt_attrib_sq_size_store,
};

static struct configfs_attribute srpt_attr_use_srq = {
	.ca_name = "use_srq", .ca_mode = 0644,
	.ca_owner = THIS_MODULE,
	.show = srpt_attrib_use_srq_show,
	.store = srpt_attrib_use_srq_store,
};

struct configfs_attribute *srpt_tpg_attrib_attrs[] = {
	&srpt_attr_srp_max_rdma_size,
	&srpt_attr_srp_max_rsp_size,
	&srpt_attr_srp_sq_size,
	&srpt_attr_use_srq,
	NULL,
};

static ssize_t srpt_rdma_cm_port_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", srpt_cm_rdma_port());
}

static ssize_t srpt_rdma_cm_port_store(struct config_item *item,
				       const char *page, size_t count)
{
	u16 port;
	int ret = kstrtou16(page, 0, &port);

	if (ret) {
		pr_warn("rdma_cm_port: expected a port number\n");
		return ret;
	}
	ret = srpt_cm_listen_rdma(port);
	return ret ? ret : count;
}

static struct configfs_attribute srpt_attr_rdma_cm_port = {
	.ca_name = "rdma_cm_port", .ca_mode = 0644,
	.ca_owner = THIS_MODULE,
	.show = srpt_rdma_cm_port_show,
	.store = srpt_rdma_cm_port_store,
};

struct configfs_attribute *srpt_discovery_attrs[] = {
	&srpt_attr_rdma_cm_port,
	NULL,
};

static ssize_t srpt_wwn_version_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "\n");
}

/* Room kept at the end of the page for the "more channels" note. */
#define SRPT_PAGE_NOTE		96

struct srpt_page_out {
	char *buf;
	size_t len;
	unsigned int more;
};

static void srpt_line_to_page(void *arg, const char *line)
{
	struct srpt_page_out *out = arg;
	size_t n = strlen(line);

	if (out->more || out->len + n > PAGE_SIZE - SRPT_PAGE_NOTE) {
		out->more++;
		return;
	}
	memcpy(out->buf + out->len, line, n);
	out->len += n;
}

/*
 * target/srpt/sessions: one line per channel of every port (the fabric
 * root is where LIO puts tfc_wwn_attrs, next to "version"). One page holds
 * about 35 channels; the rest is counted in a last line that points to the
 * complete list in debugfs.
 */
static ssize_t srpt_wwn_sessions_show(struct config_item *item, char *page)
{
	struct srpt_page_out out = { .buf = page };

	srpt_walk_sessions(srpt_line_to_page, &out);
	if (out.more)
		out.len += scnprintf(page + out.len, PAGE_SIZE - out.len,
				     "+%u more channels: see debugfs ib_srpt/sessions\n",
				     out.more);
	return out.len;
}

static struct configfs_attribute srpt_attr_version = {
	.ca_name = "version", .ca_mode = 0444, .ca_owner = THIS_MODULE,
	.show = srpt_wwn_version_show,
};

static struct configfs_attribute srpt_attr_sessions = {
	.ca_name = "sessions", .ca_mode = 0444, .ca_owner = THIS_MODULE,
	.show = srpt_wwn_sessions_show,
};

struct configfs_attribute *srpt_wwn_attrs[] = {
	&srpt_attr_version,
	&srpt_attr_sessions,
	NULL,
};

/**
 * srpt_tpg_enable() - LIO: tpgt_N/enable, allow or stop logins on the port
 * @se_tpg: TPG
 * @enable: new setting; disabling disconnects every channel of the port
 *
 * Return: 0.
 */
int srpt_tpg_enable(struct se_portal_group *se_tpg, bool enable)
{
	struct srpt_port *p = srpt_port_of_tpg(se_tpg);

	mutex_lock(&p->lock);
	srpt_port_set_enabled(p, enable);
	mutex_unlock(&p->lock);
	return 0;
}

/**
 * srpt_tpg_make() - LIO: mkdir of a TPG below a port name
 * @wwn:  the port name's WWN
 * @name: directory name (tpgt_N)
 *
 * Return: the TPG or an ERR_PTR().
 */
struct se_portal_group *srpt_tpg_make(struct se_wwn *wwn, const char *name)
{
	struct srpt_port_name *pn = container_of(wwn, struct srpt_port_name,
						 wwn);
	struct srpt_tpg *tpg;
	int ret;

	tpg = kzalloc(sizeof(*tpg), GFP_KERNEL);
	if (!tpg)
		return ERR_PTR(-ENOMEM);
	tpg->pname = pn;
	ret = core_tpg_register(wwn, &tpg->se_tpg, SCSI_PROTOCOL_SRP);
	if (ret) {
		kfree(tpg);
		return ERR_PTR(ret);
	}
	mutex_lock(&pn->lock);
	list_add_tail(&tpg->entry, &pn->tpgs);
	mutex_unlock(&pn->lock);
	return &tpg->se_tpg;
}

/**
 * srpt_tpg_drop() - LIO: rmdir of a TPG; disables the port
 * @se_tpg: TPG
 */
void srpt_tpg_drop(struct se_portal_group *se_tpg)
{
	struct srpt_tpg *tpg = container_of(se_tpg, struct srpt_tpg, se_tpg);
	struct srpt_port_name *pn = tpg->pname;
	struct srpt_port *p = pn->port;

	mutex_lock(&pn->lock);
	list_del(&tpg->entry);
	mutex_unlock(&pn->lock);
	/* Like the in-tree driver: dropping any TPG disables the port. */
	mutex_lock(&p->lock);
	srpt_port_set_enabled(p, false);
	mutex_unlock(&p->lock);
	core_tpg_deregister(se_tpg);
	kfree(tpg);
}

/**
 * srpt_make_wwn() - LIO: mkdir of a port name (GUID or GID form)
 * @tf:	   fabric
 * @group: parent configfs group
 * @name:  port name
 *
 * Each form of a port's name can exist once; the WWN holds an HCA
 * reference until srpt_drop_wwn().
 *
 * Return: the WWN, or ERR_PTR(-EINVAL) for an unknown name, -EEXIST for
 * one that exists, -ENOMEM.
 */
struct se_wwn *srpt_make_wwn(struct target_fabric_configfs *tf,
			     struct config_group *group, const char *name)
{
	struct srpt_port_name **slot = NULL;
	struct srpt_port_name *pn;
	struct srpt_port *p;

	p = srpt_port_by_name(name, &slot);
	if (!p) {
		pr_warn("no RDMA port named %s\n", name);
		return ERR_PTR(-EINVAL);
	}
	pn = kzalloc(sizeof(*pn), GFP_KERNEL);
	if (!pn) {
		srpt_hca_put(p->hca);
		return ERR_PTR(-ENOMEM);
	}
	pn->port = p;
	mutex_init(&pn->lock);
	INIT_LIST_HEAD(&pn->tpgs);
	pn->wwn.priv = p;
	strscpy(pn->name, name, sizeof(pn->name));
	mutex_lock(&p->name_lock);
	if (*slot) {
		mutex_unlock(&p->name_lock);
		kfree(pn);
		srpt_hca_put(p->hca);
		return ERR_PTR(-EEXIST);
	}
	*slot = pn;
	mutex_unlock(&p->name_lock);
	return &pn->wwn;
}

/**
 * srpt_drop_wwn() - LIO: rmdir of a port name
 * @wwn: the WWN from srpt_make_wwn()
 */
void srpt_drop_wwn(struct se_wwn *wwn)
{
	struct srpt_port_name *pn = container_of(wwn, struct srpt_port_name,
						 wwn);
	struct srpt_port *p = pn->port;

	/* A login looking for its session below @pn holds name_lock. */
	mutex_lock(&p->name_lock);
	if (p->guid_wwn == pn)
		p->guid_wwn = NULL;
	else if (p->gid_wwn == pn)
		p->gid_wwn = NULL;
	mutex_unlock(&p->name_lock);
	srpt_hca_put(p->hca);
	kfree(pn);
}

/**
 * srpt_acl_init() - LIO: check the name of a new node ACL
 * @nacl: the ACL
 * @name: initiator name: GUID, hex port id or IP address
 *
 * Return: 0 or -EINVAL.
 */
int srpt_acl_init(struct se_node_acl *nacl, const char *name)
{
	if (srpt_check_acl_name(name)) {
		pr_warn("invalid initiator name %s (want GUID, hex port id or IP address)\n",
			name);
		return -EINVAL;
	}
	return 0;
}
