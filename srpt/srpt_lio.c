// SPDX-License-Identifier: GPL-2.0
/*
 * keel ib_srpt: the LIO fabric template ("srpt").
 *
 * The command callbacks live in srpt_cmd.c, the configfs callbacks in
 * srpt_configfs.c; this file holds the session-level callbacks and the
 * template that ties them together.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <target/target_core_base.h>
#include <target/target_core_fabric.h>
#include "srpt.h"

static char *srpt_tpg_wwn(struct se_portal_group *se_tpg)
{
	return container_of(se_tpg, struct srpt_tpg, se_tpg)->pname->name;
}

static u16 srpt_tpg_tag(struct se_portal_group *se_tpg)
{
	return 1;
}

static u32 srpt_tpg_inst_index(struct se_portal_group *se_tpg)
{
	return 1;
}

static int srpt_yes(struct se_portal_group *se_tpg)
{
	return 1;
}

static int srpt_no(struct se_portal_group *se_tpg)
{
	return 0;
}

static u32 srpt_sess_index(struct se_session *sess)
{
	return 0;
}

static void srpt_default_nacl_attrs(struct se_node_acl *nacl)
{
}

/*
 * ACL removal: LIO asks the fabric to end the session; wait until the
 * channel carrying it has been released.
 */
static void srpt_close_session(struct se_session *sess)
{
	srpt_chan_disconnect_wait(sess->fabric_sess_ptr);
}

const struct target_core_fabric_ops srpt_fabric_ops = {
	.module				= THIS_MODULE,
	.fabric_name			= "srpt",
	.tpg_get_wwn			= srpt_tpg_wwn,
	.tpg_get_tag			= srpt_tpg_tag,
	.tpg_check_demo_mode		= srpt_no,
	.tpg_check_demo_mode_cache	= srpt_yes,
	.tpg_check_demo_mode_write_protect = srpt_yes,
	.tpg_check_prod_mode_write_protect = srpt_no,
	.tpg_get_inst_index		= srpt_tpg_inst_index,
	.release_cmd			= srpt_cmd_release,
	.check_stop_free		= srpt_cmd_stop_free,
	.close_session			= srpt_close_session,
	.sess_get_index			= srpt_sess_index,
	.write_pending			= srpt_cmd_write_pending,
	.set_default_node_attributes	= srpt_default_nacl_attrs,
	.get_cmd_state			= srpt_cmd_state_of,
	.queue_data_in			= srpt_cmd_data_in,
	.queue_status			= srpt_cmd_status,
	.queue_tm_rsp			= srpt_cmd_tmr_rsp,
	.aborted_task			= srpt_cmd_aborted,
	.fabric_make_wwn		= srpt_make_wwn,
	.fabric_drop_wwn		= srpt_drop_wwn,
	.fabric_make_tpg		= srpt_tpg_make,
	.fabric_enable_tpg		= srpt_tpg_enable,
	.fabric_drop_tpg		= srpt_tpg_drop,
	.fabric_init_nodeacl		= srpt_acl_init,
	.tfc_discovery_attrs		= srpt_discovery_attrs,
	.tfc_wwn_attrs			= srpt_wwn_attrs,
	.tfc_tpg_attrib_attrs		= srpt_tpg_attrib_attrs,
	SRPT_SUBMIT_TYPE_OPS
};
