// SPDX-License-Identifier: GPL-2.0
/*
 * keel raid1: the md "raid1" personality (RAID level 1, mirroring).
 *
 * A drop-in for the in-tree raid1.ko of Debian's Linux 6.1 and 6.12 (the
 * API differences live in r1_compat.h): same personality name, level and
 * module aliases, so md core, mdadm, initramfs and dm-raid use it
 * unchanged. This file holds the personality table and the array's
 * life cycle (run, free, status, size, resize, quiesce, takeover).
 */
/* "md/raid1:<array>: ..." as in-tree md prints it */
#define pr_fmt(fmt) "md/" KBUILD_MODNAME ":" fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/seq_file.h>

#include <keel/keel_module.h>
#include "raid1_keel.h"

static void r1_destroy(struct r1_array *conf)
{
	if (!conf)
		return;
	mempool_exit(&conf->req_pool);
	mempool_exit(&conf->sync_pool);
	bioset_exit(&conf->split_set);
	bioset_exit(&conf->read_set);
	r1_gate_destroy(&conf->gate);
	if (conf->scratch)
		put_page(conf->scratch);
	kfree(conf->legs);
	kfree(conf->geom);
	kfree(conf);
}

/* Place the members into their slots; replacements in the upper half. */
static int r1_place_members(struct r1_array *conf)
{
	struct mddev *mddev = conf->mddev;
	int n = conf->nlegs, i;
	struct md_rdev *rdev;

	rdev_for_each(rdev, mddev) {
		int slot = rdev->raid_disk;

		if (slot < 0 || slot >= n)
			continue;
		if (test_bit(Replacement, &rdev->flags))
			slot += n;
		if (conf->legs[slot].rdev) {
			pr_warn("%s: two devices claim slot %d\n",
				mdname(mddev), slot);
			return -EINVAL;
		}
		conf->legs[slot].rdev = rdev;
	}

	for (i = 0; i < n; i++) {
		struct r1_leg *leg = &conf->legs[i];
		struct r1_leg *repl = &conf->legs[n + i];

		if (repl->rdev) {
			if (!leg->rdev) {
				/* only the replacement is left: it becomes a
				 * recovering member of the slot
				 */
				leg->rdev = repl->rdev;
				repl->rdev = NULL;
			} else if (!test_bit(In_sync, &leg->rdev->flags)) {
				pr_warn("%s: slot %d has a replacement but no in-sync original\n",
					mdname(mddev), i);
				return -EIO;
			}
		}
		/* a member never seen in this array needs a full copy */
		if (leg->rdev && leg->rdev->saved_raid_disk < 0 &&
		    !test_bit(In_sync, &leg->rdev->flags))
			conf->fullsync = true;
	}
	return 0;
}

static struct r1_array *r1_setup(struct mddev *mddev)
{
	int slots = mddev->raid_disks * 2, i, err = -ENOMEM;
	struct r1_array *conf;

	conf = kzalloc(sizeof(*conf), GFP_KERNEL);
	if (!conf)
		return ERR_PTR(err);
	conf->mddev = mddev;
	conf->nlegs = mddev->raid_disks;
	spin_lock_init(&conf->lock);
	INIT_LIST_HEAD(&conf->retry);
	bio_list_init(&conf->failed_reads);
	INIT_LIST_HEAD(&conf->finish);
	bio_list_init(&conf->queued_writes);
	/* differs from md's value: recovery is allowed */
	conf->recovery_disabled = mddev->recovery_disabled - 1;

	conf->geom = kzalloc(sizeof(*conf->geom), GFP_KERNEL);
	conf->legs = kcalloc(slots, sizeof(*conf->legs), GFP_KERNEL);
	conf->scratch = alloc_page(GFP_KERNEL);
	if (!conf->geom || !conf->legs || !conf->scratch)
		goto fail;
	conf->geom->mddev = mddev;
	conf->geom->slots = slots;
	for (i = 0; i < slots; i++)
		conf->legs[i].seq_next = MaxSector;

	err = r1_gate_init(&conf->gate);
	if (err)
		goto fail;
	err = r1_req_pool_init(&conf->req_pool, conf->geom);
	if (err)
		goto fail;
	err = bioset_init(&conf->split_set, BIO_POOL_SIZE, 0, 0);
	if (err)
		goto fail;
	err = r1_read_set_init(&conf->read_set);
	if (err)
		goto fail;

	err = r1_place_members(conf);
	if (err)
		goto fail;

	conf->thread = md_register_thread(r1_daemon, mddev, R1_NAME);
	if (conf->thread)
		return conf;
	err = -ENOMEM;
fail:
	r1_destroy(conf);
	return ERR_PTR(err);
}

static sector_t r1_size(struct mddev *mddev, sector_t sectors, int raid_disks)
{
	return sectors ? sectors : mddev->dev_sectors;
}

static void r1_free(struct mddev *mddev, void *priv)
{
	struct r1_array *conf = priv;

	r1_stats_remove(conf);
	r1_destroy(conf);
}

