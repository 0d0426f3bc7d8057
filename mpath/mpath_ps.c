// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: the built-in selector table and helpers shared by
 * the selectors.
 *
 * The in-tree target keeps a registry that other modules add to; keel
 * builds every selector in, so lookup is a walk over a constant array and
 * a table naming an unknown selector never causes a module load.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mpath_ps.h"

static const struct mp_selector_type *const mp_ps_builtin[] = {
	&mp_ps_service_time,
	&mp_ps_round_robin,
	&mp_ps_queue_length,
	&mp_ps_hist_service_time,
	&mp_ps_io_affinity,
};

/**
 * mp_ps_lookup() - find a built-in selector by its table name.
 * @name: the word from the table line (may be NULL when args ran out).
 *
 * Return: the selector type or NULL.  Names match exactly, like the
 * in-tree registry does.
 */
const struct mp_selector_type *mp_ps_lookup(const char *name)
{
	unsigned int i;

	if (!name)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(mp_ps_builtin); i++)
		if (!strcmp(mp_ps_builtin[i]->name, name))
			return mp_ps_builtin[i];
	return NULL;
}

/**
 * mp_ps_vec_add() - append a slot during table construction.
 * @vec:  the selector's vector.
 * @slot: slot to append; it starts usable.
 *
 * Return: 0 or -ENOMEM.
 */
int mp_ps_vec_add(struct mp_ps_vec *vec, struct mp_ps_slot *slot)
{
	struct mp_ps_slot **grown;

	grown = krealloc_array(vec->v, vec->nr + 1, sizeof(*grown),
			       GFP_KERNEL);
	if (!grown)
		return -ENOMEM;
	grown[vec->nr] = slot;
	vec->v = grown;
	slot->usable = true;
	/* publish the slot before the count that makes it visible */
	smp_store_release(&vec->nr, vec->nr + 1);
	return 0;
}

/* Frees the array only; slots belong to the selector. */
void mp_ps_vec_release(struct mp_ps_vec *vec)
{
	kfree(vec->v);
	vec->v = NULL;
	vec->nr = 0;
}

/**
 * mp_ps_vec_next_usable() - strict rotation over usable slots, lock free.
 * @vec: the vector.
 *
 * Every caller takes the next ticket; when it lands on failed slots the
 * cursor is pushed past them so the following caller continues after the
 * slot that was actually used.
 *
 * Return: a usable slot or NULL when all are failed.
 */
struct mp_ps_slot *mp_ps_vec_next_usable(struct mp_ps_vec *vec)
{
	/* pairs with the release in mp_ps_vec_add() */
	unsigned int nr = smp_load_acquire(&vec->nr);
	unsigned int ticket, skip;

	if (!nr)
		return NULL;
	ticket = (unsigned int)atomic_inc_return(&vec->cursor) - 1;
	for (skip = 0; skip < nr; skip++) {
		struct mp_ps_slot *slot = vec->v[(ticket + skip) % nr];

		if (!mp_ps_slot_usable(slot))
			continue;
		if (skip)
			atomic_add(skip, &vec->cursor);
		return slot;
	}
	return NULL;
}

/**
 * mp_ps_parse_uint() - parse a whole word as an unsigned decimal.
 * @word: the argument.
 * @val:  result.
 *
 * Accepts what "%u" with nothing trailing accepts (leading blanks and a
 * sign included, as sscanf does).
 *
 * Return: 0 or -EINVAL.
 */
int mp_ps_parse_uint(const char *word, unsigned int *val)
{
	unsigned int v;
	char extra;

	if (!word || sscanf(word, "%u%c", &v, &extra) != 1)
		return -EINVAL;
	*val = v;
	return 0;
}
