// SPDX-License-Identifier: GPL-2.0
/*
 * keel vdisk: configfs attributes under core/iblock_N/<dev>/attrib/.
 *
 * LIO's SBC attributes are kept as they are, except block_size, which is
 * wrapped to refuse sizes below the backing device's logical block size.
 * SCST vdisk_blockio's parameters are added next to them so that
 * "targetcli /backstores/block/x set attribute nv_cache=1" works and
 * rtslib's saveconfig/restoreconfig carries them. rtslib writes every
 * saved attribute back after "enable", so each store accepts the value
 * the attribute already shows as a no-op.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vdisk.h"

static struct configfs_attribute *vdisk_lio_block_size;

static struct vdisk_dev *item_to_vdisk_dev(struct config_item *item)
{
	struct se_dev_attrib *da = container_of(to_config_group(item),
						struct se_dev_attrib, da_group);

	return VDISK_DEV(da->da_dev);
}

static const char *vdisk_name(struct vdisk_dev *vd)
{
	return config_item_name(&vd->dev.dev_group.cg_item);
}

static int vdisk_attr_flag(struct vdisk_dev *vd, const char *attr,
			   const char *page, bool *val)
{
	if (vdisk_parse_flag(page, val)) {
		pr_err("%s: %s must be 0 or 1\n", vdisk_name(vd), attr);
		return -EINVAL;
	}
	return 0;
}

/*
 * The four 0/1 parameters share one show/store pair, generated below:
 * show prints @field, store parses the flag and hands it to
 * vdisk_attr_set_<name>(), which applies it (0) or refuses it (-errno).
 */
#define VDISK_FLAG_ATTR(name, field)					\
static ssize_t name##_show(struct config_item *item, char *page)	\
{									\
	return sprintf(page, "%d\n",					\
		       READ_ONCE(item_to_vdisk_dev(item)->field));	\
}									\
									\
static ssize_t name##_store(struct config_item *item, const char *page, \
			    size_t count)				\
{									\
	struct vdisk_dev *vd = item_to_vdisk_dev(item);			\
	bool v;								\
	int ret = vdisk_attr_flag(vd, #name, page, &v);			\
									\
	if (!ret)							\
		ret = vdisk_attr_set_##name(vd, v);			\
	return ret ? ret : count;					\
}									\
CONFIGFS_ATTR(, name)

static int vdisk_attr_set_nv_cache(struct vdisk_dev *vd, bool v)
{
	int ret;

	mutex_lock(&vd->cfg_lock);
	ret = vdisk_set_cache_mode(vd, v, vd->write_through);
	mutex_unlock(&vd->cfg_lock);
	return ret;
}

static int vdisk_attr_set_removable(struct vdisk_dev *vd, bool v)
{
	WRITE_ONCE(vd->removable, v);
	return 0;
}

static int vdisk_attr_set_write_through(struct vdisk_dev *vd, bool v)
{
	int ret;

	mutex_lock(&vd->cfg_lock);
	ret = vdisk_set_cache_mode(vd, vd->nv_cache, v);
	mutex_unlock(&vd->cfg_lock);
	return ret;
}

static int vdisk_attr_set_read_only(struct vdisk_dev *vd, bool v)
{
	int ret = 0;

	mutex_lock(&vd->cfg_lock);
	if (vd->bdev && v != vd->readonly) {
		pr_err("%s: read_only cannot change while the device is enabled\n",
		       vdisk_name(vd));
		ret = -EBUSY;
	} else {
		vd->readonly = v;
	}
	mutex_unlock(&vd->cfg_lock);
	return ret;
}

VDISK_FLAG_ATTR(nv_cache, nv_cache);
VDISK_FLAG_ATTR(write_through, write_through);
VDISK_FLAG_ATTR(removable, removable);
VDISK_FLAG_ATTR(read_only, readonly);

static ssize_t thin_provisioned_show(struct config_item *item, char *page)
{
	struct vdisk_dev *vd = item_to_vdisk_dev(item);
	struct se_dev_attrib *da = &vd->dev.dev_attrib;

	if (!vd->bdev)	/* not enabled yet: what was asked for */
		return sprintf(page, "%s\n", vd->thin < 0 ? "auto" :
			       vd->thin ? "1" : "0");
	return sprintf(page, "%d\n", da->emulate_tpu || da->emulate_tpws);
}

static ssize_t thin_provisioned_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct vdisk_dev *vd = item_to_vdisk_dev(item);
	struct se_dev_attrib *da = &vd->dev.dev_attrib;
	bool v;
	int ret = 0;

	if (sysfs_streq(page, "auto")) {
		mutex_lock(&vd->cfg_lock);
		if (vd->bdev) {
			pr_err("%s: thin_provisioned=auto only before enable\n",
			       vdisk_name(vd));
			ret = -EBUSY;
		} else {
			vd->thin = -1;
		}
		mutex_unlock(&vd->cfg_lock);
		return ret ? ret : count;
	}
	ret = vdisk_attr_flag(vd, "thin_provisioned", page, &v);
	if (ret)
		return ret;

	mutex_lock(&vd->cfg_lock);
	if (vd->bdev && v != (da->emulate_tpu || da->emulate_tpws)) {
		ret = vdisk_apply_thin(vd, v);
		if (ret)
			pr_err("%s: thin_provisioned=1 needs a backing device with discard support\n",
			       vdisk_name(vd));
	}
	if (!ret)
		vd->thin = v;
	mutex_unlock(&vd->cfg_lock);
	return ret ? ret : count;
}

