// SPDX-License-Identifier: GPL-2.0
/*
 * keel vdisk: the data path.
 *
 * A command becomes one or more bios from the device's bio_set. The
 * command's state (struct vdisk_io) lives in the front pad of its first
 * bio, so no allocation is made per command; that bio is released last.
 *
 *   build:  pending = 1 (builder's bias)
 *           for each bio: pending++, fill up to the queue's max_sectors,
 *                         attach PI, submit when the next one starts
 *           drop the bias
 *   endio:  record the lowest failed bio (start, length, status), pending--
 *   pending == 0: GOOD, or the mapped CHECK CONDITION; free the first bio
 *                 (a multi-block read that failed on the medium is first
 *                 narrowed to its bad block by a probe work item)
 *
 * All bios of a command are submitted under one plug (nested inside the
 * per-CPU plug of LIO's submission work when there is one).
 *
 * Data whose pieces the backing device's DMA alignment refuses (tcm_loop
 * and vhost-scsi pass the initiator's buffers, aligned to 4 bytes; brd
 * and md/dm over it want whole sectors) is copied to whole pages first
 * and, for a read, back when the bios are done (vdisk_bounce_*()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/blk-integrity.h>
#include <linux/bio.h>
#include <linux/highmem.h>
#include <linux/scatterlist.h>
#include <linux/workqueue.h>
#include <scsi/scsi_proto.h>

#include "vdisk.h"

/* Where the next protection bytes come from (cmd->t_prot_sg). */
struct vdisk_prot_pos {
	struct scatterlist *sg;
	unsigned int off;
};

/**
 * struct vdisk_builder - turns one command's data into bios
 * @vd: the device
 * @cmd: the command
 * @io: the command's state, set when the first bio is allocated
 * @bio: the bio being filled, not yet submitted
 * @opf: operation and flags of every bio
 * @start: backing-device sector of the command's first byte
 * @pos: bytes of the command's data added to bios so far. Counted in
 *	 bytes, not sectors: a scatterlist entry need not be a whole number
 *	 of sectors (tcm_loop and vhost-scsi pass the initiator's buffers,
 *	 which O_DIRECT only aligns to 4 bytes), only a bio must be
 * @lbs: logical block size of the backing device, what every bio is a
 *	 multiple of
 * @max_bytes: size limit of one bio (whole backing-device blocks)
 * @nr_vecs: bvecs to allocate per bio
 * @pi: the command carries T10-PI bytes to attach
 * @hold: submit nothing: the data's alignment is being checked while the
 *	  one bio it fits is built (vdisk_flush_bio() refuses)
 * @prot: where the next PI bytes come from
 * @bounce: the bios carry these pages instead of @sgl (vdisk_io.bounce)
 * @sgl: the command's data, with @bounce
 * @nents: entries in @sgl
 */
struct vdisk_builder {
	struct vdisk_dev *vd;
	struct se_cmd *cmd;
	struct vdisk_io *io;
	struct bio *bio;
	blk_opf_t opf;
	sector_t start;
	u64 pos;
	unsigned int lbs;
	unsigned int max_bytes;
	unsigned int nr_vecs;
	bool pi;
	bool hold;
	struct vdisk_prot_pos prot;
	struct scatterlist *bounce;
	struct scatterlist *sgl;
	u32 nents;
};

/**
 * vdisk_fail_cmd() - complete a command with the sense for an error
 * @cmd: the command
 * @sts: block layer status
 * @kind: read, write, flush or unmap
 * @has_lba: @lba is known
 * @lba: first failed LBA in exported blocks
 */
void vdisk_fail_cmd(struct se_cmd *cmd, blk_status_t sts,
		    enum vdisk_io_kind kind, bool has_lba, u64 lba)
{
	struct se_device *dev = cmd->se_dev;
	struct vdisk_err_map m;
	u8 sense[TRANSPORT_SENSE_BUFFER];
	bool desc;

