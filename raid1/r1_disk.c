// SPDX-License-Identifier: GPL-2.0
/*
 * keel raid1: member management.
 *
 * Slot states (slot i, replacement slot nlegs + i):
 *
 *        hot_add            recovery done      md_error
 *  empty -------> spare ------------------> In_sync -----> Faulty
 *    ^            (recovering,  spare_active     |            |
 *    |             recovery_offset)              |            |
 *    +-------------------- hot_remove -----------+------------+
 *                  (not In_sync, no IO pending)
 *
 * A replacement sits in slot nlegs + i while it is rebuilt from the
 * array; when it is complete spare_active makes it In_sync and marks the
 * original Faulty; remove_disk of the original then moves it down.
 */
/* "md/raid1:<array>: ..." as in-tree md prints it */
#define pr_fmt(fmt) "md/" KBUILD_MODNAME ":" fmt

#include <linux/slab.h>
#include <linux/blkdev.h>
#include <linux/seq_file.h>

#include "raid1_keel.h"

/**
 * r1_freeze() - stop all IO to the array and wait for it to settle
 * @conf: array
 * @extra: admitted, unparked requests the caller holds itself (0 or 1)
 *
 * r1_gate_freeze() that pushes out bitmap-queued writes while it waits.
 * In-tree: freeze_array(). Undo with r1_thaw() (unfreeze_array()).
 */
void r1_freeze(struct r1_array *conf, int extra)
{
	r1_gate_freeze(&conf->gate, extra, r1_drain_queued, conf);
}

void r1_thaw(struct r1_array *conf)
{
	r1_gate_thaw(&conf->gate);
}

/**
 * r1_error() - md's error_handler: a member misbehaved
 * @mddev: array
 * @rdev: the member
 *
 * The last working member is never failed (unless fail_last_dev is set):
 * the array is marked broken and the member stays, so that reads of data
 * that still exists there keep working.
 */
void r1_error(struct mddev *mddev, struct md_rdev *rdev)
{
	struct r1_array *conf = mddev->private;
	unsigned long irqf;
	bool last;
	int left;

	spin_lock_irqsave(&conf->lock, irqf);
	last = conf->nlegs - mddev->degraded == 1 &&
	       test_bit(In_sync, &rdev->flags);
	if (last)
		set_bit(MD_BROKEN, &mddev->flags);
	if (last && !r1_fail_last_dev(mddev)) {
		/* keep the only copy; recovery cannot help either */
		conf->recovery_disabled = mddev->recovery_disabled;
		spin_unlock_irqrestore(&conf->lock, irqf);
		return;
	}
	/* Blocked until md has recorded the failure in the superblock */
	set_bit(Blocked, &rdev->flags);
	if (test_and_clear_bit(In_sync, &rdev->flags))
		mddev->degraded += 1;
	set_bit(Faulty, &rdev->flags);
	left = conf->nlegs - mddev->degraded;
	spin_unlock_irqrestore(&conf->lock, irqf);

	/* stop a running resync/recovery; record the change */
	set_bit(MD_RECOVERY_INTR, &mddev->recovery);
	set_mask_bits(&mddev->sb_flags, 0,
		      BIT(MD_SB_CHANGE_PENDING) | BIT(MD_SB_CHANGE_DEVS));
	pr_crit("%s: Disk failure on %pg, disabling device.\n",
		mdname(mddev), rdev->bdev);
	pr_crit("%s: Operation continuing on %d devices.\n",
		mdname(mddev), left);
}

static void r1_notify_state(struct md_rdev *rdev)
{
	sysfs_notify_dirent_safe(rdev->sysfs_state);
}

/**
 * r1_spare_active() - make fully recovered members (and replacements)
 *                     In_sync
 * @mddev: array
 *
 * Return: number of members that became active.
 */
