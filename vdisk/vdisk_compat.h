/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel iblock/vdisk: the kernel API differences between Debian's 6.1 and
 * 6.12.
 *
 * The rest of vdisk/ is written once, against the names used here; only
 * this header knows which kernel it is being built for. Keep it to what
 * actually differs (see Documentation/vdisk.rst, "6.1 and 6.12").
 */
#ifndef _VDISK_COMPAT_H
#define _VDISK_COMPAT_H

#include <linux/blkdev.h>
#include <linux/blk-integrity.h>
#include <linux/err.h>
#include <target/target_core_base.h>

/* 6.12 moved the unaligned accessors from <asm/> to <linux/>. */
#ifdef KEEL_API_6_12
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#ifdef KEEL_API_6_12
#include <linux/file.h>
#include <linux/fs.h>

/**
 * struct vdisk_claim - what closing the backing device needs
 * @file: 6.9+: the block device file bdev_file_open_by_path() returned
 *
 * On 6.1 it holds the open mode instead. Either way it is filled by
 * vdisk_bdev_open() and consumed by vdisk_bdev_close().
 */
struct vdisk_claim {
	struct file *file;
};

/**
 * vdisk_bdev_open() - open and claim the backing device exclusively
 * @path: block device path
 * @writable: open for writing as well as reading
 * @holder: the exclusive holder (a second iblock device on the same path
 *          gets -EBUSY)
 * @claim: filled with what vdisk_bdev_close() needs
 *
 * Return: the block device or an ERR_PTR().
 */
static inline struct block_device *
vdisk_bdev_open(const char *path, bool writable, void *holder,
		struct vdisk_claim *claim)
{
	blk_mode_t mode = BLK_OPEN_READ | (writable ? BLK_OPEN_WRITE : 0);
	struct file *f;

	f = bdev_file_open_by_path(path, mode, holder, NULL);
	if (IS_ERR(f))
		return ERR_CAST(f);
	claim->file = f;
	return file_bdev(f);
}

static inline void vdisk_bdev_close(struct block_device *bdev,
				    struct vdisk_claim *claim)
{
	fput(claim->file);
	claim->file = NULL;
}
#else
struct vdisk_claim {
	fmode_t mode;
};

static inline struct block_device *
vdisk_bdev_open(const char *path, bool writable, void *holder,
		struct vdisk_claim *claim)
{
	claim->mode = FMODE_READ | FMODE_EXCL | (writable ? FMODE_WRITE : 0);
	return blkdev_get_by_path(path, claim->mode, holder);
}

static inline void vdisk_bdev_close(struct block_device *bdev,
				    struct vdisk_claim *claim)
{
	blkdev_put(bdev, claim->mode);
}
#endif

/* The T10-PI format of a backing device, as far as iblock cares. */
enum vdisk_pi_kind {
	VDISK_PI_NONE,
	VDISK_PI_TYPE1_CRC,
	VDISK_PI_TYPE3_CRC,
	VDISK_PI_IP,		/* IP checksum: cannot be exported */
};

/**
 * vdisk_pi_kind() - classify a device's integrity format
 * @bi: bdev_get_integrity() of the backing device, may be NULL
 *
 * 6.1 names the format by its profile (bi->profile->name); 6.11 replaced
 * profiles by a checksum type and a reference-tag flag.
 *
 * Return: the kind; VDISK_PI_NONE for no or an unknown format.
 */
static inline enum vdisk_pi_kind vdisk_pi_kind(struct blk_integrity *bi)
{
#ifdef KEEL_API_6_12
	if (!bi)
		return VDISK_PI_NONE;
	switch (bi->csum_type) {
	case BLK_INTEGRITY_CSUM_CRC:
		return bi->flags & BLK_INTEGRITY_REF_TAG ?
			VDISK_PI_TYPE1_CRC : VDISK_PI_TYPE3_CRC;
	case BLK_INTEGRITY_CSUM_IP:
		return VDISK_PI_IP;
	default:
		return VDISK_PI_NONE;
	}
#else
	const char *name;

	if (!bi || !bi->profile)
		return VDISK_PI_NONE;
	name = bi->profile->name;
	if (!strcmp(name, "T10-DIF-TYPE1-CRC"))
		return VDISK_PI_TYPE1_CRC;
	if (!strcmp(name, "T10-DIF-TYPE3-CRC"))
		return VDISK_PI_TYPE3_CRC;
	if (!strcmp(name, "T10-DIF-TYPE1-IP") ||
	    !strcmp(name, "T10-DIF-TYPE3-IP"))
		return VDISK_PI_IP;
	return VDISK_PI_NONE;
#endif
}

/**
 * vdisk_bip_set_size() - size a new integrity payload before adding pages
 * @bip: from bio_integrity_alloc()
 * @bytes: the protection bytes the pages will hold
 *
 * 6.1's bio_integrity_add_page() leaves bip_iter.bi_size to the caller;
 * 6.12's adds each page's length itself, so setting it first as well
 * would double it (and the block layer would walk past the last vector).
 */
static inline void vdisk_bip_set_size(struct bio_integrity_payload *bip,
				      unsigned int bytes)
{
#ifndef KEEL_API_6_12
	bip->bip_iter.bi_size = bytes;
#endif
}

/*
 * 6.1 lets LIO recompute hw_max_sectors from max_bytes_per_io when the
 * exported block_size changes; 6.12 dropped the field (and the
 * recomputation), as its in-tree iblock did.
 */
#ifdef KEEL_API_6_12
#define vdisk_set_max_bytes_per_io(da, bytes)	do { } while (0)
#else
#define vdisk_set_max_bytes_per_io(da, bytes)	((da)->max_bytes_per_io = (bytes))
#endif

/*
 * 6.5 renamed BLK_STS_NEXUS (a reservation conflict) to
 * BLK_STS_RESV_CONFLICT; 6.1's retryable BLK_STS_ZONE_RESOURCE is gone
 * by 6.12.
 */
#ifndef KEEL_API_6_12
#define BLK_STS_RESV_CONFLICT	BLK_STS_NEXUS
#endif
#ifdef BLK_STS_ZONE_RESOURCE
#define vdisk_sts_zone_busy(sts)	((sts) == BLK_STS_ZONE_RESOURCE)
#else
#define vdisk_sts_zone_busy(sts)	false
#endif

/*
 * 6.8 renamed the execute hooks a backend hands sbc_parse_cdb() from
 * struct sbc_ops to struct exec_cmd_ops (and added the persistent
 * reservation pass-through hooks keel does not provide).
 */
#ifndef KEEL_API_6_12
#define exec_cmd_ops	sbc_ops
#endif

#endif /* _VDISK_COMPAT_H */
