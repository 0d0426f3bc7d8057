// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: per-path I/O statistics in debugfs.
 *
 *   /sys/kernel/debug/dm_multipath/<dm-N>.<table id>/paths
 *
 * one line per path, in table order:
 *   <maj:min> group=<n> state=<A|F> fail_count=<n> ios=<n> bytes=<n>
 *   errors=<n> avg_lat_us=<n>
 *
 * Counters are per CPU, so accounting a completion is a few this_cpu adds
 * with no shared cache line. avg_lat_us averages the timed I/Os: one in
 * MP_LAT_SAMPLE, or all of them under a selector that times every I/O
 * (historical-service-time).  The table id keeps the old and the new table
 * of a reload apart while both exist.
 */
#include <linux/debugfs.h>
#include <linux/sched/clock.h>
#include <linux/math64.h>
#include <linux/seq_file.h>

#include "mpath.h"

static struct dentry *mp_stats_root;
static atomic_t mp_stats_seq = ATOMIC_INIT(0);

int mp_stats_path_init(struct mp_path *p)
{
	p->stats = alloc_percpu(struct mp_path_stats);
	return p->stats ? 0 : -ENOMEM;
}

void mp_stats_path_exit(struct mp_path *p)
{
	free_percpu(p->stats);
	p->stats = NULL;
}

/**
 * mp_stats_sample() - should the I/O being dispatched on @p be timed?
 * @p: the path.
 *
 * Return: true while this CPU's count of completed I/Os on the path is a
 * multiple of MP_LAT_SAMPLE: about one I/O in MP_LAT_SAMPLE (more while
 * many are dispatched before any completes). The average stays right:
 * it divides by the number timed.
 */
bool mp_stats_sample(struct mp_path *p)
{
	return p->stats &&
	       !(this_cpu_read(p->stats->ios) & (MP_LAT_SAMPLE - 1));
}

/**
 * mp_stats_account() - count one finished I/O on a path.
 * @p:        the path.
 * @bytes:    size of the I/O.
 * @start_ns: local_clock() at dispatch, 0 when the I/O was not timed.
 * @error:    completed with an error.
 */
void mp_stats_account(struct mp_path *p, size_t bytes, u64 start_ns,
		      bool error)
{
	u64 now;

	if (!p->stats)
		return;
	/* this_cpu ops: safe against a completion interrupting another */
	this_cpu_inc(p->stats->ios);
	this_cpu_add(p->stats->bytes, bytes);
	if (error)
		this_cpu_inc(p->stats->errors);
	if (!start_ns)
		return;
	now = local_clock();
	this_cpu_inc(p->stats->lat_samples);
	if (now > start_ns)
		this_cpu_add(p->stats->lat_ns, now - start_ns);
}

static void mp_stats_sum(struct mp_path *p, struct mp_path_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	if (!p->stats)
		return;
	for_each_possible_cpu(cpu) {
		struct mp_path_stats *s = per_cpu_ptr(p->stats, cpu);

		sum->ios += READ_ONCE(s->ios);
		sum->bytes += READ_ONCE(s->bytes);
		sum->errors += READ_ONCE(s->errors);
		sum->lat_ns += READ_ONCE(s->lat_ns);
		sum->lat_samples += READ_ONCE(s->lat_samples);
	}
}

static int mp_stats_show(struct seq_file *sf, void *unused)
{
	struct mp_map *m = sf->private;
	struct mp_path_stats sum;
	struct mp_group *g;
	struct mp_path *p;

	list_for_each_entry(g, &m->groups, node) {
		list_for_each_entry(p, &g->paths, node) {
			mp_stats_sum(p, &sum);
			seq_printf(sf, "%s group=%u state=%c fail_count=%u ios=%llu bytes=%llu errors=%llu avg_lat_us=%llu\n",
				   p->dev->name, g->num,
				   READ_ONCE(p->active) ? 'A' : 'F',
				   READ_ONCE(p->fail_count), sum.ios,
				   sum.bytes, sum.errors,
				   sum.lat_samples ?
				   div64_u64(sum.lat_ns, sum.lat_samples) /
				   NSEC_PER_USEC : 0);
		}
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mp_stats);

void mp_stats_map_add(struct mp_map *m)
{
	char name[64];

	if (IS_ERR_OR_NULL(mp_stats_root))
		return;
	m->stats_id = atomic_inc_return(&mp_stats_seq);
	snprintf(name, sizeof(name), "%s.%u",
		 dm_table_device_name(m->ti->table), m->stats_id);
	m->stats_dir = debugfs_create_dir(name, mp_stats_root);
	debugfs_create_file("paths", 0444, m->stats_dir, m, &mp_stats_fops);
}

void mp_stats_map_del(struct mp_map *m)
{
	debugfs_remove_recursive(m->stats_dir);
	m->stats_dir = NULL;
}

int mp_stats_init(void)
{
	mp_stats_root = debugfs_create_dir("dm_multipath", NULL);
	return 0;
}

void mp_stats_exit(void)
{
	debugfs_remove_recursive(mp_stats_root);
	mp_stats_root = NULL;
}
