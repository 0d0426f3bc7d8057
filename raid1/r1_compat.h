/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel raid1: the md and block API differences between Debian's 6.1 and
 * 6.12 kernels.
 *
 * The rest of raid1/ is written once, against the helpers below; only this
 * header looks at KEEL_API_6_12 (set by include/keel/series.mk for a 6.12
 * build). "6.12" means md as Debian ships it in
 * 6.12.118, stable backports included (mddev->resync_offset, the bitmap's
 * per-write counting done by md core in md_account_bio()): an early 6.12.y
 * does not have those and is not a target.
 *
 * What moved between the two:
 *  - md core took over work the personality used to do: the writes_pending
 *    counter, counting every write in the bitmap (md_account_bio(), which
 *    also does the IO statistics) and the integrity check of a new member;
 *  - RemoveSynchronized is gone: 6.12 mostly suspends the array around
 *    hot_remove_disk instead of waiting for an RCU grace period first;
 *  - the bitmap is reached through mddev->bitmap_ops, and struct bitmap
 *    is private to md-bitmap.c;
 *  - queue limits are built in a struct queue_limits and applied at once;
 *  - mddev fields: recovery_cp is resync_offset, serialize_policy and
 *    fail_last_dev are bits in mddev->flags, the management thread pointer
 *    is RCU protected, mddev->queue is gone;
 *  - md_write_start() cannot refuse any more; sync_request() is told where
 *    the pass ends; bio_add_page() must be checked.
 */
#ifndef KEEL_R1_COMPAT_H
#define KEEL_R1_COMPAT_H

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include "md.h"
#include "md-bitmap.h"

/* The one switch: md as in Debian's 6.12.118 rather than 6.1. */
#ifdef KEEL_API_6_12
#define R1_MD_612	1
/* bioset_integrity_create() left linux/bio.h */
#include <linux/bio-integrity.h>
#else
#define R1_MD_612	0
#endif

/* mddev fields that were renamed or turned into flag bits */

static inline sector_t r1_resync_offset(struct mddev *mddev)
{
#if R1_MD_612
	return mddev->resync_offset;
#else
	return mddev->recovery_cp;
#endif
}

static inline void r1_set_resync_offset(struct mddev *mddev, sector_t sector)
{
#if R1_MD_612
	mddev->resync_offset = sector;
#else
	mddev->recovery_cp = sector;
#endif
}

/* md/serialize_policy: overlapping writes to one member go one by one */
static inline bool r1_serialize_policy(struct mddev *mddev)
{
#if R1_MD_612
	return test_bit(MD_SERIALIZE_POLICY, &mddev->flags);
#else
	return mddev->serialize_policy;
#endif
}

/* md/fail_last_dev: the last working member may be failed too */
static inline bool r1_fail_last_dev(struct mddev *mddev)
{
#if R1_MD_612
	return test_bit(MD_FAILLAST_DEV, &mddev->flags);
#else
	return mddev->fail_last_dev;
#endif
}

/* The management thread (raid1d) */

/**
 * r1_unregister_thread() - stop a thread the personality still owns
 * @mddev: array
 * @threadp: where the thread pointer lives (our own, not mddev->thread);
 *           cleared
 *
 * 6.12 wants the array and an RCU-annotated pointer; the personality keeps
 * its not-yet-handed-over raid1d in a plain pointer, hence the cast.
 */
static inline void r1_unregister_thread(struct mddev *mddev,
					struct md_thread **threadp)
{
#if R1_MD_612
	md_unregister_thread(mddev, (struct md_thread __force __rcu **)threadp);
#else
	md_unregister_thread(threadp);
#endif
}

/* Stop mddev->thread (raid1d after run() handed it over). */
static inline void r1_unregister_md_thread(struct mddev *mddev)
{
#if R1_MD_612
	md_unregister_thread(mddev, &mddev->thread);
#else
	md_unregister_thread(&mddev->thread);
#endif
}

/**
 * r1_adopt_thread() - make our raid1d the array's management thread
 * @mddev: array
 * @threadp: the personality's pointer to it; cleared
 *
 * 6.12 reads mddev->thread under RCU, so it is published with
 * rcu_assign_pointer(); 6.1 stores it plainly.
 */
static inline void r1_adopt_thread(struct mddev *mddev,
				   struct md_thread **threadp)
{
#if R1_MD_612
	rcu_assign_pointer(mddev->thread, *threadp);
#else
	mddev->thread = *threadp;
#endif
	*threadp = NULL;
}

/* Array start-up and writes */

/* 6.12 sets up mddev->writes_pending in md core (mddev_init()). */
static inline int r1_init_writes_pending(struct mddev *mddev)
{
#if R1_MD_612
	return 0;
#else
	return mddev_init_writes_pending(mddev);
#endif
}

