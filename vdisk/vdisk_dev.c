// SPDX-License-Identifier: GPL-2.0
/*
 * keel vdisk: device life cycle, control string, geometry hooks.
 *
 * States of a vdisk_dev (LIO drives the transitions):
 *
 *   alloc ──control──> parameters set ──enable──> configured (bdev open)
 *     │                                               │
 *     └──────────────── rmdir: destroy, free ─────────┘
 *
 * Before "enable" every control token is accepted and only recorded.
 * Afterwards udev_path, readonly and blocksize can no longer change (the
 * block device is open and the geometry may be exported); the SCST cache,
 * thin-provisioning, rotation and removable flags take effect at once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/blkdev.h>
#include <linux/blk-integrity.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <linux/wait_bit.h>

#include "vdisk.h"

struct se_device *vdisk_alloc_device(struct se_hba *hba, const char *name)
{
	struct vdisk_dev *vd;

	vd = kzalloc(sizeof(*vd), GFP_KERNEL);
	if (!vd)
		return NULL;
	vd->plugs = alloc_percpu(struct vdisk_plug);
	if (!vd->plugs) {
		kfree(vd);
		return NULL;
	}
	mutex_init(&vd->cfg_lock);
	vd->thin = -1;
	return &vd->dev;
}

static void vdisk_free_rcu(struct rcu_head *head)
{
	struct se_device *dev = container_of(head, struct se_device, rcu_head);
	struct vdisk_dev *vd = VDISK_DEV(dev);

	free_percpu(vd->plugs);
	mutex_destroy(&vd->cfg_lock);
	kfree(vd);
}

void vdisk_free_device(struct se_device *dev)
{
	/* se_lun->lun_se_dev readers may still hold an RCU reference */
	call_rcu(&dev->rcu_head, vdisk_free_rcu);
}

void vdisk_destroy_device(struct se_device *dev)
{
	struct vdisk_dev *vd = VDISK_DEV(dev);

	/* flushes of SYNCHRONIZE CACHE IMMED=1 commands, answered already */
	wait_var_event(&vd->immed_flushes, !atomic_read(&vd->immed_flushes));
	if (vd->bdev) {
		vdisk_bdev_close(vd->bdev, &vd->claim);
		vd->bdev = NULL;
	}
	if (vd->bs_ready) {
		bioset_exit(&vd->bs);
		vd->bs_ready = false;
	}
}

/* log2 of 512-byte sectors per exported block (block_size, else hw's) */
static unsigned int vdisk_sector_shift(const struct se_dev_attrib *da)
{
	return ilog2(da->block_size ? da->block_size : da->hw_block_size) -
		SECTOR_SHIFT;
}

/**
 * vdisk_configure_unmap() - LIO's configure_unmap hook: UNMAP limits
 * @dev: the device
 *
 * The limits are in units of the exported block size (LIO's helper counts
 * in the backing device's blocks, which differs once blocksize= is used).
 * Called by LIO when emulate_tpu/emulate_tpws is set, and by
 * vdisk_apply_thin() and the block size stores under cfg_lock.
 *
 * Return: true if the backing device can discard.
 */
bool vdisk_configure_unmap(struct se_device *dev)
{
	struct vdisk_dev *vd = VDISK_DEV(dev);
	struct se_dev_attrib *da = &dev->dev_attrib;
	struct block_device *bdev = vd->bdev;
	unsigned int shift;

	if (!bdev || !bdev_max_discard_sectors(bdev))
		return false;
	shift = vdisk_sector_shift(da);
	da->max_unmap_lba_count = bdev_max_discard_sectors(bdev) >> shift;
	da->max_unmap_block_desc_count = 1;
	da->unmap_granularity = (bdev_discard_granularity(bdev) >>
				 SECTOR_SHIFT) >> shift;
	da->unmap_granularity_alignment =
		(bdev_discard_alignment(bdev) >> SECTOR_SHIFT) >> shift;
	return da->max_unmap_lba_count != 0;
}