int r1_spare_active(struct mddev *mddev)
{
	struct r1_array *conf = mddev->private;
	unsigned long irqf;
	int i, count = 0;

	spin_lock_irqsave(&conf->lock, irqf);
	for (i = 0; i < conf->nlegs; i++) {
		struct md_rdev *rdev = conf->legs[i].rdev;
		struct md_rdev *repl = conf->legs[conf->nlegs + i].rdev;

		if (repl && !test_bit(Candidate, &repl->flags) &&
		    repl->recovery_offset == MaxSector &&
		    !test_bit(Faulty, &repl->flags) &&
		    !test_and_set_bit(In_sync, &repl->flags)) {
			/* the replacement takes over */
			if (!rdev || !test_and_clear_bit(In_sync, &rdev->flags))
				count++;
			if (rdev) {
				/* not broken, but must go and never return */
				set_bit(Faulty, &rdev->flags);
				r1_notify_state(rdev);
			}
		}
		if (rdev && rdev->recovery_offset == MaxSector &&
		    !test_bit(Faulty, &rdev->flags) &&
		    !test_and_set_bit(In_sync, &rdev->flags)) {
			count++;
			r1_notify_state(rdev);
		}
	}
	mddev->degraded = mddev->degraded - count;
	spin_unlock_irqrestore(&conf->lock, irqf);
	return count;
}

static void r1_fill_slot(struct r1_leg *leg, struct md_rdev *rdev, int nr)
{
	leg->head = 0;
	leg->seq_next = MaxSector;
	r1_stats_reset(leg);
	rdev->raid_disk = nr;
	/* publish only after the slot is set up; pairs with r1_rdev_rcu() */
	smp_store_release(&leg->rdev, rdev);
}

/**
 * r1_add_disk() - md's hot_add_disk: put a new member into a free slot,
 *                 else next to a member that wants replacement
 * @mddev: array
 * @rdev: the new member
 *
 * Return: 0, -EBUSY while recovery is known to be impossible, -EEXIST
 * when there is no room.
 */
int r1_add_disk(struct mddev *mddev, struct md_rdev *rdev)
{
	struct r1_array *conf = mddev->private;
	int lo = 0, hi = conf->nlegs - 1, prev = rdev->saved_raid_disk, i;
	int repl = -1, err;

	/* recovery onto a spare is known to fail (read faults) */
	if (conf->recovery_disabled == mddev->recovery_disabled)
		return -EBUSY;
	if (r1_integrity_add_rdev(mddev, rdev) != 0)
		return -ENXIO;

	if (rdev->raid_disk >= 0) {
		lo = rdev->raid_disk;
		hi = lo;
	}
	/* a returning member goes back to its old slot if it is free */
	if (prev >= lo && prev < conf->nlegs && !conf->legs[prev].rdev) {
		lo = prev;
		hi = prev;
	}

	for (i = lo; i <= hi && i < conf->nlegs; i++) {
		struct r1_leg *leg = &conf->legs[i];

		if (!leg->rdev) {
			err = r1_stack_new_rdev(mddev, rdev);
			if (err)
				return err;
			/* a recent member only needs the dirty chunks */
			if (prev < 0)
				conf->fullsync = true;
			r1_fill_slot(leg, rdev, i);
			return 0;
		}
		if (repl < 0 && !conf->legs[conf->nlegs + i].rdev &&
		    test_bit(WantReplacement, &leg->rdev->flags))
			repl = i;
	}
	/*
	 * Only when no slot is empty does the new disk replace a member that
	 * asks for it: a degraded array first gets its mirror back (a
	 * surviving leg that once had a write error wants replacement, and
	 * replacing it would leave the array as degraded as before).
	 */
	if (repl < 0)
		return -EEXIST;
	set_bit(Replacement, &rdev->flags);
	clear_bit(In_sync, &rdev->flags);
	conf->fullsync = true;
	r1_fill_slot(&conf->legs[conf->nlegs + repl], rdev, repl);
	return 0;
}

/**
 * r1_remove_disk() - md's hot_remove_disk
 * @mddev: array
 * @rdev: member to remove (must be Faulty or a spare, without IO)
 *
 * Return: 0 or -EBUSY.
 */
