// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: "io-affinity" selector (table-compatible with the
 * in-tree one): each path takes a hex cpumask and I/O submitted on a CPU
 * goes to the path owning that CPU.  Without a usable owner the selector
 * falls back to a path owned by a CPU of the same NUMA node, then to any
 * usable path, and counts the miss.
 */
#include <linux/cpumask.h>
#include <linux/device-mapper.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/topology.h>

#include "mpath_path_selector.h"

#define DM_MSG_PREFIX "multipath io-affinity"

struct ioa_path {
	struct mp_ps_slot slot;
	cpumask_var_t mask;
};

struct ioa_sel {
	struct mp_ps_vec vec;
	struct ioa_path **owner;	/* nr_cpu_ids entries */
	cpumask_var_t covered;
	atomic_t misses;
};

static int ioa_create(struct mp_selector *sel, unsigned int argc, char **argv)
{
	struct ioa_sel *is = kzalloc(sizeof(*is), GFP_KERNEL);

	if (!is)
		return -ENOMEM;
	is->owner = kcalloc(nr_cpu_ids, sizeof(*is->owner), GFP_KERNEL);
	if (!is->owner)
		goto nomem;
	if (!zalloc_cpumask_var(&is->covered, GFP_KERNEL))
		goto nomem;
	atomic_set(&is->misses, 0);
	sel->priv = is;
	return 0;
nomem:
	kfree(is->owner);
	kfree(is);
	return -ENOMEM;
}

static void ioa_free_path(struct ioa_path *ip)
{
	free_cpumask_var(ip->mask);
	kfree(ip);
}

static void ioa_free_slot(struct mp_ps_slot *slot)
{
	ioa_free_path(container_of(slot, struct ioa_path, slot));
}

static void ioa_destroy(struct mp_selector *sel)
{
	struct ioa_sel *is = sel->priv;

	mp_ps_vec_free(&is->vec, ioa_free_slot);
	free_cpumask_var(is->covered);
	kfree(is->owner);
	kfree(is);
	sel->priv = NULL;
}

static int ioa_add_path(struct mp_selector *sel, struct mp_ps_path *psp,
			unsigned int argc, char **argv, char **error)
{
	struct ioa_sel *is = sel->priv;
	struct ioa_path *ip;
	unsigned int cpu, claimed = 0;

	if (argc != 1) {
		*error = (char *)sel->type->err_argc;
		return -EINVAL;
	}
	ip = kzalloc(sizeof(*ip), GFP_KERNEL);
	if (!ip) {
		*error = (char *)sel->type->err_nomem;
		return -ENOMEM;
	}
	if (!zalloc_cpumask_var(&ip->mask, GFP_KERNEL)) {
		kfree(ip);
		*error = "io-affinity ps: Error allocating cpumask context";
		return -ENOMEM;
	}
	if (cpumask_parse(argv[0], ip->mask)) {
		ioa_free_path(ip);
		*error = "io-affinity ps: invalid cpumask";
		return -EINVAL;
	}

	for_each_cpu(cpu, ip->mask) {
		if (cpu >= nr_cpu_ids) {
			DMWARN_LIMIT("Ignoring mapping for CPU %u. Max CPU is %u",
				     cpu, nr_cpu_ids);
			break;
		}
		if (is->owner[cpu]) {
			DMWARN("CPU mapping for %u exists. Ignoring.", cpu);
			continue;
		}
		claimed++;
	}
	if (!claimed) {
		ioa_free_path(ip);
		*error = "io-affinity ps: No new/valid CPU mapping found";
		return -EINVAL;
	}

	if (mp_ps_attach(sel, &is->vec, &ip->slot, psp, error)) {
		ioa_free_path(ip);
		return -ENOMEM;
	}
	for_each_cpu(cpu, ip->mask) {
		if (cpu >= nr_cpu_ids)
			break;
		if (is->owner[cpu])
			continue;
		is->owner[cpu] = ip;
		cpumask_set_cpu(cpu, is->covered);
	}
	return 0;
}

static struct ioa_path *ioa_usable(struct ioa_sel *is, unsigned int cpu)
{
	struct ioa_path *ip = is->owner[cpu];

	return ip && mp_ps_slot_usable(&ip->slot) ? ip : NULL;
}

static struct mp_ps_path *ioa_select(struct mp_selector *sel, size_t nr_bytes)
{
	struct ioa_sel *is = sel->priv;
	struct ioa_path *ip;
	unsigned int cpu, other;

	cpu = get_cpu();
	ip = ioa_usable(is, cpu);
	if (ip)
		goto out;
	if (!is->owner[cpu])
		atomic_inc(&is->misses);
	for_each_cpu(other, cpumask_of_node(cpu_to_node(cpu))) {
		ip = ioa_usable(is, other);
		if (ip)
			goto out;
	}
	for_each_cpu(other, is->covered) {
		ip = ioa_usable(is, other);
		if (ip)
			goto out;
	}
out:
	put_cpu();
	return ip ? ip->slot.psp : NULL;
}

static unsigned int ioa_emit(struct mp_selector *sel, struct mp_ps_path *psp,
			     status_type_t type, char *buf, unsigned int max)
{
	struct ioa_sel *is = sel->priv;
	struct ioa_path *ip;
	unsigned int len = 0;

	if (mp_ps_emit_fixed(psp, type, buf, max, &len))
		return len;
	ip = container_of(psp->ctx, struct ioa_path, slot);
	if (type == STATUSTYPE_INFO)
		MP_EMIT(buf, len, max, "%d ", atomic_read(&is->misses));
	else
		MP_EMIT(buf, len, max, "%*pb ", cpumask_pr_args(ip->mask));
	return len;
}

const struct mp_selector_type mp_ps_io_affinity = {
	.name = "io-affinity",
	.table_args = 1,
	.info_args = 1,
	.err_argc = "io-affinity ps: invalid number of arguments",
	.err_nomem = "io-affinity ps: Error allocating path context",
	.create = ioa_create,
	.destroy = ioa_destroy,
	.add_path = ioa_add_path,
	.select = ioa_select,
	.fail = mp_ps_fail,
	.reinstate = mp_ps_reinstate,
	.emit = ioa_emit,
};