/**
 * vdisk_configure_write_same() - MAXIMUM WRITE SAME LENGTH for the device
 * @dev: an open device
 *
 * LIO checks a WRITE SAME's block count against max_write_same_len and
 * reports it in the Block Limits VPD, both in exported logical blocks;
 * the block layer's write-zeroes limit is in 512-byte sectors. Without
 * write-zeroes support only the pattern path is left: 0xffff blocks, all
 * that WRITE SAME(10) can express. Called again when block_size changes.
 *
 * Context: the device's cfg_lock held.
 */
void vdisk_configure_write_same(struct se_device *dev)
{
	struct se_dev_attrib *da = &dev->dev_attrib;
	u32 wz = bdev_write_zeroes_sectors(VDISK_DEV(dev)->bdev) >>
		 vdisk_sector_shift(da);

	lockdep_assert_held(&VDISK_DEV(dev)->cfg_lock);
	da->max_write_same_len = wz ? wz : 0xffff;
}

/**
 * vdisk_apply_thin() - turn SCST thin provisioning on or off
 * @vd: the device
 * @on: wanted state
 *
 * On sets UNMAP and WRITE SAME(UNMAP) support (VPD B0 limits, VPD B2
 * LBPU/LBPWS/LBPWS10, READ CAPACITY(16) LBPME) and LBPRZ when the
 * backing device can write zeroes: UNMAP is then done as a zeroing
 * discard so reads after it do return zeroes.
 *
 * Context: @vd->cfg_lock held, the backing device open.
 * Return: 0 or -EOPNOTSUPP when the backing device has no discard.
 */
int vdisk_apply_thin(struct vdisk_dev *vd, bool on)
{
	struct se_dev_attrib *da = &vd->dev.dev_attrib;

	lockdep_assert_held(&vd->cfg_lock);
	if (!on) {
		da->emulate_tpu = 0;
		da->emulate_tpws = 0;
		return 0;
	}
	if (!vdisk_configure_unmap(&vd->dev))
		return -EOPNOTSUPP;
	da->emulate_tpu = 1;
	da->emulate_tpws = 1;
	if (bdev_write_zeroes_sectors(vd->bdev) && !vd->dev.export_count)
		da->unmap_zeroes_data = 1;
	return 0;
}

/**
 * vdisk_apply_rotational() - override the rotation rate reported in VPD B1
 * @vd: the device
 * @rotational: report a rotating medium (else non-rotating)
 *
 * Until the first call (or after "auto") the backing device's own
 * rotational flag is reported.
 *
 * Context: @vd->cfg_lock held.
 */
void vdisk_apply_rotational(struct vdisk_dev *vd, bool rotational)
{
	lockdep_assert_held(&vd->cfg_lock);
	vd->dev.dev_attrib.is_nonrot = !rotational;
	WRITE_ONCE(vd->rot_set, true);
}

/**
 * vdisk_cache_change_refused() - would nv_cache/write_through hide a cache?
 * @vd: the device
 * @nv_cache: nv_cache asked for
 * @write_through: write_through asked for
 *
 * Initiators read WCE from the caching mode page when they find the LUN
 * and do not read it again on their own. While a LUN exports the device,
 * a change that makes a cache they were told is absent (WCE=0) volatile
 * would leave writes in it that they never flush: refused, logged. The
 * other way round is safe: writes become durable on completion, and the
 * DPO/FUA bits initiators still send are accepted (vdisk_parse_cdb()).
 *
 * Context: @vd->cfg_lock held. A LUN created concurrently is not seen.
 * Return: true when the change must be refused (-EBUSY).
 */
bool vdisk_cache_change_refused(struct vdisk_dev *vd, bool nv_cache,
				bool write_through)
{
	u32 luns = READ_ONCE(vd->dev.export_count);

	lockdep_assert_held(&vd->cfg_lock);
	if (!vd->bdev || !luns || vdisk_get_write_cache(&vd->dev))
		return false;
	if (nv_cache || write_through || !bdev_write_cache(vd->bdev))
		return false;
	pr_warn_ratelimited("%s: nv_cache=0 write_through=0 would expose a volatile write cache to initiators that were told there is none (%u LUN(s)); remove the LUNs first\n",
			    vd->path, luns);
	return true;
}

