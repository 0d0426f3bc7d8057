// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: `dmsetup message` handling.
 *
 *   queue_if_no_path | fail_if_no_path
 *   disable_group <n> | enable_group <n> | switch_group <n>
 *   fail_path <dev> | reinstate_path <dev>
 *
 * Messages are refused with -EBUSY while the map is suspended and are
 * serialised against postsuspend by msg_lock.
 */
#include <linux/blkdev.h>
#include <linux/kdev_t.h>
#include <linux/string.h>

#include "mpath.h"
#include "mpath_parse.h"

static struct mp_group *mp_group_by_num(struct mp_map *m, unsigned int num)
{
	struct mp_group *g;

	list_for_each_entry(g, &m->groups, node)
		if (g->num == num)
			return g;
	return NULL;
}

static int mp_msg_switch(struct mp_map *m, const char *arg)
{
	struct mp_group *g;
	unsigned long irqf;
	unsigned int num;

	if (mp_parse_group_num(arg, m->nr_groups, &num)) {
		DMWARN("invalid PG number supplied to switch_pg_num");
		return -EINVAL;
	}
	spin_lock_irqsave(&m->lock, irqf);
	list_for_each_entry(g, &m->groups, node) {
		g->bypassed = false;
		if (g->num == num) {
			m->cur_path = NULL;
			m->cur_grp = NULL;
			m->next_grp = g;
		}
	}
	spin_unlock_irqrestore(&m->lock, irqf);
	schedule_work(&m->event_work);
	return 0;
}

static int mp_msg_bypass(struct mp_map *m, const char *arg, bool on)
{
	struct mp_group *g;
	unsigned int num;

	g = NULL;
	if (!mp_parse_group_num(arg, m->nr_groups, &num))
		g = mp_group_by_num(m, num);
	if (!g) {
		DMWARN("invalid PG number supplied to bypass_pg");
		return -EINVAL;
	}
	mp_bypass_group(m, g, on);
	return 0;
}

/*
 * The device a fail_path/reinstate_path message names, as a dev_t: either
 * "major:minor" or a block device path. Deliberately not dm_get_device():
 * that adds the device to the live table's device list (unlocked against
 * the table's own users) and opens it, only to compare it and put it back.
 * 6.12's dm core exports dm_devt_from_path() for this; lookup_bdev() is
 * what it does and exists on 6.1 as well.
 */
static int mp_msg_devt(const char *name, dev_t *devt)
{
	unsigned int maj, min;
	char extra;

	if (sscanf(name, "%u:%u%c", &maj, &min, &extra) == 2) {
		*devt = MKDEV(maj, min);
		if (MAJOR(*devt) != maj || MINOR(*devt) != min)
			return -EOVERFLOW;
		return 0;
	}
	return lookup_bdev(name, devt);
}

static int mp_msg_path(struct dm_target *ti, const char *dev_name, int (*act)(struct mp_path *p))
{
	struct mp_map *m = ti->private;
	struct mp_group *g;
	struct mp_path *p;
	dev_t devt;
	int r;

	r = mp_msg_devt(dev_name, &devt);
	if (r) {
		DMWARN("message: error getting device %s", dev_name);
		return r;
	}
	/* a device may appear in several groups: act on every copy */
	r = -EINVAL;
	list_for_each_entry(g, &m->groups, node)
		list_for_each_entry(p, &g->paths, node)
			if (p->dev->bdev->bd_dev == devt)
				r = act(p);
	return r;
}

int mp_message(struct dm_target *ti, unsigned int argc, char **argv,
	       char *result, unsigned int maxlen)
{
	struct mp_map *m = ti->private;
	unsigned long irqf;
	int r = -EINVAL;

	mutex_lock(&m->msg_lock);
	if (dm_suspended(ti)) {
		r = -EBUSY;
		goto out;
	}

	if (argc == 1 && !strcasecmp(argv[0], "queue_if_no_path")) {
		mp_queue_if_no_path(m, true, false);
		spin_lock_irqsave(&m->lock, irqf);
		mp_nopath_timer_arm(m);
		spin_unlock_irqrestore(&m->lock, irqf);
		r = 0;
		goto out;
	}
	if (argc == 1 && !strcasecmp(argv[0], "fail_if_no_path")) {
		mp_queue_if_no_path(m, false, false);
		mp_nopath_timer_stop(m);
		r = 0;
		goto out;
	}
	if (argc != 2) {
		DMWARN("Invalid multipath message arguments. Expected 2 arguments, got %d.",
		       argc);
		goto out;
	}

	if (!strcasecmp(argv[0], "disable_group"))
		r = mp_msg_bypass(m, argv[1], true);
	else if (!strcasecmp(argv[0], "enable_group"))
		r = mp_msg_bypass(m, argv[1], false);
	else if (!strcasecmp(argv[0], "switch_group"))
		r = mp_msg_switch(m, argv[1]);
	else if (!strcasecmp(argv[0], "fail_path"))
		r = mp_msg_path(ti, argv[1], mp_fail_path);
	else if (!strcasecmp(argv[0], "reinstate_path"))
		r = mp_msg_path(ti, argv[1], mp_reinstate_path);
	else
		DMWARN("Unrecognised multipath message received: %s", argv[0]);
out:
	mutex_unlock(&m->msg_lock);
	return r;
}
