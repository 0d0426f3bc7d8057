// SPDX-License-Identifier: GPL-2.0
/*
 * keel vdisk: CDB hooks. LIO's SBC parser does the CDB checks and the
 * emulated commands; this file supplies what touches the block device
 * (SYNCHRONIZE CACHE, UNMAP, WRITE SAME) and two INQUIRY overrides for
 * SCST's removable and rotational parameters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/bio.h>
#include <linux/highmem.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait_bit.h>
#include <scsi/scsi_proto.h>
#include <target/target_core_fabric.h>

#include "vdisk.h"

/* SCST vdisk reports 15000 rpm for a rotating medium */
#define VDISK_ROTATION_RATE	0x3a98

static void vdisk_flush_end(struct bio *bio)
{
	struct se_cmd *cmd = bio->bi_private;
	blk_status_t sts = bio->bi_status;

	bio_put(bio);
	if (sts)
		vdisk_fail_cmd(cmd, sts, VDISK_KIND_FLUSH, false, 0);
	else
		target_complete_cmd(cmd, SAM_STAT_GOOD);
}

/*
 * IMMED: the initiator has its GOOD already, and nothing else holds the
 * device (or this module) for the bio: vdisk_destroy_device() waits for
 * the count to drop. The in-tree iblock lets the bio outlive both.
 */
static void vdisk_immed_flush_end(struct bio *bio)
{
	struct vdisk_dev *vd = bio->bi_private;

	if (bio->bi_status)
		pr_err_ratelimited("%s: cache flush (IMMED) failed: %d\n",
				   vd->path, blk_status_to_errno(bio->bi_status));
	bio_put(bio);
	if (atomic_dec_and_test(&vd->immed_flushes))
		wake_up_var(&vd->immed_flushes);
}

/*
 * SYNCHRONIZE CACHE(10/16): a whole-device flush (block devices cannot
 * flush a range). nv_cache and write_through make it a no-op: nothing
 * volatile is left behind a completed write.
 */
static sense_reason_t vdisk_sync_cache(struct se_cmd *cmd)
{
	struct vdisk_dev *vd = VDISK_DEV(cmd->se_dev);
	bool immed = cmd->t_task_cdb[1] & 0x2;
	struct bio *bio;

	if (READ_ONCE(vd->nv_cache) || READ_ONCE(vd->write_through)) {
		target_complete_cmd(cmd, SAM_STAT_GOOD);
		return 0;
	}
	bio = bio_alloc(vd->bdev, 0, REQ_OP_WRITE | REQ_PREFLUSH, GFP_NOIO);
	if (immed) {
		atomic_inc(&vd->immed_flushes);
		bio->bi_end_io = vdisk_immed_flush_end;
		bio->bi_private = vd;
		target_complete_cmd(cmd, SAM_STAT_GOOD);
	} else {
		bio->bi_end_io = vdisk_flush_end;
		bio->bi_private = cmd;
	}
	submit_bio(bio);
	return 0;
}

/*
 * One UNMAP descriptor or a WRITE SAME with UNMAP=1; LIO has checked the
 * range. With LBPRZ reported (unmap_zeroes_data) the range must read back
 * as zeroes, which only a zeroing write-zeroes/zero-fill guarantees;
 * otherwise it is a plain discard as in-tree.
 */
static sense_reason_t vdisk_unmap(struct se_cmd *cmd, sector_t lba,
				  sector_t nolb)
{
	struct se_device *dev = cmd->se_dev;
	struct block_device *bdev = VDISK_DEV(dev)->bdev;
	sector_t sector = vdisk_lba_to_sector(dev, lba);
	sector_t nr = vdisk_lba_to_sector(dev, nolb);
	int ret;

	if (dev->dev_attrib.unmap_zeroes_data)
		ret = blkdev_issue_zeroout(bdev, sector, nr, GFP_KERNEL, 0);
	else
		ret = blkdev_issue_discard(bdev, sector, nr, GFP_KERNEL);
	if (ret) {
		pr_err_ratelimited("%s: unmap of LBA %llu+%llu failed: %d\n",
				   config_item_name(&dev->dev_group.cg_item),
				   (unsigned long long)lba,
				   (unsigned long long)nolb, ret);
		return vdisk_errno_to_reason(ret, VDISK_KIND_UNMAP);
	}
	return 0;
}

/*
 * The device offered write-zeroes and refused it. Write the zero block
 * as a pattern instead, as blkdev_issue_zeroout() falls back to zero
 * pages; from process context, where bios can be built.
 */
static void vdisk_zero_fallback(struct work_struct *work)
{
	struct se_cmd *cmd = container_of(work, struct se_cmd, work);
	sense_reason_t reason;

	reason = vdisk_write_same_pattern(cmd);
	if (reason)
		transport_generic_request_failure(cmd, reason);
}