/**
 * vdisk_set_cache_mode() - switch SCST nv_cache and write_through
 * @vd: the device
 * @nv_cache: wanted nv_cache
 * @write_through: wanted write_through
 *
 * Turning write_through on while the device runs flushes the backing
 * cache once: writes completed before the switch were acknowledged as
 * cached, and SYNCHRONIZE CACHE becomes a no-op from now on.
 *
 * Context: @vd->cfg_lock held; may sleep.
 * Return: 0, -EBUSY (vdisk_cache_change_refused(), nothing changed) or
 * the flush's -errno (the switch is made either way).
 */
int vdisk_set_cache_mode(struct vdisk_dev *vd, bool nv_cache,
			 bool write_through)
{
	bool was = READ_ONCE(vd->write_through);

	if (vdisk_cache_change_refused(vd, nv_cache, write_through))
		return -EBUSY;
	WRITE_ONCE(vd->nv_cache, nv_cache);
	WRITE_ONCE(vd->write_through, write_through);
	if (write_through && !was && vd->bdev && bdev_write_cache(vd->bdev))
		return blkdev_issue_flush(vd->bdev);
	return 0;
}

static int vdisk_setup_pi(struct vdisk_dev *vd)
{
	struct se_dev_attrib *da = &vd->dev.dev_attrib;

	switch (vdisk_pi_kind(bdev_get_integrity(vd->bdev))) {
	case VDISK_PI_TYPE1_CRC:
		da->pi_prot_type = TARGET_DIF_TYPE1_PROT;
		break;
	case VDISK_PI_TYPE3_CRC:
		da->pi_prot_type = TARGET_DIF_TYPE3_PROT;
		break;
	case VDISK_PI_IP:
		pr_err("%s: T10-PI with an IP checksum cannot be exported\n",
		       vd->path);
		return -EOPNOTSUPP;
	case VDISK_PI_NONE:
		break;
	}
	if (da->pi_prot_type) {
		if (vd->blocksize &&
		    vd->blocksize != bdev_logical_block_size(vd->bdev)) {
			pr_err("%s: blocksize=%u must equal the logical block size %u of a T10-PI device\n",
			       vd->path, vd->blocksize,
			       bdev_logical_block_size(vd->bdev));
			return -EINVAL;
		}
		if (bioset_integrity_create(&vd->bs, VDISK_BIO_POOL)) {
			pr_err("%s: no memory for the PI bio pool\n", vd->path);
			return -ENOMEM;
		}
	}
	da->hw_pi_prot_type = da->pi_prot_type;
	return 0;
}

/**
 * vdisk_configure_device() - LIO's configure_device hook ("enable")
 * @dev: the device
 *
 * Opens the backing device (read-only if asked) and sets what LIO
 * exports from it: block size (blocksize= or the device's), transfer
 * limits, WRITE SAME length, rotation, T10-PI type and SCST thin
 * provisioning. On failure the backing device is closed again.
 *
 * Return: 0 or -errno (logged).
 */