static ssize_t rotational_show(struct config_item *item, char *page)
{
	struct vdisk_dev *vd = item_to_vdisk_dev(item);

	if (!READ_ONCE(vd->rot_set))
		return sprintf(page, "auto\n");
	return sprintf(page, "%d\n", !vd->dev.dev_attrib.is_nonrot);
}

static ssize_t rotational_store(struct config_item *item, const char *page,
				size_t count)
{
	struct vdisk_dev *vd = item_to_vdisk_dev(item);
	bool v;
	int ret;

	if (sysfs_streq(page, "auto")) {
		mutex_lock(&vd->cfg_lock);
		WRITE_ONCE(vd->rot_set, false);
		if (vd->bdev)
			vd->dev.dev_attrib.is_nonrot = bdev_nonrot(vd->bdev);
		mutex_unlock(&vd->cfg_lock);
		return count;
	}
	ret = vdisk_attr_flag(vd, "rotational", page, &v);
	if (ret)
		return ret;
	mutex_lock(&vd->cfg_lock);
	vdisk_apply_rotational(vd, v);
	mutex_unlock(&vd->cfg_lock);
	return count;
}

/**
 * vdisk_check_new_bs() - may an open device export @bs from now on?
 * @vd: the device, its backing device open
 * @bs: the block size asked for through block_size or blocksize
 *
 * LIO's own store does the export and value checks; these are the ones
 * that need the backing device.
 *
 * Context: @vd->cfg_lock held.
 * Return: 0 or -EINVAL (logged).
 */
static int vdisk_check_new_bs(struct vdisk_dev *vd, u32 bs)
{
	struct se_dev_attrib *da = &vd->dev.dev_attrib;
	u32 lbs = bdev_logical_block_size(vd->bdev);
	char err[VDISK_ERR_LEN];

	lockdep_assert_held(&vd->cfg_lock);

	if (vdisk_check_blocksize(bs, lbs, err, sizeof(err))) {
		pr_err("%s: %s\n", vdisk_name(vd), err);
		return -EINVAL;
	}
	if (da->pi_prot_type && bs != lbs) {
		pr_err("%s: block size of a T10-PI device must stay %u\n",
		       vdisk_name(vd), lbs);
		return -EINVAL;
	}
	if (bdev_nr_bytes(vd->bdev) < bs) {
		pr_err("%s: %llu bytes hold no %u-byte block\n",
		       vdisk_name(vd), bdev_nr_bytes(vd->bdev), bs);
		return -EINVAL;
	}
	return 0;
}

