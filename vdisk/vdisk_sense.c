// SPDX-License-Identifier: GPL-2.0
/*
 * Backing-device errors -> SCSI status and sense for keel's vdisk.
 * Pure tables, shared with the KUnit module; the sense bytes themselves
 * come from SCSI_COMMON's scsi_build_sense_buffer().
 *
 * Policy (SCST vdisk_blockio's, refined by blk_status_t):
 *  - media and generic I/O errors are MEDIUM ERROR: UNRECOVERED READ
 *    ERROR for reads, WRITE ERROR for writes and cache flushes, with the
 *    first failed LBA in the INFORMATION field (reads and writes only);
 *  - PI check failures are ABORTED COMMAND / LOGICAL BLOCK GUARD CHECK
 *    FAILED with the LBA;
 *  - out of space on a thin backing device is DATA PROTECT / SPACE
 *    ALLOCATION FAILED WRITE PROTECT;
 *  - a critical target error is HARDWARE ERROR / INTERNAL TARGET FAILURE;
 *  - transient conditions go through LIO's own sense reasons so the
 *    initiator retries: busy resources -> BUSY, transport / timeout /
 *    offline -> NOT READY / LOGICAL UNIT COMMUNICATION FAILURE (what the
 *    in-tree backend reports for every error), reservation conflicts ->
 *    RESERVATION CONFLICT, unsupported -> INVALID COMMAND OPERATION CODE.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/blkdev.h>
#include <scsi/scsi_proto.h>
#include <scsi/scsi_common.h>

#include "vdisk.h"

static void vdisk_set_sense(struct vdisk_err_map *m, u8 key, u8 asc, u8 ascq,
			    bool lba_info, sense_reason_t fallback)
{
	m->key = key;
	m->asc = asc;
	m->ascq = ascq;
	m->lba_info = lba_info;
	m->reason = fallback;
}

/**
 * vdisk_map_status() - choose the SCSI outcome of a failed bio
 * @sts: the bio's status, not BLK_STS_OK
 * @kind: what the command was doing
 * @m: result; m->key == 0 means "use m->reason only"
 */
void vdisk_map_status(blk_status_t sts, enum vdisk_io_kind kind,
		      struct vdisk_err_map *m)
{
	bool rw = kind == VDISK_KIND_READ || kind == VDISK_KIND_WRITE;
	const sense_reason_t comm = TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE;

	memset(m, 0, sizeof(*m));
	m->reason = comm;

	switch (sts) {
	case BLK_STS_MEDIUM:
	case BLK_STS_IOERR:
		if (kind == VDISK_KIND_READ)
			vdisk_set_sense(m, MEDIUM_ERROR, 0x11, 0x00, true, comm);
		else if (kind == VDISK_KIND_UNMAP)
			vdisk_set_sense(m, MEDIUM_ERROR, 0x0c, 0x00, false,
					comm);
		else
			vdisk_set_sense(m, MEDIUM_ERROR, 0x0c, 0x00, rw, comm);
		break;
	case BLK_STS_PROTECTION:
		vdisk_set_sense(m, ABORTED_COMMAND, 0x10, 0x01, rw,
				TCM_LOGICAL_BLOCK_GUARD_CHECK_FAILED);
		break;
	case BLK_STS_NOSPC:
		vdisk_set_sense(m, DATA_PROTECT, 0x27, 0x07, false,
				TCM_WRITE_PROTECTED);
		break;
	case BLK_STS_TARGET:
		vdisk_set_sense(m, HARDWARE_ERROR, 0x44, 0x00, false, comm);
		break;
	case BLK_STS_RESV_CONFLICT:
		m->reason = TCM_RESERVATION_CONFLICT;
		break;
	case BLK_STS_NOTSUPP:
		m->reason = TCM_UNSUPPORTED_SCSI_OPCODE;
		break;
	case BLK_STS_RESOURCE:
	case BLK_STS_DEV_RESOURCE:
	case BLK_STS_AGAIN:
		m->reason = TCM_LUN_BUSY;
		break;
	default:
		if (vdisk_sts_zone_busy(sts))
			m->reason = TCM_LUN_BUSY;
		/* TIMEOUT, TRANSPORT, OFFLINE, DM_REQUEUE, unknown */
		break;
	}
}

/**
 * vdisk_errno_to_reason() - LIO sense reason for a synchronous failure
 * @err: negative errno from blkdev_issue_*() and friends
 * @kind: what was being done
 *
 * Used where LIO builds the sense itself (UNMAP descriptors are run by
 * the core, which only takes a sense reason back).
 *
 * Return: the sense reason; TCM_NO_SENSE for @err == 0.
 */
sense_reason_t vdisk_errno_to_reason(int err, enum vdisk_io_kind kind)
{
	struct vdisk_err_map m;

	switch (err) {
	case 0:
		return TCM_NO_SENSE;
	case -ENOMEM:
		return TCM_OUT_OF_RESOURCES;
	case -EINVAL:
		return TCM_INVALID_PARAMETER_LIST;
	case -EPERM:
	case -EROFS:
		return TCM_WRITE_PROTECTED;
	case -EOPNOTSUPP:
		return TCM_UNSUPPORTED_SCSI_OPCODE;
	}
	vdisk_map_status(errno_to_blk_status(err), kind, &m);
	return m.reason;
}

/**
 * vdisk_build_status() - outcome of a command whose bios could not all be
 *                        built
 * @err: negative errno from building them
 *
 * Only a shortage (-ENOMEM) is worth a retry, so only it answers BUSY.
 * Anything else (data or PI the backing device cannot take as laid out)
 * fails the same way every time: an initiator told BUSY would retry it
 * for ever, so it is an internal target failure.
 *
 * Return: the block status the command completes with.
 */
blk_status_t vdisk_build_status(int err)
{
	return err == -ENOMEM ? BLK_STS_RESOURCE : BLK_STS_TARGET;
}

/**
 * vdisk_build_sense() - sense data in fixed or descriptor format
 * @buf: destination, zeroed first
 * @len: its size: >= 18 for fixed, >= 20 for descriptor format
 * @desc: descriptor format (D_SENSE, what LIO uses above 2^32 blocks)
 * @key: sense key
 * @asc: additional sense code
 * @ascq: its qualifier
 * @info_valid: put @info in the INFORMATION field
 * @info: usually the first failed LBA
 *
 * Fixed format can only hold a 32-bit INFORMATION value; a larger one is
 * left out (VALID = 0) as SPC requires.
 *
 * Return: number of sense bytes, or -EINVAL if @len is too small.
 */
int vdisk_build_sense(u8 *buf, size_t len, bool desc, u8 key, u8 asc,
		      u8 ascq, bool info_valid, u64 info)
{
	if (len < (desc ? 20 : 18))
		return -EINVAL;
	memset(buf, 0, len);
	scsi_build_sense_buffer(desc, buf, key & 0x0f, asc, ascq);

	/*
	 * scsi_set_sense_information() would put the low 32 bits of a
	 * larger value into a fixed-format INFORMATION field with VALID
	 * clear; leave the field zero instead.
	 */
	if (info_valid && (desc || info <= U32_MAX))
		scsi_set_sense_information(buf, len, info);
	if (!desc)
		return 18;
	return info_valid ? 20 : 8;
}