int vdisk_configure_device(struct se_device *dev)
{
	struct vdisk_dev *vd = VDISK_DEV(dev);
	struct se_dev_attrib *da = &dev->dev_attrib;
	struct block_device *bdev;
	struct request_queue *q;
	unsigned int lbs, bs;
	u64 max_bytes;
	int ret;

	mutex_lock(&vd->cfg_lock);
	if (!vd->has_path) {
		pr_err("Missing udev_path= parameters for IBLOCK\n");
		ret = -EINVAL;
		goto out;
	}

	ret = bioset_init(&vd->bs, VDISK_BIO_POOL,
			  offsetof(struct vdisk_bio, bio), BIOSET_NEED_BVECS);
	if (ret)
		goto out;
	vd->bs_ready = true;

	bdev = vdisk_bdev_open(vd->path, !vd->readonly, vd, &vd->claim);
	if (IS_ERR(bdev)) {
		ret = PTR_ERR(bdev);
		pr_err("cannot open %s: %d\n", vd->path, ret);
		goto out_bioset;
	}
	vd->bdev = bdev;
	q = bdev_get_queue(bdev);

	lbs = bdev_logical_block_size(bdev);
	bs = lbs;
	if (vd->blocksize) {
		char err[VDISK_ERR_LEN];

		if (vdisk_check_blocksize(vd->blocksize, lbs, err,
					  sizeof(err))) {
			pr_err("%s: %s\n", vd->path, err);
			ret = -EINVAL;
			goto out_put;
		}
		bs = vd->blocksize;
	}
	/* the last LBA (vdisk_get_blocks()) of an empty device is -1 */
	if (bdev_nr_bytes(bdev) < bs) {
		pr_err("%s: %llu bytes hold no %u-byte block\n",
		       vd->path, bdev_nr_bytes(bdev), bs);
		ret = -EINVAL;
		goto out_put;
	}
	/*
	 * LIO copies hw_block_size into block_size after this returns, so
	 * the exported size goes here. max_bytes_per_io keeps hw_max_sectors
	 * right if block_size is changed later.
	 */
	da->hw_block_size = bs;
	max_bytes = (u64)queue_max_hw_sectors(q) << SECTOR_SHIFT;
	da->hw_max_sectors = min_t(u64, max_bytes / bs, U32_MAX);
	vdisk_set_max_bytes_per_io(da, min_t(u64, max_bytes, rounddown(U32_MAX, 4096)));
	da->hw_queue_depth = q->nr_requests;
	da->block_size = bs;

	vdisk_configure_write_same(dev);
	if (!vd->rot_set && bdev_nonrot(bdev))
		da->is_nonrot = 1;

	ret = vdisk_setup_pi(vd);
	if (ret)
		goto out_put;

	/* SCST: thin_provisioned defaults to "the device can discard" */
	if (vd->thin != 0 && bdev_max_discard_sectors(bdev)) {
		vdisk_apply_thin(vd, true);
	} else if (vd->thin == 1) {
		pr_err("%s: thin_provisioned=1 but the device has no discard support\n",
		       vd->path);
		ret = -EOPNOTSUPP;
		goto out_put;
	}
	/*
	 * Only an enable that worked marks the device: LIO makes every LUN
	 * of a DF_READ_ONLY device read-only, so a mark left by a failed
	 * readonly=1 attempt would outlive a later readonly=0 enable.
	 */
	if (vd->readonly)
		dev->dev_flags |= DF_READ_ONLY;
	else
		dev->dev_flags &= ~DF_READ_ONLY;
	mutex_unlock(&vd->cfg_lock);
	return 0;

out_put:
	vdisk_bdev_close(bdev, &vd->claim);
	vd->bdev = NULL;
	da->pi_prot_type = 0;
	da->hw_pi_prot_type = 0;
out_bioset:
	bioset_exit(&vd->bs);
	vd->bs_ready = false;
out:
	mutex_unlock(&vd->cfg_lock);
	return ret;
}

/**
 * vdisk_plug_device() - LIO's plug_device hook
 * @dev: the device
 *
 * One block plug per CPU around a submission work's commands.
 *
 * Return: the plug, or NULL when this CPU's plug is already in use (the
 * caller then submits under the outer plug).
 */
struct se_dev_plug *vdisk_plug_device(struct se_device *dev)
{
	struct vdisk_plug *plug = raw_cpu_ptr(VDISK_DEV(dev)->plugs);

	/* one submission work per CPU; a nested caller just rides along */
	if (test_and_set_bit(0, &plug->busy))
		return NULL;
	blk_start_plug(&plug->blk_plug);
	return &plug->se_plug;
}

void vdisk_unplug_device(struct se_dev_plug *se_plug)
{
	struct vdisk_plug *plug = container_of(se_plug, struct vdisk_plug,
					       se_plug);

	blk_finish_plug(&plug->blk_plug);
	clear_bit(0, &plug->busy);
}