static int r1_run(struct mddev *mddev)
{
	struct r1_array *conf;
	int i, err;

	int working = 0;

	if (mddev->level != 1 || mddev->reshape_position != MaxSector) {
		pr_warn("%s: cannot run level %d%s\n", mdname(mddev),
			mddev->level,
			mddev->reshape_position != MaxSector ?
			" with a reshape in progress" : "");
		return -EIO;
	}
	if (mddev_is_clustered(mddev)) {
		pr_warn("%s: clustered arrays are not supported by keel raid1\n",
			mdname(mddev));
		return -EOPNOTSUPP;
	}
	err = r1_init_writes_pending(mddev);
	if (err < 0)
		return -ENOMEM;

	/* after takeover the configuration already exists */
	conf = mddev->private;
	if (!conf) {
		conf = r1_setup(mddev);
		if (IS_ERR(conf))
			return PTR_ERR(conf);
	}

	for (i = 0; i < conf->nlegs; i++) {
		struct md_rdev *m = conf->legs[i].rdev;

		if (m && test_bit(In_sync, &m->flags) &&
		    !test_bit(Faulty, &m->flags))
			working++;
	}
	if (!working) {
		pr_warn("%s: no in-sync device, cannot start\n",
			mdname(mddev));
		err = -EINVAL;
		goto fail;
	}
	mddev->degraded = conf->nlegs - working;
	/* with a single copy there is nothing to resync against */
	if (working == 1)
		r1_set_resync_offset(mddev, MaxSector);

	/* members' limits; write-zeroes is not mirrored, so it is emulated */
	err = r1_set_limits(mddev);
	if (err)
		goto fail;

	if (r1_resync_offset(mddev) != MaxSector)
		pr_info("%s: array was not shut down cleanly, resyncing\n",
			mdname(mddev));
	pr_info("%s: running with %d of %d legs in sync\n",
		mdname(mddev), working, conf->nlegs);

	/* raid1d now belongs to md */
	mddev->private = conf;
	r1_adopt_thread(mddev, &conf->thread);
	set_bit(MD_FAILFAST_SUPPORTED, &mddev->flags);
	md_set_array_sectors(mddev, r1_size(mddev, 0, 0));

	err = md_integrity_register(mddev);
	if (!err) {
		r1_stats_add(conf);
		return 0;
	}
	r1_unregister_md_thread(mddev);
	mddev->private = NULL;
	r1_destroy(conf);
	return err;

fail:
	r1_unregister_thread(mddev, &conf->thread);
	mddev->private = NULL;
	r1_destroy(conf);
	return err;
}

/* md_seq_show() holds mddev->lock, under which r1_reshape() swaps legs */
static void r1_status(struct seq_file *seq, struct mddev *mddev)
{
	struct r1_array *conf = mddev->private;
	struct r1_leg *legs = conf->legs;
	int i, n = conf->nlegs;

	seq_printf(seq, " [%d/%d] [", n, n - mddev->degraded);
	rcu_read_lock();
	for (i = 0; i < n; i++) {
		struct md_rdev *rdev = READ_ONCE(legs[i].rdev);

		seq_putc(seq, rdev && test_bit(In_sync, &rdev->flags) ?
			 'U' : '_');
	}
	rcu_read_unlock();
	seq_putc(seq, ']');
}

static int r1_resize(struct mddev *mddev, sector_t sectors)
{
	sector_t size = r1_size(mddev, sectors, 0);
	sector_t old = mddev->dev_sectors;
	int err;

	/* user space fixed the array size: it may not shrink under it */
	if (mddev->external_size && size < mddev->array_sectors)
		return -EINVAL;
	err = r1_bitmap_resize(mddev, size);
	if (err)
		return err;
	md_set_array_sectors(mddev, size);
	mddev->resync_max_sectors = sectors;
	mddev->dev_sectors = sectors;
	/* growing: everything past the old end must be synced */
	if (sectors > old && r1_resync_offset(mddev) > old) {
		r1_set_resync_offset(mddev, old);
		set_bit(MD_RECOVERY_NEEDED, &mddev->recovery);
	}
	return 0;
}

static void r1_quiesce(struct mddev *mddev, int quiesce)
{
	struct r1_array *conf = mddev->private;

	if (quiesce)
		r1_freeze(conf, 0);
	else
		r1_thaw(conf);
}

/* raid1 can take over a two-device raid5 (same data on both). */
static void *r1_takeover(struct mddev *mddev)
{
	struct r1_array *conf;

	if (mddev->level != 5 || mddev->raid_disks != 2) {
		pr_warn("%s: cannot take over level %d with %d devices\n",
			mdname(mddev), mddev->level, mddev->raid_disks);
		return ERR_PTR(-EINVAL);
	}
	/* raid1 has neither chunks nor layouts */
	mddev->new_chunk_sectors = 0;
	mddev->new_layout = 0;
	mddev->new_level = 1;
	conf = r1_setup(mddev);
	if (!IS_ERR(conf))
		mddev_clear_unsupported_flags(mddev, R1_UNSUPPORTED_FLAGS);
	return conf;
}

struct md_personality r1_personality = {
	.name		= R1_NAME,
	.level		= 1,
	.owner		= THIS_MODULE,
	.make_request	= r1_make_request,
	.run		= r1_run,
	.free		= r1_free,
	.status		= r1_status,
	.error_handler	= r1_error,
	.hot_add_disk	= r1_add_disk,
	.hot_remove_disk = r1_remove_disk,
	.spare_active	= r1_spare_active,
	.sync_request	= r1_sync_request,
	.resize		= r1_resize,
	.size		= r1_size,
	.check_reshape	= r1_reshape,
	.quiesce	= r1_quiesce,
	.takeover	= r1_takeover,
};

static int __init r1_init(void)
{
	return register_md_personality(&r1_personality);
}

static void __exit r1_exit(void)
{
	unregister_md_personality(&r1_personality);
}

module_init(r1_init);
module_exit(r1_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("keel RAID1 (mirroring) personality for MD");
/* /sys/module/raid1/version tells keel's module from the in-tree one */
MODULE_VERSION(KEEL_VERSION);
MODULE_ALIAS("md-personality-3");
MODULE_ALIAS("md-raid1");
MODULE_ALIAS("md-level-1");
