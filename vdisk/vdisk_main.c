// SPDX-License-Identifier: GPL-2.0
/*
 * keel vdisk: registration. The backend takes the in-tree name "iblock"
 * (configfs core/iblock_N/, module target_core_iblock.ko) so targetcli's
 * /backstores/block, rtslib and blktests drive it unchanged; its
 * behaviour follows SCST's vdisk_blockio handler.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

#include <keel/keel_module.h>
#include "vdisk.h"

static struct configfs_attribute **vdisk_attrs;

static int vdisk_attach_hba(struct se_hba *hba, u32 host_id)
{
	pr_debug("HBA %u attached (keel vdisk, LIO %s)\n", hba->hba_id,
		 TARGET_CORE_VERSION);
	return 0;
}

static void vdisk_detach_hba(struct se_hba *hba)
{
}

static struct target_backend_ops vdisk_ops = {
	.name			= "iblock",
	.inquiry_prod		= "IBLOCK",
	.inquiry_rev		= VDISK_INQUIRY_REV,
	.owner			= THIS_MODULE,
	.attach_hba		= vdisk_attach_hba,
	.detach_hba		= vdisk_detach_hba,
	.alloc_device		= vdisk_alloc_device,
	.configure_device	= vdisk_configure_device,
	.destroy_device		= vdisk_destroy_device,
	.free_device		= vdisk_free_device,
	.configure_unmap	= vdisk_configure_unmap,
	.plug_device		= vdisk_plug_device,
	.unplug_device		= vdisk_unplug_device,
	.parse_cdb		= vdisk_parse_cdb,
	.set_configfs_dev_params = vdisk_set_params,
	.show_configfs_dev_params = vdisk_show_params,
	.get_device_type	= sbc_get_device_type,
	.get_blocks		= vdisk_get_blocks,
	.get_alignment_offset_lbas = vdisk_get_alignment_offset_lbas,
	.get_lbppbe		= vdisk_get_lbppbe,
	.get_io_min		= vdisk_get_io_min,
	.get_io_opt		= vdisk_get_io_opt,
	.get_write_cache	= vdisk_get_write_cache,
};

static int __init vdisk_init(void)
{
	int ret;

	ret = vdisk_io_init();
	if (ret)
		return ret;
	vdisk_attrs = vdisk_attrs_build();
	if (!vdisk_attrs) {
		vdisk_io_exit();
		return -ENOMEM;
	}
	vdisk_ops.tb_dev_attrib_attrs = vdisk_attrs;
	ret = transport_backend_register(&vdisk_ops);
	if (ret) {
		pr_err("cannot register the \"iblock\" backend: %d\n", ret);
		kfree(vdisk_attrs);
		vdisk_io_exit();
	}
	return ret;
}

static void __exit vdisk_exit(void)
{
	target_backend_unregister(&vdisk_ops);
	kfree(vdisk_attrs);
	vdisk_io_exit();
}

module_init(vdisk_init);
module_exit(vdisk_exit);

MODULE_DESCRIPTION("keel vdisk: LIO block backend \"iblock\" with SCST vdisk_blockio parameters");
MODULE_AUTHOR("keel");
MODULE_LICENSE("GPL");
MODULE_VERSION(KEEL_VERSION);