	vdisk_map_status(sts, kind, &m);
	pr_err_ratelimited("%s: %s failed at LBA %llu: %d\n",
			   config_item_name(&dev->dev_group.cg_item),
			   kind == VDISK_KIND_READ ? "read" :
			   kind == VDISK_KIND_WRITE ? "write" :
			   kind == VDISK_KIND_FLUSH ? "flush" : "unmap",
			   has_lba ? lba : cmd->t_task_lba,
			   blk_status_to_errno(sts));

	/*
	 * Own sense data bypasses LIO's failure path, which is also where a
	 * COMPARE AND WRITE releases its lock: those keep the core's sense.
	 */
	if (!m.key || cmd->transport_complete_callback) {
		target_complete_cmd_with_sense(cmd, SAM_STAT_CHECK_CONDITION,
					       m.reason);
		return;
	}
	desc = dev->transport->get_blocks(dev) > U32_MAX;
	vdisk_build_sense(sense, sizeof(sense), desc, m.key, m.asc, m.ascq,
			  m.lba_info && has_lba, lba);
	transport_copy_sense_to_cmd(cmd, sense);
	target_complete_cmd(cmd, SAM_STAT_CHECK_CONDITION);
}

/* unaligned-buffer probes here, write-zeroes fallbacks (vdisk_io_defer()) */
static struct workqueue_struct *vdisk_probe_wq;

/**
 * vdisk_bounce_alloc() - whole pages to carry a command's data
 * @cmd: the command
 * @sgl: its data
 * @nents: entries in @sgl
 * @len: bytes of it to carry
 * @dir: DMA_TO_DEVICE: the data is copied in now
 * @bnents: entries of the bounce list
 *
 * Return: the bounce list, or NULL without memory.
 */
static struct scatterlist *vdisk_bounce_alloc(struct se_cmd *cmd,
					      struct scatterlist *sgl,
					      u32 nents, u32 len,
					      enum dma_data_direction dir,
					      unsigned int *bnents)
{
	struct vdisk_dev *vd = VDISK_DEV(cmd->se_dev);
	struct scatterlist *bounce;

	bounce = sgl_alloc(len, GFP_NOIO, bnents);
	if (!bounce)
		return NULL;
	if (dir == DMA_TO_DEVICE)
		vdisk_bounce_copy(bounce, sgl, nents, len, true);
	if (atomic_long_inc_return(&vd->bounced) == 1)
		pr_info("%s: buffers not aligned to %u bytes go through bounce pages (bounced= in info counts them)\n",
			vd->path, bdev_dma_alignment(vd->bdev) + 1);
	return bounce;
}

static void vdisk_io_complete(struct vdisk_io *io)
{
	struct vdisk_bio *first = container_of(io, struct vdisk_bio, own);
	struct se_cmd *cmd = io->cmd;

	if (io->bounce) {
		if (io->kind == VDISK_KIND_READ && !io->status)
			vdisk_bounce_copy(io->bounce, io->sgl, io->nents,
					  io->bounce_len, false);
		sgl_free(io->bounce);
	}
	if (likely(!io->status)) {
		target_complete_cmd(cmd, SAM_STAT_GOOD);
	} else {
		struct se_device *dev = cmd->se_dev;
		bool has_lba = io->err_sector != (sector_t)-1;
		u64 lba = has_lba ? io->err_sector >> vdisk_lb_shift(dev) : 0;

		vdisk_fail_cmd(cmd, io->status, io->kind, has_lba, lba);
	}
	bio_put(&first->bio);
}

/**
 * vdisk_probe_fn() - find the first bad block of a failed multi-block read
 * @work: &vdisk_io.probe of the command
 *
 * A read bio of several blocks failed on the medium: read its blocks one
 * by one up to the first one that fails, so the sense data names that
 * block rather than the start of the bio. Blocks before it read fine.
 * Completes the command.
 */