int r1_remove_disk(struct mddev *mddev, struct md_rdev *rdev)
{
	struct r1_array *conf = mddev->private;
	int nr = rdev->raid_disk;
	struct r1_leg *leg;
	bool frozen;

	if (nr < 0 || nr >= conf->nlegs)
		return 0;
	leg = &conf->legs[nr];
	if (leg->rdev != rdev)
		leg = &conf->legs[conf->nlegs + nr];
	if (leg->rdev != rdev)
		return 0;

	if (atomic_read(&rdev->nr_pending) ||
	    test_bit(In_sync, &rdev->flags))
		return -EBUSY;
	/* a working spare only goes when recovery cannot use it */
	if (mddev->degraded < conf->nlegs &&
	    conf->recovery_disabled != mddev->recovery_disabled &&
	    !test_bit(Faulty, &rdev->flags))
		return -EBUSY;

	/*
	 * A working spare can be picked up by a writer at any moment, and
	 * a completion finds its member through the slot: emptied under a
	 * writer, the slot would read NULL there. So a working spare's slot
	 * is emptied with the gate frozen, nothing in flight. A Faulty
	 * member is never picked up again (6.1's md waited a grace period
	 * for that, RemoveSynchronized; 6.12 suspends the array around the
	 * removal), so its removal keeps IO flowing.
	 */
	frozen = !test_bit(Faulty, &rdev->flags);
	if (frozen) {
		r1_freeze(conf, 0);
		if (atomic_read(&rdev->nr_pending) > 0) {
			r1_thaw(conf);
			return -EBUSY;
		}
	}
	WRITE_ONCE(leg->rdev, NULL);
	/* wait for lockless readers that may have picked up the pointer */
	if (r1_remove_needs_grace(rdev))
		synchronize_rcu();
	if (atomic_read(&rdev->nr_pending) > 0) {
		/* somebody picked it up meanwhile */
		WRITE_ONCE(leg->rdev, rdev);
		if (frozen)
			r1_thaw(conf);
		return -EBUSY;
	}

	if (leg == &conf->legs[nr] && conf->legs[conf->nlegs + nr].rdev) {
		/* the original left: its replacement moves into the slot */
		struct md_rdev *repl = conf->legs[conf->nlegs + nr].rdev;

		if (!frozen)
			r1_freeze(conf, 0);
		frozen = true;
		if (atomic_read(&repl->nr_pending) > 0) {
			/* parked IO still refers to the replacement slot */
			r1_thaw(conf);
			WRITE_ONCE(leg->rdev, rdev);
			return -EBUSY;
		}
		/* from now on it is an ordinary member */
		clear_bit(Replacement, &repl->flags);
		leg->rdev = repl;
		leg->head = 0;
		leg->seq_next = MaxSector;
		conf->legs[conf->nlegs + nr].rdev = NULL;
	}
	if (frozen)
		r1_thaw(conf);
	clear_bit(WantReplacement, &rdev->flags);
	return md_integrity_register(mddev);
}

/* The rdN link in the md directory follows the member to a new slot. */
static void r1_move_link(struct mddev *mddev, struct md_rdev *rdev, int to)
{
	sysfs_unlink_rdev(mddev, rdev);
	rdev->raid_disk = to;
	if (sysfs_link_rdev(mddev, rdev))
		pr_warn("%s: no sysfs link rd%d for %pg\n",
			mdname(mddev), to, rdev->bdev);
}

/**
 * r1_reshape() - md's check_reshape: change the number of legs
 * @mddev: array; mddev->delta_disks holds the change
 *
 * Only raid_disks can change (no chunk size, layout or level for raid1).
 * Members are packed into the lowest slots. Shrinking below the number of
 * present members is refused.
 *
 * Return: 0 or a negative errno.
 */