/**
 * r1_write_start() - md_write_start() for a write from above
 * @mddev: array
 * @bio: the write
 *
 * Return: false when md wants the bio back (6.1: the array is suspended
 * for a metadata update); 6.12's md_write_start() waits instead and always
 * lets the write go on.
 */
static inline bool r1_write_start(struct mddev *mddev, struct bio *bio)
{
#if R1_MD_612
	md_write_start(mddev, bio);
	return true;
#else
	return md_write_start(mddev, bio);
#endif
}

/* Queue limits and members */

/**
 * r1_stack_new_rdev() - fold a member's limits into the array's
 * @mddev: array
 * @rdev: the member
 *
 * 6.12 applies them to the queue at once and refuses a member whose
 * integrity profile does not match the array's (-ENXIO); dm-raid arrays
 * (no gendisk) are left to dm on both kernels.
 *
 * Return: 0 or (6.12 only) a negative errno.
 */
static inline int r1_stack_new_rdev(struct mddev *mddev, struct md_rdev *rdev)
{
#if R1_MD_612
	return mddev_stack_new_rdev(mddev, rdev);
#else
	if (!mddev->gendisk)
		return 0;
	disk_stack_limits(mddev->gendisk, rdev->bdev,
			  (sector_t)rdev->data_offset << 9);
	return 0;
#endif
}

/**
 * r1_set_limits() - set the array's queue limits from all its members
 * @mddev: array
 *
 * Besides stacking the members, write-zeroes is turned off: it is not
 * mirrored, so the block layer emulates it with zero-filled writes. 6.12
 * builds the limits in a struct queue_limits of its own and commits them
 * once, checking the members' integrity profiles on the way.
 *
 * Return: 0 or (6.12 only) a negative errno.
 */
static inline int r1_set_limits(struct mddev *mddev)
{
#if R1_MD_612
	struct queue_limits limits;
	int err;

	if (mddev_is_dm(mddev))
		return 0;
	md_init_stacking_limits(&limits);
	limits.max_write_zeroes_sectors = 0;
	err = mddev_stack_rdev_limits(mddev, &limits, MDDEV_STACK_INTEGRITY);
	return err ? err : queue_limits_set(mddev->gendisk->queue, &limits);
#else
	struct md_rdev *member;

	rdev_for_each(member, mddev)
		r1_stack_new_rdev(mddev, member);
	if (mddev->queue)
		blk_queue_max_write_zeroes_sectors(mddev->queue, 0);
	return 0;
#endif
}

/**
 * r1_integrity_add_rdev() - may @rdev join the array, integrity-wise?
 * @mddev: array
 * @rdev: the member hot_add_disk is offered
 *
 * 6.12 checks the integrity profile when the member's limits are stacked
 * (r1_stack_new_rdev()), so there is nothing to do up front.
 *
 * Return: 0, or non-zero when the profiles do not match.
 */
static inline int r1_integrity_add_rdev(struct mddev *mddev,
					struct md_rdev *rdev)
{
#if R1_MD_612
	return 0;
#else
	return md_integrity_add_rdev(rdev, mddev);
#endif
}

/**
 * r1_record_bad() - record [@s, @s + @sectors) as a bad block on @rdev
 * @rdev: member
 * @s: array sector
 * @sectors: length
 *
 * 6.12's bad block table adds nothing for a range that an acknowledged
 * entry already covers and then reports failure (an unacknowledged range
 * may not overwrite an acknowledged one), so raid1 would fail a member
 * for recording a bad block twice: once by the repair that found it,
 * acknowledged by the superblock update, then by a rewrite that failed
 * there. A range the table already covers counts as recorded.
 *
 * Return: true when the whole range is in the table.
 */
static inline bool r1_record_bad(struct md_rdev *rdev, sector_t s,
				 int sectors)
{
	sector_t pos = s, end = s + sectors, first;
	int len;

	if (rdev_set_badblocks(rdev, s, sectors, 0))
		return true;
	while (pos < end) {
		if (!is_badblock(rdev, pos, end - pos, &first, &len) ||
		    first > pos)
			return false;
		pos = first + len;
	}
	return true;
}

/**
 * r1_remove_needs_grace() - must hot_remove_disk wait for RCU readers?
 * @rdev: member whose slot pointer was just cleared
 *
 * 6.1's md core may already have waited a grace period since the member
 * stopped being usable (RemoveSynchronized). 6.12 has no such flag and
 * does not wait; its own raid1 relies on the array being suspended around
 * the removal, but our balancer and status readers look at the slots
 * under RCU, so we always wait there.
 *
 * Return: true if synchronize_rcu() is needed before @rdev is let go.
 */