static void vdisk_probe_fn(struct work_struct *work)
{
	struct vdisk_io *io = container_of(work, struct vdisk_io, probe);
	struct se_device *dev = io->cmd->se_dev;
	unsigned int bs = dev->dev_attrib.block_size;
	sector_t s, end = io->err_sector + io->err_len;
	struct bio_vec bv;
	struct page *page;
	struct bio bio;

	page = alloc_page(GFP_NOIO);
	for (s = io->err_sector; page && s < end; s += bs >> SECTOR_SHIFT) {
		int ret;

		bio_init(&bio, VDISK_DEV(dev)->bdev, &bv, 1, REQ_OP_READ);
		bio.bi_iter.bi_sector = s;
		__bio_add_page(&bio, page, bs, 0);
		ret = submit_bio_wait(&bio);
		bio_uninit(&bio);
		if (ret) {
			io->err_sector = s;
			break;
		}
	}
	if (page)
		__free_page(page);
	vdisk_io_complete(io);
}

static void vdisk_io_finish(struct vdisk_io *io)
{
	struct se_device *dev = io->cmd->se_dev;

	if (unlikely(io->status) && io->kind == VDISK_KIND_READ &&
	    (io->status == BLK_STS_MEDIUM || io->status == BLK_STS_IOERR) &&
	    io->err_len > (dev->dev_attrib.block_size >> SECTOR_SHIFT) &&
	    dev->dev_attrib.block_size <= PAGE_SIZE && vdisk_probe_wq) {
		INIT_WORK(&io->probe, vdisk_probe_fn);
		queue_work(vdisk_probe_wq, &io->probe);
		return;
	}
	vdisk_io_complete(io);
}

static inline void vdisk_io_put(struct vdisk_io *io)
{
	if (atomic_dec_and_test(&io->pending))
		vdisk_io_finish(io);
}

static void vdisk_io_error(struct vdisk_io *io, blk_status_t sts,
			   sector_t sector, unsigned int len)
{
	unsigned long flags;

	spin_lock_irqsave(&io->lock, flags);
	if (!io->status || sector < io->err_sector) {
		io->status = sts;
		io->err_sector = sector;
		io->err_len = len;
	}
	spin_unlock_irqrestore(&io->lock, flags);
}

static void vdisk_bio_end(struct bio *bio)
{
	struct vdisk_bio *vb = container_of(bio, struct vdisk_bio, bio);
	struct vdisk_io *io = vb->io;

	if (unlikely(bio->bi_status))
		vdisk_io_error(io, bio->bi_status, vb->start, vb->len);
	if (vb != container_of(io, struct vdisk_bio, own))
		bio_put(bio);
	vdisk_io_put(io);
}

static struct bio *vdisk_new_bio(struct vdisk_builder *b)
{
	struct bio *bio;
	struct vdisk_bio *vb;

	bio = bio_alloc_bioset(b->vd->bdev, b->nr_vecs, b->opf, GFP_NOIO,
			       &b->vd->bs);
	if (!bio)
		return NULL;
	vb = container_of(bio, struct vdisk_bio, bio);
	if (!b->io) {
		struct vdisk_io *io = &vb->own;

		io->cmd = b->cmd;
		atomic_set(&io->pending, 1);
		spin_lock_init(&io->lock);
		io->status = BLK_STS_OK;
		io->err_sector = (sector_t)-1;
		io->kind = op_is_write(b->opf) ? VDISK_KIND_WRITE :
						 VDISK_KIND_READ;
		io->bounce = b->bounce;
		io->sgl = b->sgl;
		io->nents = b->nents;
		io->bounce_len = b->bounce ? b->cmd->data_length : 0;
		b->io = io;
	}
	vb->io = b->io;
	vb->start = b->start + (b->pos >> SECTOR_SHIFT);
	vb->len = 0;
	bio->bi_iter.bi_sector = vb->start;
	bio->bi_private = b->cmd;
	bio->bi_end_io = vdisk_bio_end;
	atomic_inc(&b->io->pending);
	return bio;
}

