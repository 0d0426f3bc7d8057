// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: the built-in selector table and helpers shared by
 * the selectors.
 *
 * The in-tree target keeps a registry that other modules add to; keel
 * builds every selector in, so lookup is a walk over a constant array and
 * a table naming an unknown selector never causes a module load.
 */
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mpath_path_selector.h"

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

/**
 * mp_ps_vec_free() - free every slot, then the array.
 * @vec:       the selector's vector.
 * @free_slot: frees one slot's per-path data; NULL means kfree() of the
 *             slot itself (the slot is the first member).
 */
void mp_ps_vec_free(struct mp_ps_vec *vec,
		    void (*free_slot)(struct mp_ps_slot *slot))
{
	unsigned int i;

	for (i = 0; i < vec->nr; i++) {
		if (free_slot)
			free_slot(vec->v[i]);
		else
			kfree(vec->v[i]);
	}
	kfree(vec->v);
	vec->v = NULL;
	vec->nr = 0;
}

int mp_ps_vec_sel_create(struct mp_selector *sel, unsigned int argc,
			 char **argv)
{
	sel->priv = kzalloc(sizeof(struct mp_ps_vec), GFP_KERNEL);
	return sel->priv ? 0 : -ENOMEM;
}

void mp_ps_vec_sel_destroy(struct mp_selector *sel)
{
	mp_ps_vec_free(sel->priv, NULL);
	kfree(sel->priv);
	sel->priv = NULL;
}

/**
 * mp_ps_attach() - make a new path's slot visible to the selector.
 * @sel:   the selector (for its error wording).
 * @vec:   its slot vector.
 * @slot:  the slot embedded in the new per-path data.
 * @psp:   the core's path; its ctx will point at @slot.
 * @error: set on failure.
 *
 * Return: 0, or -ENOMEM and the caller frees its per-path data.
 */
int mp_ps_attach(struct mp_selector *sel, struct mp_ps_vec *vec,
		 struct mp_ps_slot *slot, struct mp_ps_path *psp,
		 char **error)
{
	slot->psp = psp;
	if (mp_ps_vec_add(vec, slot)) {
		*error = (char *)sel->type->err_nomem;
		return -ENOMEM;
	}
	psp->ctx = slot;
	return 0;
}

/**
 * mp_ps_add_plain_path() - add_path() of a vector-only selector whose only
 * path word is an optional, clamped <repeat_count>.
 * @sel:   the selector; its priv is the slot vector.
 * @psp:   the core's path.
 * @argc:  number of path words (at most one).
 * @argv:  the words.
 * @size:  size of the per-path struct, starting with its slot.
 * @error: set on failure.
 *
 * Return: 0 or a negative errno.
 */
int mp_ps_add_plain_path(struct mp_selector *sel, struct mp_ps_path *psp,
			 unsigned int argc, char **argv, size_t size,
			 char **error)
{
	struct mp_ps_slot *slot;
	int ret;

	slot = mp_ps_new_path(sel, argc, argv, 1, true, size, error);
	if (IS_ERR(slot))
		return PTR_ERR(slot);
	ret = mp_ps_attach(sel, sel->priv, slot, psp, error);
	if (ret)
		kfree(slot);
	return ret;
}

void mp_ps_fail(struct mp_selector *sel, struct mp_ps_path *psp)
{
	mp_ps_slot_set_usable(psp->ctx, false);
}

void mp_ps_reinstate(struct mp_selector *sel, struct mp_ps_path *psp)
{
	mp_ps_slot_set_usable(psp->ctx, true);
}

/**
 * mp_ps_emit_fixed() - status words that are the same for most selectors.
 * @psp:  the path, or NULL for the group-level words.
 * @type: status type.
 * @buf:  output.
 * @max:  its size.
 * @len:  bytes written so far, advanced.
 *
 * Writes the group's "0 " (no group arguments) and the empty IMA string.
 *
 * Return: true when nothing more is to be written.
 */
bool mp_ps_emit_fixed(struct mp_ps_path *psp, status_type_t type,
		      char *buf, unsigned int max, unsigned int *len)
{
	if (!psp) {
		MP_EMIT(buf, *len, max, "0 ");
		return true;
	}
	if (type == STATUSTYPE_IMA) {
		if (max)
			buf[0] = '\0';
		return true;
	}
	return false;
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
 * mp_ps_new_path() - per-path data for the path words "[<repeat_count> ...]".
 * @sel:      the selector (for its error wording).
 * @argc:     number of path words.
 * @argv:     the words.
 * @max_argc: how many words the selector takes.
 * @clamp:    repeat counts above one are deprecated: warn and use one.
 * @size:     size of the selector's per-path struct, which starts with
 *            its struct mp_ps_slot.
 * @error:    set on failure.
 *
 * Validates the word count and the repeat count, allocates zeroed
 * per-path data and records the repeat count in its slot.  Further words
 * are the caller's.
 *
 * Return: the per-path data or an ERR_PTR().
 */
void *mp_ps_new_path(struct mp_selector *sel, unsigned int argc,
		     char **argv, unsigned int max_argc, bool clamp,
		     size_t size, char **error)
{
	unsigned int repeat = 1;
	struct mp_ps_slot *slot;

	if (argc > max_argc) {
		*error = (char *)sel->type->err_argc;
		return ERR_PTR(-EINVAL);
	}
	if (argc && mp_ps_parse_uint(argv[0], &repeat)) {
		*error = (char *)sel->type->err_repeat;
		return ERR_PTR(-EINVAL);
	}
	if (clamp && repeat > 1) {
		pr_warn_ratelimited(DM_NAME ": multipath %s: repeat_count > 1 is deprecated, using 1 instead\n",
				    sel->type->name);
		repeat = 1;
	}
	slot = kzalloc(size, GFP_KERNEL);
	if (!slot) {
		*error = (char *)sel->type->err_nomem;
		return ERR_PTR(-ENOMEM);
	}
	slot->repeat = repeat;
	return slot;
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