/**
 * vdisk_apply_params() - apply a parsed control string
 * @vd: the device
 * @p: what vdisk_parse_control() found; only the tokens in @p->set count
 *
 * Once the device is open, a token that would change what is already
 * exported (path, read-only, block size, a cache hidden so far) refuses
 * the whole string before anything is applied.
 *
 * Context: @vd->cfg_lock held.
 * Return: 0 or -errno (logged).
 */
static int vdisk_apply_params(struct vdisk_dev *vd,
			      const struct vdisk_params *p)
{
	bool open = vd->bdev != NULL;
	bool nv_cache = p->set & VDISK_P_NV_CACHE ? p->nv_cache : vd->nv_cache;
	bool write_through = p->set & VDISK_P_WRITE_THROUGH ?
			     p->write_through : vd->write_through;
	int ret = 0;

	lockdep_assert_held(&vd->cfg_lock);
	if (vdisk_cache_change_refused(vd, nv_cache, write_through))
		return -EBUSY;

	if (open) {
		if (p->set & VDISK_P_PATH) {
			pr_err("Unable to set udev_path= while the device is open (%s)\n",
			       vd->path);
			return -EEXIST;
		}
		if ((p->set & VDISK_P_READONLY) && p->readonly != vd->readonly) {
			pr_err("%s: readonly cannot change while the device is open\n",
			       vd->path);
			return -EBUSY;
		}
		if ((p->set & VDISK_P_BLOCKSIZE) &&
		    p->blocksize != vd->dev.dev_attrib.block_size) {
			pr_err("%s: blocksize cannot change through control once enabled; use attrib/block_size\n",
			       vd->path);
			return -EBUSY;
		}
		if ((p->set & VDISK_P_THIN) && p->thin &&
		    !bdev_max_discard_sectors(vd->bdev)) {
			pr_err("%s: thin_provisioned=1 but the device has no discard support\n",
			       vd->path);
			return -EOPNOTSUPP;
		}
	}

	if (p->set & VDISK_P_PATH) {
		strscpy(vd->path, p->path, sizeof(vd->path));
		vd->has_path = true;
	}
	if (p->set & VDISK_P_READONLY)
		vd->readonly = p->readonly;
	if (p->set & VDISK_P_BLOCKSIZE)
		vd->blocksize = p->blocksize;
	if (p->set & (VDISK_P_NV_CACHE | VDISK_P_WRITE_THROUGH))
		ret = vdisk_set_cache_mode(vd, nv_cache, write_through);
	if (p->set & VDISK_P_REMOVABLE)
		WRITE_ONCE(vd->removable, p->removable);
	if (p->set & VDISK_P_ROTATIONAL)
		vdisk_apply_rotational(vd, p->rotational);
	if (p->set & VDISK_P_THIN) {
		vd->thin = p->thin;
		if (open)
			vdisk_apply_thin(vd, p->thin);
	}
	return ret;
}

/**
 * vdisk_set_params() - LIO's set_configfs_dev_params hook ("control")
 * @dev: the device
 * @page: the written string
 * @count: its length
 *
 * Parses the whole string first; a bad token rejects it all (logged,
 * -EINVAL) before anything is applied.
 *
 * Return: @count or -errno.
 */
ssize_t vdisk_set_params(struct se_device *dev, const char *page,
			 ssize_t count)
{
	struct vdisk_dev *vd = VDISK_DEV(dev);
	struct vdisk_params *p;
	char err[VDISK_ERR_LEN];
	int ret;

	p = kmalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	ret = vdisk_parse_control(page, count, p, err, sizeof(err));
	if (ret) {
		if (ret == -EINVAL)
			pr_err("%s: control rejected: %s\n",
			       config_item_name(&dev->dev_group.cg_item), err);
		goto out;
	}
	mutex_lock(&vd->cfg_lock);
	ret = vdisk_apply_params(vd, p);
	mutex_unlock(&vd->cfg_lock);
out:
	kfree(p);
	return ret ? ret : count;
}