/* Hang the protection bytes for this bio's sectors off it. */
static int vdisk_attach_pi(struct vdisk_builder *b, struct bio *bio)
{
	struct blk_integrity *bi = bdev_get_integrity(b->vd->bdev);
	struct bio_integrity_payload *bip;
	unsigned int left, nr;

	if (!bi)
		return -ENODEV;
	left = bio_integrity_bytes(bi, bio_sectors(bio));
	nr = min_t(unsigned int, BIO_MAX_VECS,
		   DIV_ROUND_UP(left, PAGE_SIZE) + b->cmd->t_prot_nents);
	bip = bio_integrity_alloc(bio, GFP_NOIO, nr);
	if (IS_ERR(bip))
		return PTR_ERR(bip);
	vdisk_bip_set_size(bip, left);
	bip_set_seed(bip, bio->bi_iter.bi_sector >>
		     (bi->interval_exp - SECTOR_SHIFT));

	while (left) {
		struct scatterlist *sg = b->prot.sg;
		unsigned int pos, len;
		struct page *page;

		if (!sg)
			return -EINVAL;
		if (b->prot.off >= sg->length) {
			b->prot.sg = sg_next(sg);
			b->prot.off = 0;
			continue;
		}
		pos = sg->offset + b->prot.off;
		page = nth_page(sg_page(sg), pos >> PAGE_SHIFT);
		pos &= ~PAGE_MASK;
		len = min3(left, sg->length - b->prot.off,
			   (unsigned int)PAGE_SIZE - pos);
		if (bio_integrity_add_page(bio, page, len, pos) != len)
			return -ENOMEM;
		b->prot.off += len;
		left -= len;
	}
	return 0;
}

/* Drop a bio that was built but never submitted because of @err. */
static void vdisk_discard_bio(struct vdisk_builder *b, struct bio *bio,
			      int err)
{
	struct vdisk_bio *vb = container_of(bio, struct vdisk_bio, bio);

	vdisk_io_error(b->io, vdisk_build_status(err), vb->start, 0);
	if (vb != container_of(b->io, struct vdisk_bio, own))
		bio_put(bio);
	vdisk_io_put(b->io);
}

static int vdisk_flush_bio(struct vdisk_builder *b)
{
	struct bio *bio = b->bio;
	int ret;

	if (!bio)
		return 0;
	if (unlikely(b->hold))
		return -EAGAIN;
	b->bio = NULL;
	container_of(bio, struct vdisk_bio, bio)->len = bio_sectors(bio);
	if (b->pi) {
		ret = vdisk_attach_pi(b, bio);
		if (ret) {
			pr_err_ratelimited("cannot attach PI to a bio: %d\n",
					   ret);
			vdisk_discard_bio(b, bio, ret);
			return ret;
		}
	}
	submit_bio(bio);
	return 0;
}

static int vdisk_add_data(struct vdisk_builder *b, struct page *page,
			  unsigned int off, unsigned int len);

/*
 * The bio is full of bvecs but does not end on a logical block: take
 * the partial block off its last bvec, submit it, and add those bytes
 * to the next bio. Fails when the last bvec is shorter than that.
 */
static int vdisk_cut_bio(struct vdisk_builder *b)
{
	struct bio *bio = b->bio;
	unsigned int r = bio->bi_iter.bi_size & (b->lbs - 1);
	struct bio_vec *bv = &bio->bi_io_vec[bio->bi_vcnt - 1];
	struct page *page = bv->bv_page;
	unsigned int off;
	int ret;

	if (r) {
		if (bv->bv_len <= r)
			return -EINVAL;
		bv->bv_len -= r;
		bio->bi_iter.bi_size -= r;
		b->pos -= r;
	}
	off = bv->bv_offset + bv->bv_len;
	ret = vdisk_flush_bio(b);
	if (ret || !r)
		return ret;
	return vdisk_add_data(b, page, off, r);
}

/*
 * Add @len bytes at @page+@off, starting new bios as needed. A bio is
 * cut where it reaches max_bytes (whole blocks) or runs out of bvecs;
 * it always ends on a logical block of the backing device.
 */
