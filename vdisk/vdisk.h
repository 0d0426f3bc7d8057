/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel vdisk: a LIO backend registered as "iblock" that exports a block
 * device the way SCST's vdisk_blockio handler does.
 *
 * Layout (Documentation/vdisk.rst has the full file map):
 * vdisk_main.c (registration with LIO, HBA hooks),
 * vdisk_attr.c (configfs attributes: LIO's plus the SCST ones),
 * vdisk_dev.c (device life cycle, control string, geometry hooks),
 * vdisk_io.c (bios for READ/WRITE/WRITE SAME, T10-PI, completion),
 * vdisk_cmds.c (CDB hooks: sync cache, unmap, write same, INQUIRY),
 * vdisk_params.c and vdisk_sense.c (pure logic, shared with KUnit).
 */
#ifndef KEEL_VDISK_H
#define KEEL_VDISK_H

#include <linux/types.h>
#include <linux/blkdev.h>
#include <linux/bio.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <target/target_core_base.h>
#include <target/target_core_backend.h>
#include "vdisk_compat.h"

/* What the in-tree backend reports as INQUIRY revision; keep it. */
#define VDISK_INQUIRY_REV	"4.0"
#define VDISK_BIO_POOL		128

/* ---- control string (vdisk_params.c, pure) ---- */

/* Bits of vdisk_params.set: which tokens the string carried. */
#define VDISK_P_PATH		BIT(0)
#define VDISK_P_READONLY	BIT(1)
#define VDISK_P_FORCE		BIT(2)
#define VDISK_P_NV_CACHE	BIT(3)
#define VDISK_P_WRITE_THROUGH	BIT(4)
#define VDISK_P_THIN		BIT(5)
#define VDISK_P_ROTATIONAL	BIT(6)
#define VDISK_P_REMOVABLE	BIT(7)
#define VDISK_P_BLOCKSIZE	BIT(8)

#define VDISK_ERR_LEN		128

/**
 * struct vdisk_params - one parsed control string
 * @set: VDISK_P_* bits: which tokens the string carried; only those
 *       fields below are meaningful
 * @path: udev_path= / filename=
 * @readonly: readonly= / read_only=
 * @nv_cache: SCST nv_cache=
 * @write_through: SCST write_through=
 * @thin: SCST thin_provisioned=
 * @rotational: SCST rotational=
 * @removable: SCST removable=
 * @blocksize: SCST blocksize= (exported logical block size)
 */
struct vdisk_params {
	unsigned int set;
	char path[SE_UDEV_PATH_LEN];
	bool readonly;
	bool nv_cache;
	bool write_through;
	bool thin;
	bool rotational;
	bool removable;
	u32 blocksize;
};

int vdisk_parse_control(const char *buf, size_t len, struct vdisk_params *p,
			char *err, size_t errlen);
int vdisk_parse_flag(const char *s, bool *val);
int vdisk_check_blocksize(u32 bs, u32 lbs, char *err, size_t errlen);

/* ---- error -> SCSI status/sense (vdisk_sense.c, pure) ---- */

enum vdisk_io_kind {
	VDISK_KIND_READ,
	VDISK_KIND_WRITE,
	VDISK_KIND_FLUSH,
	VDISK_KIND_UNMAP,
};

/**
 * struct vdisk_err_map - the SCSI outcome of a failed bio
 * @key: sense key of the sense data the backend builds itself; 0 means
 *       "none, use @reason"
 * @asc: additional sense code, with @key
 * @ascq: its qualifier
 * @lba_info: put the first failed LBA in the INFORMATION field
 * @reason: LIO sense reason the core turns into status + sense; always
 *          valid, it is the fallback when the backend may not attach its
 *          own sense data
 */
struct vdisk_err_map {
	u8 key;
	u8 asc;
	u8 ascq;
	bool lba_info;
	sense_reason_t reason;
};

void vdisk_map_status(blk_status_t sts, enum vdisk_io_kind kind,
		      struct vdisk_err_map *m);
sense_reason_t vdisk_errno_to_reason(int err, enum vdisk_io_kind kind);
blk_status_t vdisk_build_status(int err);

int vdisk_build_sense(u8 *buf, size_t len, bool desc, u8 key, u8 asc,
		      u8 ascq, bool info_valid, u64 info);

/* vdisk_sgl.c */

/*
 * sg_next() without the call: the data path walks every entry of a
 * command (a megabyte through tcm_loop is 256 of them), and sg_next()
 * is out of line in the kernel.
 */
static inline struct scatterlist *vdisk_sg_next(struct scatterlist *sg)
{
	if (sg_is_last(sg))
		return NULL;
	sg++;
	if (unlikely(sg_is_chain(sg)))
		sg = sg_chain_ptr(sg);
	return sg;
}

bool vdisk_sg_misaligned(struct scatterlist *sgl, u32 nents, u32 len,
			 unsigned int mask);

/**
 * vdisk_own_sgl() - is @sgl a command's data list that LIO allocated?
 * @cmd: the command
 * @sgl: the data execute_rw was given
 * @mask: the backing device's DMA alignment (bdev_dma_alignment())
 *
 * target_alloc_sgl() gives whole pages at offset 0, the last one cut to
 * the length: such a list is aligned exactly when its length is. Lists
 * the fabric passed in (tcm_loop and vhost-scsi hand over the
 * initiator's buffers, srpt its receive buffer for immediate data) and
 * lists built for one step of a command (COMPARE AND WRITE) are not.
 *
 * Return: true if checking the length is enough.
 */
static inline bool vdisk_own_sgl(struct se_cmd *cmd, struct scatterlist *sgl,
				 unsigned int mask)
{
	return sgl == cmd->t_data_sg && mask < PAGE_SIZE &&
	       !(cmd->se_cmd_flags & SCF_PASSTHROUGH_SG_TO_MEM_NOALLOC);
}

void vdisk_bounce_copy(struct scatterlist *bounce, struct scatterlist *sgl,
		       u32 nents, size_t len, bool to_bounce);

/* ---- the backend ---- */

/**
 * struct vdisk_plug - per-CPU block plug behind LIO's plug_device hook
 * @se_plug: what LIO holds between plug_device and unplug_device
 * @blk_plug: the block layer plug around one submission work's bios
 * @busy: bit 0 set while @blk_plug is in use on this CPU
 */
struct vdisk_plug {
	struct se_dev_plug se_plug;
	struct blk_plug blk_plug;
	unsigned long busy;
};

/**
 * struct vdisk_dev - one iblock device (core/iblock_N/<name>)
 * @dev: LIO's device; VDISK_DEV() goes back from it
 * @bdev: the backing block device, open from "enable" until destroy;
 *        NULL before (the attributes test it to tell the two apart)
 * @claim: what closing @bdev needs (vdisk_compat.h)
 * @bs: bio set, front pad holding struct vdisk_bio
 * @bs_ready: @bs is initialised
 * @plugs: per-CPU plugs, see struct vdisk_plug
 * @cfg_lock: serialises control and attribute writes against configure;
 *            @path, @has_path, @readonly, @blocksize and @thin are
 *            written only under it
 * @path: backing device path from the control string
 * @has_path: @path was set
 * @readonly: open @bdev read-only (fixed once enabled)
 * @blocksize: exported logical block size asked for; 0: the backing
 *             device's
 * @thin: SCST thin_provisioned: -1 auto (the device can discard), 0, 1
 * @nv_cache: SCST nv_cache
 * @write_through: SCST write_through
 * @removable: SCST removable (INQUIRY RMB)
 * @rot_set: VPD B1 rotation rate overridden by rotational=
 * @immed_flushes: cache flushes in flight whose command was answered
 *                 already (SYNCHRONIZE CACHE with IMMED=1); destroying
 *                 the device waits for them
 * @bounced: commands whose data went through a bounce buffer (the
 *           backing device's DMA alignment refused their buffers)
 *
 * @nv_cache, @write_through, @removable and @rot_set are read without
 * locks on the command path (READ_ONCE()/WRITE_ONCE()).
 */
struct vdisk_dev {
	struct se_device dev;
	struct block_device *bdev;
	struct vdisk_claim claim;
	struct bio_set bs;
	bool bs_ready;
	struct vdisk_plug __percpu *plugs;
	struct mutex cfg_lock;

	char path[SE_UDEV_PATH_LEN];
	bool has_path;
	bool readonly;
	u32 blocksize;
	int thin;

	bool nv_cache;
	bool write_through;
	bool removable;
	bool rot_set;
	atomic_t immed_flushes;
	atomic_long_t bounced;
};

/* LIO's se_device -> ours; the in-tree backend's IBLOCK_DEV() */
static inline struct vdisk_dev *VDISK_DEV(struct se_device *dev)
{
	return container_of(dev, struct vdisk_dev, dev);
}

/* 512-byte sectors per exported logical block, as a shift */
static inline unsigned int vdisk_lb_shift(struct se_device *dev)
{
	return ilog2(dev->dev_attrib.block_size) - SECTOR_SHIFT;
}

static inline sector_t vdisk_lba_to_sector(struct se_device *dev, u64 lba)
{
	return lba << vdisk_lb_shift(dev);
}

/**
 * struct vdisk_io - per-command state
 * @cmd: the LIO command
 * @pending: bios in flight, plus one while they are being built
 * @lock: protects @status, @err_sector and @err_len
 * @status: first error seen, or BLK_STS_OK
 * @kind: what the command does, for the sense mapping
 * @err_sector: start of the lowest failed bio; (sector_t)-1: none yet
 * @err_len: its length in sectors
 * @probe: narrows a read error down to one block
 * @bounce: whole-page copy of the command's data the bios carry instead
 *          of @sgl (the backing device's DMA alignment refused @sgl's
 *          pieces); NULL when the bios carry @sgl itself
 * @sgl: the command's data (only kept with @bounce)
 * @nents: entries in @sgl
 * @bounce_len: bytes in @bounce
 *
 * Lives in the front pad of the command's first bio (vdisk_bio.own).
 */
struct vdisk_io {
	struct se_cmd *cmd;
	atomic_t pending;
	spinlock_t lock;
	blk_status_t status;
	enum vdisk_io_kind kind;
	sector_t err_sector;
	unsigned int err_len;
	struct work_struct probe;
	struct scatterlist *bounce;
	struct scatterlist *sgl;
	u32 nents;
	u32 bounce_len;
};

/**
 * struct vdisk_bio - a bio of a command with its front pad
 * @io: the command's state (&@own in its first bio)
 * @start: first sector of this bio on the backing device
 * @len: its length in sectors
 * @own: command state, used only in the command's first bio
 * @bio: the bio itself; last, its inline bvecs follow it
 */
struct vdisk_bio {
	struct vdisk_io *io;
	sector_t start;
	unsigned int len;
	struct vdisk_io own;
	struct bio bio;
};

/* vdisk_attr.c */
struct configfs_attribute **vdisk_attrs_build(void);

/* vdisk_dev.c */
struct se_device *vdisk_alloc_device(struct se_hba *hba, const char *name);
int vdisk_configure_device(struct se_device *dev);
void vdisk_destroy_device(struct se_device *dev);
void vdisk_free_device(struct se_device *dev);
bool vdisk_configure_unmap(struct se_device *dev);
void vdisk_configure_write_same(struct se_device *dev);
struct se_dev_plug *vdisk_plug_device(struct se_device *dev);
void vdisk_unplug_device(struct se_dev_plug *se_plug);
ssize_t vdisk_set_params(struct se_device *dev, const char *page,
			 ssize_t count);
ssize_t vdisk_show_params(struct se_device *dev, char *page);
sector_t vdisk_get_blocks(struct se_device *dev);
sector_t vdisk_get_alignment_offset_lbas(struct se_device *dev);
unsigned int vdisk_get_lbppbe(struct se_device *dev);
unsigned int vdisk_get_io_min(struct se_device *dev);
unsigned int vdisk_get_io_opt(struct se_device *dev);
bool vdisk_get_write_cache(struct se_device *dev);
int vdisk_apply_thin(struct vdisk_dev *vd, bool on);
void vdisk_apply_rotational(struct vdisk_dev *vd, bool rotational);
bool vdisk_cache_change_refused(struct vdisk_dev *vd, bool nv_cache,
				bool write_through);
int vdisk_set_cache_mode(struct vdisk_dev *vd, bool nv_cache,
			 bool write_through);

/* vdisk_io.c */
int vdisk_io_init(void);
void vdisk_io_exit(void);
sense_reason_t vdisk_execute_rw(struct se_cmd *cmd, struct scatterlist *sgl,
				u32 sgl_nents, enum dma_data_direction dir);
sense_reason_t vdisk_write_same_pattern(struct se_cmd *cmd);
void vdisk_io_defer(struct work_struct *work);
void vdisk_fail_cmd(struct se_cmd *cmd, blk_status_t sts,
		    enum vdisk_io_kind kind, bool has_lba, u64 lba);

/* vdisk_cmds.c */
sense_reason_t vdisk_parse_cdb(struct se_cmd *cmd);

#endif /* KEEL_VDISK_H */