/**
 * vdisk_show_params() - LIO's show_configfs_dev_params hook ("info")
 * @dev: the device
 * @b: the configfs page
 *
 * The first two lines are the in-tree format, which rtslib parses
 * ("readonly:", "Major:", "Minor:"). The SCST parameters follow as
 * key=value so no ": " pattern of rtslib can match them, then keel's
 * counters (commands sent through a bounce buffer).
 *
 * Return: bytes written to @b.
 */
ssize_t vdisk_show_params(struct se_device *dev, char *b)
{
	struct vdisk_dev *vd = VDISK_DEV(dev);
	struct block_device *bdev = vd->bdev;
	ssize_t n = 0;

	if (bdev)
		n += sprintf(b + n, "iBlock device: %pg", bdev);
	if (vd->has_path)
		n += sprintf(b + n, "  UDEV PATH: %s", vd->path);
	n += sprintf(b + n, "  readonly: %d\n", vd->readonly);
	n += sprintf(b + n, "        ");
	if (bdev)
		n += sprintf(b + n, "Major: %d Minor: %d  CLAIMED: IBLOCK\n",
			     MAJOR(bdev->bd_dev), MINOR(bdev->bd_dev));
	else
		n += sprintf(b + n, "Major: 0 Minor: 0\n");
	n += sprintf(b + n,
		     "        SCST: nv_cache=%d write_through=%d thin_provisioned=%d rotational=%s removable=%d blocksize=%u\n",
		     READ_ONCE(vd->nv_cache), READ_ONCE(vd->write_through),
		     dev->dev_attrib.emulate_tpu || dev->dev_attrib.emulate_tpws,
		     !READ_ONCE(vd->rot_set) ? "auto" :
		     dev->dev_attrib.is_nonrot ? "0" : "1",
		     READ_ONCE(vd->removable),
		     bdev ? dev->dev_attrib.block_size : vd->blocksize);
	n += sprintf(b + n, "        keel: bounced=%ld\n",
		     atomic_long_read(&vd->bounced));
	return n;
}

sector_t vdisk_get_blocks(struct se_device *dev)
{
	struct vdisk_dev *vd = VDISK_DEV(dev);

	u64 blocks = bdev_nr_bytes(vd->bdev) >>
		     ilog2(dev->dev_attrib.block_size);

	/*
	 * Last LBA, in exported blocks; a partial tail block is not exposed.
	 * Enable refuses a device without a whole block; one that shrank
	 * below it since reports LBA 0, and I/O past its end fails.
	 */
	return blocks ? blocks - 1 : 0;
}

sector_t vdisk_get_alignment_offset_lbas(struct se_device *dev)
{
	struct block_device *bdev = VDISK_DEV(dev)->bdev;
	int off = bdev_alignment_offset(bdev);

	return off > 0 ? off / dev->dev_attrib.block_size : 0;
}

unsigned int vdisk_get_lbppbe(struct se_device *dev)
{
	struct block_device *bdev = VDISK_DEV(dev)->bdev;
	unsigned int pbs = bdev_physical_block_size(bdev);
	unsigned int bs = dev->dev_attrib.block_size;

	return pbs > bs ? ilog2(pbs / bs) : 0;
}

unsigned int vdisk_get_io_min(struct se_device *dev)
{
	return bdev_io_min(VDISK_DEV(dev)->bdev);
}

unsigned int vdisk_get_io_opt(struct se_device *dev)
{
	return bdev_io_opt(VDISK_DEV(dev)->bdev);
}

/**
 * vdisk_get_write_cache() - LIO's get_write_cache hook
 * @dev: an open device
 *
 * WCE in the caching mode page and V_SUP in VPD 86h. SCST: nv_cache
 * (a non-volatile cache) and write_through both report no write cache.
 *
 * Return: true when a volatile write cache is reported.
 */
bool vdisk_get_write_cache(struct se_device *dev)
{
	struct vdisk_dev *vd = VDISK_DEV(dev);

	if (READ_ONCE(vd->nv_cache) || READ_ONCE(vd->write_through))
		return false;
	return bdev_write_cache(vd->bdev);
}