static int vdisk_add_data(struct vdisk_builder *b, struct page *page,
			  unsigned int off, unsigned int len)
{
	while (len) {
		unsigned int room, chunk, poff;
		struct page *p;
		int ret;

		if (!b->bio) {
			b->bio = vdisk_new_bio(b);
			if (!b->bio)
				return -ENOMEM;
		}
		room = b->max_bytes - b->bio->bi_iter.bi_size;
		chunk = min(len, room);
		p = nth_page(page, off >> PAGE_SHIFT);
		poff = off & ~PAGE_MASK;
		if (!chunk) {
			ret = vdisk_flush_bio(b);
		} else if (bio_add_page(b->bio, p, chunk, poff) != chunk) {
			if (!b->bio->bi_iter.bi_size)
				return -EINVAL;	/* cannot make progress */
			ret = vdisk_cut_bio(b);
		} else {
			b->pos += chunk;
			off += chunk;
			len -= chunk;
			continue;
		}
		if (ret)
			return ret;
	}
	return 0;
}

static void vdisk_builder_init(struct vdisk_builder *b, struct se_cmd *cmd,
			       blk_opf_t opf, unsigned int nents)
{
	struct vdisk_dev *vd = VDISK_DEV(cmd->se_dev);
	struct request_queue *q = bdev_get_queue(vd->bdev);
	u64 max = (u64)queue_max_sectors(q) << SECTOR_SHIFT;

	memset(b, 0, sizeof(*b));
	b->vd = vd;
	b->cmd = cmd;
	b->opf = opf;
	b->start = vdisk_lba_to_sector(cmd->se_dev, cmd->t_task_lba);
	b->lbs = bdev_logical_block_size(vd->bdev);
	/* whole logical blocks of the backing device per bio */
	if (!max || max > UINT_MAX)
		max = UINT_MAX;
	b->max_bytes = rounddown((unsigned int)max, b->lbs);
	b->nr_vecs = bio_max_segs(nents);
}

/* Submit what is left and drop the builder's reference. */
static void vdisk_builder_end(struct vdisk_builder *b, int err)
{
	if (!err)
		err = vdisk_flush_bio(b);
	else if (b->bio)
		vdisk_discard_bio(b, b->bio, err);
	if (err && b->io)
		vdisk_io_error(b->io, vdisk_build_status(err),
			       b->start + (b->pos >> SECTOR_SHIFT), 0);
	vdisk_io_put(b->io);
}

/**
 * vdisk_builder_finish() - submit what was built and unplug
 * @b: the builder
 * @plug: the plug started before building
 * @err: 0, or why building stopped early
 *
 * When not even the first bio could be set up the command has not
 * started and LIO may retry it.
 *
 * Return: 0 (the command completes through its bios), or
 * TCM_OUT_OF_RESOURCES.
 */
static sense_reason_t vdisk_builder_finish(struct vdisk_builder *b,
					   struct blk_plug *plug, int err)
{
	sense_reason_t sr = 0;

	if (b->io)
		vdisk_builder_end(b, err);
	else
		sr = TCM_OUT_OF_RESOURCES;
	blk_finish_plug(plug);
	return sr;
}

/*
 * An initiator waits for every write: it is synchronous IO, as an
 * O_DIRECT write is (REQ_SYNC | REQ_IDLE). Without both, writeback
 * throttling (wbt) on the backing queue counts it as background
 * writeback and holds it back whenever reads are slow, and I/O
 * schedulers queue it behind synchronous work.
 */
#define VDISK_WRITE	(REQ_OP_WRITE | REQ_SYNC | REQ_IDLE)

static blk_opf_t vdisk_write_opf(struct vdisk_dev *vd, struct se_cmd *cmd)
{
	/*
	 * nv_cache: the cache is declared non-volatile, never force it.
	 * write_through: every write is durable on completion.
	 * Otherwise FUA exactly when the initiator asked; the block layer
	 * turns it into a post-flush for devices without native FUA and
	 * drops it for devices without a volatile cache.
	 */
	if (READ_ONCE(vd->nv_cache))
		return VDISK_WRITE;
	if (READ_ONCE(vd->write_through) || (cmd->se_cmd_flags & SCF_FUA))
		return VDISK_WRITE | REQ_FUA;
	return VDISK_WRITE;
}