static inline bool r1_remove_needs_grace(struct md_rdev *rdev)
{
#if R1_MD_612
	return true;
#else
	return !test_bit(RemoveSynchronized, &rdev->flags);
#endif
}

/* IO statistics of bios from above */

/**
 * r1_io_acct_start() - start the IO statistics of a request from above
 * @mddev: array
 * @bio: the bio (already split to what the request covers); on 6.12 it is
 *       replaced by md's accounting clone, which the caller must complete
 *       instead of the original
 * @start: 6.1: set to the start time for bio_end_io_acct()
 *
 * 6.12: md_account_bio() does the statistics and, for writes, counts the
 * write in the bitmap until the clone completes. A bio that is already
 * such a clone (part of a retried read sent round again) is left alone.
 *
 * Return: true if the caller must end the statistics itself with
 * bio_end_io_acct(@bio, @start) (6.1 with iostats on).
 */
static inline bool r1_io_acct_start(struct mddev *mddev, struct bio **bio,
				    unsigned long *start)
{
#if R1_MD_612
	if (!md_cloned_bio(mddev, *bio))
		md_account_bio(mddev, bio);
	return false;
#else
	if (!blk_queue_io_stat((*bio)->bi_bdev->bd_disk->queue))
		return false;
	*start = bio_start_io_acct(*bio);
	return true;
#endif
}

/**
 * r1_io_acct_retry() - statistics for a retried read not yet accounted
 * @mddev: array
 * @bio: the read being retried
 * @start: set to the start time for bio_end_io_acct()
 *
 * 6.12: the first attempt already went through md_account_bio() and the
 * retry runs inside that accounting, so nothing starts here.
 *
 * Return: as r1_io_acct_start().
 */
static inline bool r1_io_acct_retry(struct mddev *mddev, struct bio *bio,
				    unsigned long *start)
{
#if R1_MD_612
	return false;
#else
	return r1_io_acct_start(mddev, &bio, start);
#endif
}

/* The write-intent bitmap */

static inline bool r1_bitmap_enabled(struct mddev *mddev)
{
#if R1_MD_612
	return mddev->bitmap_ops->enabled(mddev);
#else
	return md_bitmap_enabled(mddev->bitmap);
#endif
}

/**
 * r1_bitmap_unplug() - write out dirty bitmap bits before the data
 * @mddev: array
 *
 * Waits until the bits are on disk. Inside submit_bio() (current->bio_list
 * set) the bitmap writes would only be issued after we return, so 6.12
 * has a worker issue them then; 6.1 has no such way, and our callers
 * (raid1d, a freezer, a plug flushed outside submit_bio()) never are.
 */
static inline void r1_bitmap_unplug(struct mddev *mddev)
{
#if R1_MD_612
	mddev->bitmap_ops->unplug(mddev, !current->bio_list);
#else
	md_bitmap_unplug(mddev->bitmap);
#endif
}

/**
 * r1_bitmap_startwrite() - the bitmap learns about a write to the legs
 * @mddev: array
 * @sector: first sector of the write
 * @sectors: its length
 * @behind: the write is a write-behind (counted against the backlog)
 *
 * 6.12: md core already counted the write in r1_io_acct_start(); only the
 * write-behind backlog is left to the personality.
 */
static inline void r1_bitmap_startwrite(struct mddev *mddev, sector_t sector,
					unsigned long sectors, bool behind)
{
#if R1_MD_612
	if (behind)
		mddev->bitmap_ops->start_behind_write(mddev);
#else
	md_bitmap_startwrite(mddev->bitmap, sector, sectors, behind);
#endif
}

/**
 * r1_bitmap_endwrite() - every leg has finished a write
 * @mddev: array
 * @sector: first sector of the write
 * @sectors: its length
 * @success: all legs have the data (6.1: the bits may be cleared later)
 * @behind: it was a write-behind
 *
 * 6.12: md core ends the bitmap count when the master bio completes and
 * keeps the bits while the array is degraded, so @success is not needed;
 * only the write-behind backlog is ended here.
 */
static inline void r1_bitmap_endwrite(struct mddev *mddev, sector_t sector,
				      unsigned long sectors, bool success,
				      bool behind)
{
#if R1_MD_612
	if (behind)
		mddev->bitmap_ops->end_behind_write(mddev);
#else
	md_bitmap_endwrite(mddev->bitmap, sector, sectors, success, behind);
#endif
}

/**
 * r1_bitmap_behind_ok() - is there room for one more write-behind?
 * @mddev: array with a bitmap
 *
 * No when the backlog (md/bitmap/backlog) is used up or a reader of a
 * write-mostly leg waits for the behind writes to drain. The look at the
 * waiters is racy on purpose: it only decides whether to copy the data,
 * both answers are safe.
 *
 * Return: true if the write may go behind.
 */