static ssize_t vdisk_store_bs(struct config_item *item, const char *page,
			      size_t count)
{
	struct vdisk_dev *vd = item_to_vdisk_dev(item);
	struct se_dev_attrib *da = &vd->dev.dev_attrib;
	ssize_t ret;
	u32 bs, old_bs;

	if (kstrtou32(page, 0, &bs)) {
		pr_err("%s: block size is not a number\n", vdisk_name(vd));
		return -EINVAL;
	}
	mutex_lock(&vd->cfg_lock);
	if (!vd->bdev) {
		char err[VDISK_ERR_LEN];

		/* before enable: the size to export, checked again then */
		ret = vdisk_check_blocksize(bs, 0, err, sizeof(err));
		if (ret)
			pr_err("%s: %s\n", vdisk_name(vd), err);
		else
			vd->blocksize = bs;
		goto out;
	}
	ret = vdisk_check_new_bs(vd, bs);
	if (ret)
		goto out;
	old_bs = da->block_size;
	ret = vdisk_lio_block_size->store(item, page, count);
	if (ret < 0)
		goto out;
	/* a restore writing the same size keeps a hand-set limit */
	if (da->block_size != old_bs)
		vdisk_configure_write_same(&vd->dev);
	if (da->max_unmap_block_desc_count)
		vdisk_configure_unmap(&vd->dev);
out:
	mutex_unlock(&vd->cfg_lock);
	return ret < 0 ? ret : count;
}

static ssize_t blocksize_show(struct config_item *item, char *page)
{
	struct vdisk_dev *vd = item_to_vdisk_dev(item);

	return sprintf(page, "%u\n", vd->bdev ? vd->dev.dev_attrib.block_size :
		       vd->blocksize);
}

static ssize_t blocksize_store(struct config_item *item, const char *page,
			       size_t count)
{
	return vdisk_store_bs(item, page, count);
}

static ssize_t vdisk_block_size_show(struct config_item *item, char *page)
{
	return vdisk_lio_block_size->show(item, page);
}

static ssize_t vdisk_block_size_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct vdisk_dev *vd = item_to_vdisk_dev(item);

	if (!vd->bdev)	/* LIO's own rules before enable */
		return vdisk_lio_block_size->store(item, page, count);
	return vdisk_store_bs(item, page, count);
}

CONFIGFS_ATTR(, thin_provisioned);
CONFIGFS_ATTR(, rotational);
CONFIGFS_ATTR(, blocksize);
CONFIGFS_ATTR(vdisk_, block_size);

static struct configfs_attribute *vdisk_scst_attrs[] = {
	&attr_nv_cache,
	&attr_write_through,
	&attr_thin_provisioned,
	&attr_rotational,
	&attr_removable,
	&attr_read_only,
	&attr_blocksize,
};

/**
 * vdisk_attrs_build() - LIO's SBC attributes plus the SCST ones
 *
 * Return: a NULL-terminated array to kfree() after unregistering, or NULL.
 */
struct configfs_attribute **vdisk_attrs_build(void)
{
	struct configfs_attribute **attrs;
	int n = 0, i, j = 0;

	while (sbc_attrib_attrs[n])
		n++;
	attrs = kcalloc(n + ARRAY_SIZE(vdisk_scst_attrs) + 1, sizeof(*attrs),
			GFP_KERNEL);
	if (!attrs)
		return NULL;
	vdisk_lio_block_size = NULL;
	for (i = 0; i < n; i++) {
		struct configfs_attribute *a = sbc_attrib_attrs[i];

		if (!strcmp(a->ca_name, "block_size") && a->show && a->store) {
			vdisk_lio_block_size = a;
			a = &vdisk_attr_block_size;
		}
		attrs[j++] = a;
	}
	if (!vdisk_lio_block_size) {
		pr_err("LIO has no block_size attribute\n");
		kfree(attrs);
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(vdisk_scst_attrs); i++)
		attrs[j++] = vdisk_scst_attrs[i];
	return attrs;
}