static void vdisk_zero_end(struct bio *bio)
{
	struct se_cmd *cmd = bio->bi_private;
	struct vdisk_dev *vd = VDISK_DEV(cmd->se_dev);
	blk_status_t sts = bio->bi_status;
	bool offload = bio_op(bio) == REQ_OP_WRITE_ZEROES;

	bio_put(bio);
	/*
	 * Refused: BLK_STS_NOTSUPP (a loop device over a file system
	 * without FALLOC_FL_ZERO_RANGE), or the offer is gone (sd turns
	 * WRITE SAME off when a disk rejects it). The command is still
	 * ours, so its work item is free until it completes.
	 */
	if (sts && offload &&
	    (sts == BLK_STS_NOTSUPP || !bdev_write_zeroes_sectors(vd->bdev))) {
		pr_info_ratelimited("%s: write-zeroes refused, writing zeroes\n",
				    vd->path);
		INIT_WORK(&cmd->work, vdisk_zero_fallback);
		vdisk_io_defer(&cmd->work);
		return;
	}
	if (sts)
		vdisk_fail_cmd(cmd, sts, VDISK_KIND_WRITE, false, 0);
	else
		target_complete_cmd(cmd, SAM_STAT_GOOD);
}

/* WRITE SAME of a zero block: asynchronous write-zeroes, no unmapping. */
static sense_reason_t vdisk_write_same_zero(struct se_cmd *cmd)
{
	struct se_device *dev = cmd->se_dev;
	struct block_device *bdev = VDISK_DEV(dev)->bdev;
	struct bio *bio = NULL;
	int ret;

	ret = __blkdev_issue_zeroout(bdev,
			vdisk_lba_to_sector(dev, cmd->t_task_lba),
			vdisk_lba_to_sector(dev, sbc_get_write_same_sectors(cmd)),
			GFP_NOIO, &bio, BLKDEV_ZERO_NOUNMAP);
	if (ret) {
		if (bio) {
			/* chained part already in flight: wait it out */
			submit_bio_wait(bio);
			bio_put(bio);
		}
		return vdisk_errno_to_reason(ret, VDISK_KIND_WRITE);
	}
	if (!bio)
		return TCM_INVALID_CDB_FIELD;
	bio->bi_private = cmd;
	bio->bi_end_io = vdisk_zero_end;
	submit_bio(bio);
	return 0;
}

static bool vdisk_block_is_zero(struct se_cmd *cmd)
{
	struct scatterlist *sg = &cmd->t_data_sg[0];
	void *p = kmap_local_page(sg_page(sg));
	bool zero = !memchr_inv(p + sg->offset, 0, sg->length);

	kunmap_local(p);
	return zero;
}

static sense_reason_t vdisk_write_same(struct se_cmd *cmd)
{
	struct se_device *dev = cmd->se_dev;
	struct scatterlist *sg = cmd->t_data_sg;

	if (cmd->prot_op) {
		pr_err_ratelimited("WRITE SAME with protection information is not supported\n");
		return TCM_UNSUPPORTED_SCSI_OPCODE;
	}
	if (cmd->t_data_nents != 1 || !sg ||
	    sg->length != dev->dev_attrib.block_size ||
	    sg->offset + sg->length > PAGE_SIZE) {
		pr_err_ratelimited("WRITE SAME: payload of %u entries / %u bytes, block size %u\n",
				   cmd->t_data_nents, sg ? sg->length : 0,
				   dev->dev_attrib.block_size);
		return TCM_INVALID_CDB_FIELD;
	}
	/*
	 * Write-zeroes cannot carry FUA: under write_through with a volatile
	 * cache the zeroes go through the FUA pattern path instead.
	 */
	if (vdisk_block_is_zero(cmd) &&
	    !(READ_ONCE(VDISK_DEV(dev)->write_through) &&
	      !READ_ONCE(VDISK_DEV(dev)->nv_cache) &&
	      bdev_write_cache(VDISK_DEV(dev)->bdev)))
		return vdisk_write_same_zero(cmd);
	return vdisk_write_same_pattern(cmd);
}

/* Copy an emulated INQUIRY page to the data buffer and complete. */
static sense_reason_t vdisk_inquiry_reply(struct se_cmd *cmd, const u8 *buf,
					  unsigned int len)
{
	void *dst = transport_kmap_data_sg(cmd);

	if (dst) {
		memcpy(dst, buf, min(len, cmd->data_length));
		transport_kunmap_data_sg(cmd);
	}
	target_complete_cmd_with_length(cmd, SAM_STAT_GOOD, len);
	return 0;
}