int r1_reshape(struct mddev *mddev)
{
	struct r1_array *conf = mddev->private;
	struct r1_pool_geom *geom, *old_geom;
	struct r1_leg *legs, *old_legs;
	mempool_t pool, old_pool;
	int nlegs, present = 0, d, to;
	unsigned long irqf;
	int err;

	if (mddev->new_level != mddev->level ||
	    mddev->new_layout != mddev->layout ||
	    mddev->new_chunk_sectors != mddev->chunk_sectors) {
		pr_warn("%s: only the number of devices can be changed\n",
			mdname(mddev));
		/* drop the request: the geometry stays as it is */
		mddev->new_level = mddev->level;
		mddev->new_layout = mddev->layout;
		mddev->new_chunk_sectors = mddev->chunk_sectors;
		return -EINVAL;
	}

	md_allow_write(mddev);

	nlegs = mddev->raid_disks + mddev->delta_disks;
	if (nlegs < 1)
		return -EINVAL;
	for (d = 0; d < conf->nlegs; d++)
		if (conf->legs[d].rdev)
			present++;
	if (nlegs < conf->nlegs && present > nlegs) {
		pr_warn("%s: cannot shrink to %d devices with %d present\n",
			mdname(mddev), nlegs, present);
		return -EBUSY;
	}
	/* replacements in progress would lose their slot */
	for (d = conf->nlegs; d < r1_slots(conf); d++)
		if (conf->legs[d].rdev)
			return -EBUSY;

	geom = kmalloc(sizeof(*geom), GFP_KERNEL);
	if (!geom)
		return -ENOMEM;
	geom->mddev = mddev;
	geom->slots = nlegs * 2;
	memset(&pool, 0, sizeof(pool));
	err = r1_req_pool_init(&pool, geom);
	if (err) {
		kfree(geom);
		return err;
	}
	legs = kcalloc(nlegs * 2, sizeof(*legs), GFP_KERNEL);
	if (!legs) {
		mempool_exit(&pool);
		kfree(geom);
		return -ENOMEM;
	}
	for (d = 0; d < nlegs * 2; d++)
		legs[d].seq_next = MaxSector;

	r1_freeze(conf, 0);
	if (r1_gate_unparked(&conf->gate) != 0 || !list_empty(&conf->retry) ||
	    !bio_list_empty(&conf->failed_reads) ||
	    !list_empty(&conf->finish)) {
		/* requests parked on raid1d still use the old slot numbers */
		r1_thaw(conf);
		mempool_exit(&pool);
		kfree(legs);
		kfree(geom);
		return -EBUSY;
	}

	old_pool = conf->req_pool;
	conf->req_pool = pool;
	/* the wait queue lives inside the struct we just copied */
	init_waitqueue_head(&conf->req_pool.wait);

	for (d = 0, to = 0; d < conf->nlegs; d++) {
		struct md_rdev *rdev = conf->legs[d].rdev;

		if (!rdev)
			continue;
		if (rdev->raid_disk != to)
			r1_move_link(mddev, rdev, to);
		legs[to++] = conf->legs[d];
	}
	old_legs = conf->legs;
	old_geom = conf->geom;
	conf->geom = geom;

	/*
	 * IO is frozen, but legs_show() and r1_status() walk the slots
	 * under mddev->lock alone: they get the new array together with
	 * its count, and the old one is freed only after a grace period.
	 */
	spin_lock(&mddev->lock);
	spin_lock_irqsave(&conf->lock, irqf);
	/* release: the copied slots are visible before the pointer */
	smp_store_release(&conf->legs, legs);
	/* new empty slots are missing legs (negative when shrinking) */
	mddev->degraded += nlegs - conf->nlegs;
	conf->nlegs = nlegs;
	spin_unlock_irqrestore(&conf->lock, irqf);
	spin_unlock(&mddev->lock);
	mddev->delta_disks = 0;
	mddev->raid_disks = nlegs;

	r1_thaw(conf);

	/* let md look for spares to recover onto the new slots */
	set_bit(MD_RECOVERY_RECOVER, &mddev->recovery);
	set_bit(MD_RECOVERY_NEEDED, &mddev->recovery);
	md_wakeup_thread(mddev->thread);

	mempool_exit(&old_pool);
	synchronize_rcu();
	kfree(old_legs);
	kfree(old_geom);
	return 0;
}