static inline bool r1_bitmap_behind_ok(struct mddev *mddev)
{
	unsigned long backlog = mddev->bitmap_info.max_write_behind;
#if R1_MD_612
	struct md_bitmap_stats st;

	if (mddev->bitmap_ops->get_stats(mddev->bitmap, &st))
		return false;
	return st.behind_writes < backlog && !st.behind_wait;
#else
	struct bitmap *bitmap = mddev->bitmap;

	if (atomic_read(&bitmap->behind_writes) >= backlog)
		return false;
	/* racy peek at the waiters, see above */
	return !waitqueue_active(&bitmap->behind_wait);
#endif
}

/* Before reading a write-mostly leg: let the write-behinds drain. */
static inline void r1_wait_behind_writes(struct mddev *mddev)
{
#if R1_MD_612
	mddev->bitmap_ops->wait_behind_writes(mddev);
#else
	struct bitmap *bitmap = mddev->bitmap;

	if (bitmap)
		wait_event(bitmap->behind_wait,
			   !atomic_read(&bitmap->behind_writes));
#endif
}

/**
 * r1_bitmap_start_sync() - does the chunk at @sector need syncing?
 * @mddev: array (a missing bitmap means "yes, everything")
 * @sector: position
 * @blocks: set to the number of sectors the answer covers
 * @degraded: the array is degraded: keep the bits after the sync
 *
 * Return: true if the range must be synced.
 */
static inline bool r1_bitmap_start_sync(struct mddev *mddev, sector_t sector,
					sector_t *blocks, bool degraded)
{
#if R1_MD_612
	return mddev->bitmap_ops->start_sync(mddev, sector, blocks, degraded);
#else
	return md_bitmap_start_sync(mddev->bitmap, sector, blocks, degraded);
#endif
}

/* Abandon the sync of the chunk at @sector: its bits stay set. */
static inline void r1_bitmap_end_sync(struct mddev *mddev, sector_t sector,
				      sector_t *blocks)
{
#if R1_MD_612
	mddev->bitmap_ops->end_sync(mddev, sector, blocks);
#else
	md_bitmap_end_sync(mddev->bitmap, sector, blocks, 1);
#endif
}

static inline void r1_bitmap_close_sync(struct mddev *mddev)
{
#if R1_MD_612
	mddev->bitmap_ops->close_sync(mddev);
#else
	md_bitmap_close_sync(mddev->bitmap);
#endif
}

static inline void r1_bitmap_cond_end_sync(struct mddev *mddev,
					   sector_t sector, bool force)
{
#if R1_MD_612
	mddev->bitmap_ops->cond_end_sync(mddev, sector, force);
#else
	md_bitmap_cond_end_sync(mddev->bitmap, sector, force);
#endif
}

/* Resize the bitmap for @sectors per member (no-op without a bitmap). */
static inline int r1_bitmap_resize(struct mddev *mddev, sector_t sectors)
{
#if R1_MD_612
	return mddev->bitmap_ops->resize(mddev, sectors, 0, false);
#else
	if (!mddev->bitmap)
		return 0;
	return md_bitmap_resize(mddev->bitmap, sectors, 0, 0);
#endif
}

/* bios */

/**
 * r1_bio_add_sized() - add a page to a bio allocated with room for it
 * @bio: the bio, with a free bvec for @page
 * @page: data page
 * @len: bytes of @page, from offset 0
 *
 * 6.12 makes bio_add_page()'s result __must_check; where the bio was sized
 * for every page, __bio_add_page() says so. 6.1 keeps bio_add_page(),
 * which merges physically adjacent pages into one bvec.
 */
static inline void r1_bio_add_sized(struct bio *bio, struct page *page,
				    unsigned int len)
{
#if R1_MD_612
	__bio_add_page(bio, page, len, 0);
#else
	bio_add_page(bio, page, len, 0);
#endif
}

/*
 * md's sync_request callback. 6.12 passes the end of the pass; 6.1 leaves
 * the personality to use the member size. Both land in r1_sync_range()
 * (r1_sync.c).
 */
sector_t r1_sync_range(struct mddev *mddev, sector_t sector_nr,
		       sector_t max_sector, int *skipped);

#if R1_MD_612
static inline sector_t r1_sync_request(struct mddev *mddev, sector_t sector_nr,
				       sector_t max_sector, int *skipped)
{
	return r1_sync_range(mddev, sector_nr, max_sector, skipped);
}
#else
static inline sector_t r1_sync_request(struct mddev *mddev, sector_t sector_nr,
				       int *skipped)
{
	return r1_sync_range(mddev, sector_nr, mddev->dev_sectors, skipped);
}
#endif

#endif