/* Standard INQUIRY with the RMB bit (SCST removable=1). */
static sense_reason_t vdisk_inquiry_std(struct se_cmd *cmd)
{
	struct se_device *dev = cmd->se_dev;
	u8 *buf;
	sense_reason_t ret;

	if (cmd->t_task_cdb[2])
		return TCM_INVALID_CDB_FIELD;
	buf = kzalloc(SE_INQUIRY_BUF, GFP_KERNEL);
	if (!buf)
		return TCM_OUT_OF_RESOURCES;
	buf[0] = dev->transport->get_device_type(dev);
	ret = spc_emulate_inquiry_std(cmd, buf);
	if (!ret) {
		buf[1] |= 0x80;
		ret = vdisk_inquiry_reply(cmd, buf, buf[4] + 5);
	}
	kfree(buf);
	return ret;
}

/* VPD B1 (Block Device Characteristics) with SCST's rotation rates. */
static sense_reason_t vdisk_inquiry_b1(struct se_cmd *cmd)
{
	struct se_device *dev = cmd->se_dev;
	u8 buf[64] = { 0 };

	buf[0] = dev->transport->get_device_type(dev);
	buf[1] = 0xb1;
	put_unaligned_be16(sizeof(buf) - 4, &buf[2]);
	put_unaligned_be16(dev->dev_attrib.is_nonrot ? 1 : VDISK_ROTATION_RATE,
			   &buf[4]);
	return vdisk_inquiry_reply(cmd, buf, sizeof(buf));
}

static struct exec_cmd_ops vdisk_exec_cmd_ops = {
	.execute_rw		= vdisk_execute_rw,
	.execute_sync_cache	= vdisk_sync_cache,
	.execute_write_same	= vdisk_write_same,
	.execute_unmap		= vdisk_unmap,
};

/* Commands that change the medium. */
static bool vdisk_cdb_writes(const u8 *cdb)
{
	switch (cdb[0]) {
	case WRITE_6:
	case WRITE_10:
	case WRITE_12:
	case WRITE_16:
	case WRITE_VERIFY:
	case WRITE_VERIFY_12:
	case WRITE_VERIFY_16:
	case WRITE_SAME:
	case WRITE_SAME_16:
	case UNMAP:
	case COMPARE_AND_WRITE:
	case XDWRITEREAD_10:
		return true;
	case VARIABLE_LENGTH_CMD:
		return get_unaligned_be16(&cdb[8]) == WRITE_SAME_32;
	}
	return false;
}

/*
 * With no volatile write cache reported, DPO and FUA change nothing (a
 * write is durable when it completes) and LIO refuses them as not
 * advertised (sbc_check_dpofua()). An initiator that read WCE=1 before
 * nv_cache or write_through was switched on at runtime still sends them:
 * its commands are accepted, the bits cleared. The cache cannot come
 * back under it (vdisk_cache_change_refused()).
 */
static void vdisk_strip_dpofua(struct se_cmd *cmd, u8 *cdb)
{
	switch (cdb[0]) {
	case READ_10:
	case READ_12:
	case READ_16:
	case WRITE_10:
	case WRITE_12:
	case WRITE_16:
	case WRITE_VERIFY:
	case WRITE_VERIFY_16:
	case COMPARE_AND_WRITE:
		break;
	default:
		return;
	}
	if (!(cdb[1] & 0x18) || vdisk_get_write_cache(cmd->se_dev))
		return;
	pr_debug("%s: DPO/FUA of CDB 0x%02x ignored: no volatile cache\n",
		 VDISK_DEV(cmd->se_dev)->path, cdb[0]);
	cdb[1] &= ~0x18;
}

/**
 * vdisk_parse_cdb() - LIO's parse_cdb hook
 * @cmd: the command
 *
 * sbc_parse_cdb() with the backend's execute hooks, plus what SCST's
 * vdisk_blockio adds: writes to a read-only device are refused here,
 * DPO/FUA are accepted without a volatile cache, and INQUIRY is answered
 * by the backend when removable= or rotational= set bits LIO's own
 * emulation does not know about.
 *
 * Return: 0 or the sense reason to fail the command with.
 */
sense_reason_t vdisk_parse_cdb(struct se_cmd *cmd)
{
	struct vdisk_dev *vd = VDISK_DEV(cmd->se_dev);
	u8 *cdb = cmd->t_task_cdb;
	sense_reason_t ret;

	/*
	 * A read-only device refuses writes itself: LIO reports WP in MODE
	 * SENSE for it but only blocks writes on read-only LUN mappings,
	 * so a raw WRITE would otherwise reach the device.
	 */
	if (unlikely(vd->readonly) && vdisk_cdb_writes(cdb))
		return TCM_WRITE_PROTECTED;
	vdisk_strip_dpofua(cmd, cdb);

	ret = sbc_parse_cdb(cmd, &vdisk_exec_cmd_ops);
	if (ret || cdb[0] != INQUIRY)
		return ret;

	if (!(cdb[1] & 0x01)) {
		if (READ_ONCE(vd->removable))
			cmd->execute_cmd = vdisk_inquiry_std;
	} else if (cdb[2] == 0xb1 && READ_ONCE(vd->rot_set)) {
		cmd->execute_cmd = vdisk_inquiry_b1;
	}
	return 0;
}
