// SPDX-License-Identifier: GPL-2.0
/*
 * keel raid1: per-leg statistics.
 *
 * /sys/block/mdX/md/keel_raid1/legs shows one line per occupied slot:
 *
 *   slot device state reads read_sectors writes write_sectors
 *   read_errors write_errors read_lat_us inflight
 *   picks: first only seq score dist probe partial wmostly
 *
 * The directory is a kobject of our own under the md directory, so it
 * is independent of md core's attribute groups and goes away in free().
 */
/* "md/raid1:<array>: ..." as in-tree md prints it */
#define pr_fmt(fmt) "md/" KBUILD_MODNAME ":" fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "raid1_keel.h"

void r1_stats_reset(struct r1_leg *leg)
{
	memset(&leg->stats, 0, sizeof(leg->stats));
}

/*
 * A read completed; @issued is its r1_now() at issue, 0 when it was not
 * timed (r1_lat_timed()).
 */
void r1_stats_read_done(struct r1_leg *leg, u64 issued, int sectors, bool ok)
{
	struct r1_leg_stats *st = &leg->stats;

	atomic_dec(&st->inflight);
	if (!ok) {
		atomic64_inc(&st->read_errors);
		return;
	}
	atomic64_inc(&st->reads);
	atomic64_add(sectors, &st->read_sectors);
	if (!issued)
		return;
	/* racy read-modify-write: an average may lose a sample, no harm */
	atomic64_set(&st->lat_ns, r1_lat_fold(atomic64_read(&st->lat_ns),
					      r1_since(issued, r1_now())));
}

void r1_stats_write_done(struct r1_leg *leg, int sectors, bool ok)
{
	struct r1_leg_stats *st = &leg->stats;

	if (!ok) {
		atomic64_inc(&st->write_errors);
		return;
	}
	atomic64_inc(&st->writes);
	atomic64_add(sectors, &st->write_sectors);
}

static const char *r1_leg_state(struct md_rdev *rdev)
{
	if (test_bit(Faulty, &rdev->flags))
		return "faulty";
	if (test_bit(In_sync, &rdev->flags))
		return test_bit(WriteMostly, &rdev->flags) ?
			"in_sync,write_mostly" : "in_sync";
	if (test_bit(Replacement, &rdev->flags))
		return "replacement";
	return "rebuilding";
}

static ssize_t legs_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	struct mddev *mddev = container_of(kobj->parent, struct mddev, kobj);
	struct r1_array *conf;
	struct r1_leg *legs;
	ssize_t len = 0;
	int i, w, slots;

	/* mddev->lock: r1_reshape() swaps legs and nlegs under it */
	spin_lock(&mddev->lock);
	conf = mddev->private;
	if (mddev->pers != &r1_personality || !conf) {
		spin_unlock(&mddev->lock);
		return -ENODEV;
	}
	legs = conf->legs;
	slots = r1_slots(conf);
	len += sysfs_emit_at(buf, len,
			     "# slot dev state reads rsect writes wsect rerr werr lat_us inflight first only seq score dist probe partial wmostly\n");
	rcu_read_lock();
	for (i = 0; i < slots; i++) {
		struct md_rdev *rdev = READ_ONCE(legs[i].rdev);
		struct r1_leg_stats *st = &legs[i].stats;

		if (!rdev)
			continue;
		len += sysfs_emit_at(buf, len,
				     "%d %pg %s %lld %lld %lld %lld %lld %lld %lld %d",
				     i, rdev->bdev, r1_leg_state(rdev),
				     atomic64_read(&st->reads),
				     atomic64_read(&st->read_sectors),
				     atomic64_read(&st->writes),
				     atomic64_read(&st->write_sectors),
				     atomic64_read(&st->read_errors),
				     atomic64_read(&st->write_errors),
				     atomic64_read(&st->lat_ns) / 1000,
				     atomic_read(&st->inflight));
		for (w = R1_WHY_FIRST; w <= R1_WHY_WMOSTLY; w++)
			len += sysfs_emit_at(buf, len, " %lld",
					     atomic64_read(&st->picks[w]));
		len += sysfs_emit_at(buf, len, "\n");
	}
	rcu_read_unlock();
	spin_unlock(&mddev->lock);
	return len;
}

static struct kobj_attribute r1_legs_attr = __ATTR_RO(legs);

void r1_stats_add(struct r1_array *conf)
{
	struct mddev *mddev = conf->mddev;
	struct kobject *kobj;

	/* dm-raid arrays have no md directory */
	if (!mddev->kobj.sd || conf->stats_kobj)
		return;
	kobj = kobject_create_and_add("keel_raid1", &mddev->kobj);
	if (!kobj) {
		pr_warn("%s: no statistics directory\n",
			mdname(mddev));
		return;
	}
	if (sysfs_create_file(kobj, &r1_legs_attr.attr)) {
		kobject_put(kobj);
		return;
	}
	conf->stats_kobj = kobj;
}

void r1_stats_remove(struct r1_array *conf)
{
	if (!conf->stats_kobj)
		return;
	kobject_put(conf->stats_kobj);
	conf->stats_kobj = NULL;
}