/* T10-PI bytes go with the data when command and device both use them. */
static void vdisk_builder_pi(struct vdisk_builder *b)
{
	struct se_cmd *cmd = b->cmd;

	if (cmd->prot_type && cmd->se_dev->dev_attrib.pi_prot_type &&
	    cmd->t_prot_sg) {
		b->pi = true;
		b->prot.sg = cmd->t_prot_sg;
	}
}

/*
 * Forget what a holding builder built: its one bio was never submitted,
 * so nothing completes and the command's state goes with the bio.
 */
static void vdisk_builder_drop(struct vdisk_builder *b)
{
	if (b->bio)
		bio_put(b->bio);
	b->bio = NULL;
	b->io = NULL;
}

/*
 * Add @left bytes of @sgl to bios; @bits gets the OR of every piece's
 * offset and length, for the alignment check of a holding builder.
 */
static int vdisk_build_data(struct vdisk_builder *b, struct scatterlist *sgl,
			    u32 nents, u32 left, unsigned int *bits)
{
	struct scatterlist *sg;
	unsigned int acc = 0;
	int ret = 0;

	for (sg = sgl; sg && nents; nents--, sg = vdisk_sg_next(sg)) {
		unsigned int len = min(sg->length, left);

		acc |= sg->offset | len;
		/*
		 * Fast path, taken by all but the first entry of a bio: the
		 * whole entry fits, one bio_add_page() and no call of the
		 * general builder (a megabyte write has 256 entries).
		 */
		if (likely(b->bio) &&
		    len <= b->max_bytes - b->bio->bi_iter.bi_size &&
		    bio_add_page(b->bio, sg_page(sg), len, sg->offset) == len) {
			b->pos += len;
		} else {
			ret = vdisk_add_data(b, sg_page(sg), sg->offset, len);
			if (ret)
				break;
		}
		left -= len;
		if (!left)
			break;
	}
	*bits = acc;
	return ret;
}

/**
 * vdisk_execute_rw() - LIO's execute_rw hook: READ and WRITE of any size
 * @cmd: the command
 * @sgl: its data
 * @sgl_nents: entries in @sgl; 0 completes the command at once
 * @dir: DMA_TO_DEVICE for writes
 *
 * Writes are synchronous and carry FUA as vdisk_write_opf() decides;
 * T10-PI bytes are attached when both the command and the device use
 * protection. Data the backing device cannot take as it is travels in
 * bounce pages. Only cmd->data_length bytes move: a fabric that passes
 * the initiator's buffers (tcm_loop, vhost-scsi) hands over all of them
 * when the expected transfer length exceeds the CDB's, and LIO has cut
 * data_length down to the CDB's.
 *
 * Return: 0 (the command completes from bio completion), or a sense
 * reason when nothing could be submitted.
 */
sense_reason_t vdisk_execute_rw(struct se_cmd *cmd, struct scatterlist *sgl,
				u32 sgl_nents, enum dma_data_direction dir)
{
	struct vdisk_dev *vd = VDISK_DEV(cmd->se_dev);
	unsigned int mask = bdev_dma_alignment(vd->bdev);
	struct scatterlist *bounce = NULL;
	u32 left = cmd->data_length;
	struct vdisk_builder b;
	struct blk_plug plug;
	bool misaligned = false, dropped = false;
	unsigned int bits;
	sense_reason_t sr;
	blk_opf_t opf;
	int ret;

	if (!sgl_nents || !left) {
		target_complete_cmd(cmd, SAM_STAT_GOOD);
		return 0;
	}
	if (dir == DMA_TO_DEVICE)
		opf = vdisk_write_opf(vd, cmd);
	else
		opf = REQ_OP_READ;

	/*
	 * Is the data aligned for the backing device? LIO's own list is
	 * when its length is. A list the fabric passed in is checked entry
	 * by entry: while its one bio is built when the command fits one
	 * (nothing is submitted before the check is done), else first.
	 */
	vdisk_builder_init(&b, cmd, opf, sgl_nents);
	if (vdisk_own_sgl(cmd, sgl, mask))
		misaligned = left & mask;
	else if (left <= b.max_bytes && sgl_nents <= BIO_MAX_VECS)
		b.hold = true;
	else
		misaligned = vdisk_sg_misaligned(sgl, sgl_nents, left, mask);

	blk_start_plug(&plug);
	if (b.hold) {
		vdisk_builder_pi(&b);
		ret = vdisk_build_data(&b, sgl, sgl_nents, left, &bits);
		b.hold = false;
		if (likely(!ret && !(bits & mask)))
			goto built;
		/* misaligned, or it did not fit: check first, build again */
		vdisk_builder_drop(&b);
		dropped = true;
		misaligned = !ret || vdisk_sg_misaligned(sgl, sgl_nents, left,
							 mask);
	}
	if (unlikely(misaligned)) {
		unsigned int bnents;

		bounce = vdisk_bounce_alloc(cmd, sgl, sgl_nents, left, dir,
					    &bnents);
		if (!bounce) {
			blk_finish_plug(&plug);
			return TCM_OUT_OF_RESOURCES;
		}
		vdisk_builder_init(&b, cmd, opf, bnents);
		b.bounce = bounce;
		b.sgl = sgl;
		b.nents = sgl_nents;
		sgl = bounce;
		sgl_nents = bnents;
	} else if (dropped) {
		vdisk_builder_init(&b, cmd, opf, sgl_nents);
	}
	vdisk_builder_pi(&b);
	ret = vdisk_build_data(&b, sgl, sgl_nents, left, &bits);
built:
	sr = vdisk_builder_finish(&b, &plug, ret);
	/* not even one bio: the bounce pages are still ours */
	if (sr && bounce)
		sgl_free(bounce);
	return sr;
}

/**
 * vdisk_write_same_pattern() - WRITE SAME with a non-zero block
 * @cmd: the command
 *
 * The one-block payload page is referenced once per logical block (a
 * payload the backing device cannot take where it lies is copied to a
 * page of its own first).
 *
 * Return: as vdisk_execute_rw().
 */
sense_reason_t vdisk_write_same_pattern(struct se_cmd *cmd)
{
	struct vdisk_dev *vd = VDISK_DEV(cmd->se_dev);
	struct scatterlist *sg = &cmd->t_data_sg[0];
	sector_t nblocks = sbc_get_write_same_sectors(cmd);
	struct scatterlist *bounce = NULL;
	struct vdisk_builder b;
	struct blk_plug plug;
	sense_reason_t sr;
	int ret = 0;

	/* a payload at 4 bytes into a page (tcm_loop), for brd: one copy */
	if (unlikely(vdisk_sg_misaligned(sg, 1, sg->length,
					 bdev_dma_alignment(vd->bdev)))) {
		unsigned int bnents;

		bounce = vdisk_bounce_alloc(cmd, sg, 1, sg->length,
					    DMA_TO_DEVICE, &bnents);
		if (!bounce)
			return TCM_OUT_OF_RESOURCES;
		sg = bounce;
	}
	vdisk_builder_init(&b, cmd, vdisk_write_opf(vd, cmd), BIO_MAX_VECS);
	b.bounce = bounce;
	blk_start_plug(&plug);
	while (nblocks--) {
		ret = vdisk_add_data(&b, sg_page(sg), sg->offset, sg->length);
		if (ret)
			break;
		cond_resched();
	}
	sr = vdisk_builder_finish(&b, &plug, ret);
	if (sr && bounce)
		sgl_free(bounce);
	return sr;
}

/**
 * vdisk_io_defer() - run @work on vdisk's reclaim-safe workqueue
 * @work: initialized work item
 *
 * For IO that has to be built in process context while memory may be
 * short (the workqueue has a rescuer).
 */
void vdisk_io_defer(struct work_struct *work)
{
	queue_work(vdisk_probe_wq, work);
}

int vdisk_io_init(void)
{
	vdisk_probe_wq = alloc_workqueue("vdisk_probe",
					 WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	return vdisk_probe_wq ? 0 : -ENOMEM;
}

void vdisk_io_exit(void)
{
	destroy_workqueue(vdisk_probe_wq);
}
