/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel dm-multipath: path selector interface.
 *
 * Selectors are compiled into dm-multipath.ko and looked up in a private
 * table (mpath_path_selector.c); nothing is registered with, or loaded
 * from, the in-tree selector registry (in-tree: dm-path-selector.h).
 * This header only depends on generic kernel types so the selectors can
 * be compiled into the KUnit module unchanged.
 *
 * Concurrency contract: select(), start_io() and end_io() run on the I/O
 * path concurrently on every CPU and must not take a selector-wide lock.
 * create(), add_path() and destroy() run single-threaded (table load and
 * destruction).  fail() and reinstate() are serialised by the caller (the
 * map lock) but race with the I/O hooks; they only flip a per-path flag.
 */
#ifndef KEEL_MPATH_PATH_SELECTOR_H
#define KEEL_MPATH_PATH_SELECTOR_H

#include <linux/atomic.h>
#include <linux/device-mapper.h>
#include <linux/types.h>

/**
 * struct mp_ps_path - the selector's view of one path.
 * @ctx: the selector's struct mp_ps_slot for this path (set by
 *       mp_ps_attach()); selectors embed the slot in their per-path data.
 *
 * Embedded in the core's path object; selectors hand it back from select().
 */
struct mp_ps_path {
	void *ctx;
};

/**
 * struct mp_ps_slot - common per-path state kept by every selector.
 * @psp:    back pointer to the core's path.
 * @repeat: the path's <repeat_count> word, echoed in the table.
 * @usable: false while the path is failed (read locklessly on I/O).
 */
struct mp_ps_slot {
	struct mp_ps_path *psp;
	unsigned int repeat;
	bool usable;
};

/**
 * struct mp_ps_vec - array of slots in add order plus a rotation cursor.
 * @v:      the slots, in the order the table lists the paths
 * @nr:     number of slots in @v
 * @cursor: rotating ticket for round-robin order and tie breaking
 *
 * The array only changes during table construction.
 */
struct mp_ps_vec {
	struct mp_ps_slot **v;
	unsigned int nr;
	atomic_t cursor;
};

struct mp_selector;

/**
 * struct mp_selector_type - one built-in path selector (in-tree: struct
 * path_selector_type).
 * @name:            the table word ("round-robin", "service-time" ...)
 * @table_args:      per-path words in the TABLE status line
 * @info_args:       per-path words in the INFO status line
 * @want_start_time: @end_io needs the dispatch time
 * @err_argc:        add_path() error: wrong number of path arguments
 * @err_repeat:      add_path() error: bad repeat count
 * @err_nomem:       add_path() error: allocation failed (all three worded
 *                   as the in-tree selector words them, see
 *                   MP_PS_MESSAGES())
 * @create:          parse the group's selector arguments, set up @sel
 * @destroy:         free everything @create and @add_path allocated
 * @add_path:        parse one path's arguments and add it; on error
 *                   *@error gets the in-tree message
 * @select:          choose a path for @nr_bytes, or NULL when no path is
 *                   usable; lock-free, runs on every CPU
 * @fail:            mark a path unusable (serialised by the map lock)
 * @reinstate:       mark a path usable again (serialised by the map lock)
 * @emit:            status words of a path, or the group words when
 *                   @psp is NULL; returns the bytes written
 * @start_io:        optional: an I/O of @nr_bytes was dispatched on @psp
 * @end_io:          optional: that I/O completed; @start_ns is its
 *                   dispatch time
 */
struct mp_selector_type {
	const char *name;
	unsigned int table_args;
	unsigned int info_args;
	bool want_start_time;
	const char *err_argc;
	const char *err_repeat;
	const char *err_nomem;

	int (*create)(struct mp_selector *sel, unsigned int argc, char **argv);
	void (*destroy)(struct mp_selector *sel);
	int (*add_path)(struct mp_selector *sel, struct mp_ps_path *psp,
			unsigned int argc, char **argv, char **error);
	struct mp_ps_path *(*select)(struct mp_selector *sel, size_t nr_bytes);
	void (*fail)(struct mp_selector *sel, struct mp_ps_path *psp);
	void (*reinstate)(struct mp_selector *sel, struct mp_ps_path *psp);
	unsigned int (*emit)(struct mp_selector *sel, struct mp_ps_path *psp,
			     status_type_t type, char *result,
			     unsigned int maxlen);
	void (*start_io)(struct mp_selector *sel, struct mp_ps_path *psp,
			 size_t nr_bytes);
	void (*end_io)(struct mp_selector *sel, struct mp_ps_path *psp,
		       size_t nr_bytes, u64 start_ns);
};

/**
 * struct mp_selector - a selector instance, one per priority group.
 * @type: the selector's operations
 * @priv: the selector's private state (created by @type->create)
 */
struct mp_selector {
	const struct mp_selector_type *type;
	void *priv;
};

const struct mp_selector_type *mp_ps_lookup(const char *name);

/*
 * The three add_path() messages of a selector named @n; @nomem is the
 * in-tree wording of its allocation failure.
 */
#define MP_PS_MESSAGES(n, nomem)					\
	.err_argc = n " ps: incorrect number of arguments",		\
	.err_repeat = n " ps: invalid repeat count",			\
	.err_nomem = n " ps: " nomem

/* Slot vector helpers shared by the selectors (mpath_path_selector.c). */
int mp_ps_vec_add(struct mp_ps_vec *vec, struct mp_ps_slot *slot);
void mp_ps_vec_free(struct mp_ps_vec *vec,
		    void (*free_slot)(struct mp_ps_slot *slot));
struct mp_ps_slot *mp_ps_vec_next_usable(struct mp_ps_vec *vec);
int mp_ps_parse_uint(const char *word, unsigned int *val);
void *mp_ps_new_path(struct mp_selector *sel, unsigned int argc,
		     char **argv, unsigned int max_argc, bool clamp,
		     size_t size, char **error);
int mp_ps_attach(struct mp_selector *sel, struct mp_ps_vec *vec,
		 struct mp_ps_slot *slot, struct mp_ps_path *psp,
		 char **error);
int mp_ps_add_plain_path(struct mp_selector *sel, struct mp_ps_path *psp,
			 unsigned int argc, char **argv, size_t size,
			 char **error);

/*
 * Selectors whose whole group state is one slot vector (round-robin,
 * queue-length, service-time) use these as create/destroy; their
 * per-path structs start with the slot and are kfree()d.
 */
int mp_ps_vec_sel_create(struct mp_selector *sel, unsigned int argc,
			 char **argv);
void mp_ps_vec_sel_destroy(struct mp_selector *sel);
/* fail/reinstate for selectors that only track the usable flag */
void mp_ps_fail(struct mp_selector *sel, struct mp_ps_path *psp);
void mp_ps_reinstate(struct mp_selector *sel, struct mp_ps_path *psp);
bool mp_ps_emit_fixed(struct mp_ps_path *psp, status_type_t type,
		      char *buf, unsigned int max, unsigned int *len);

/*
 * The scan of a load based selector started at its ticket; the winner was
 * @offset slots further.  Move the cursor past it so that ties go to the
 * next slot instead of always to the first one after a loaded path.
 */
static inline void mp_ps_vec_skip(struct mp_ps_vec *vec, unsigned int offset)
{
	if (offset)
		atomic_add(offset, &vec->cursor);
}

static inline void mp_ps_slot_set_usable(struct mp_ps_slot *slot, bool on)
{
	WRITE_ONCE(slot->usable, on);
}

static inline struct mp_ps_slot *mp_ps_slot_of(struct mp_ps_path *psp)
{
	return psp->ctx;
}

static inline bool mp_ps_slot_usable(const struct mp_ps_slot *slot)
{
	return READ_ONCE(slot->usable);
}

/**
 * mp_ps_vec_best() - lock-free "least loaded" scan shared by the selectors.
 * @vec:   the selector's slots.
 * @state: the caller's sample of the best slot so far.
 * @take:  called for each usable slot, @first when nothing is chosen yet;
 *         returns true (and records the slot's sample in @state) when the
 *         slot beats the current choice.
 *
 * The scan starts at a fresh ticket so that ties rotate, and the cursor is
 * moved past the winner.  Always inlined, so @take is a direct call.
 *
 * Return: the chosen slot or NULL when no slot is usable.
 */
static __always_inline struct mp_ps_slot *
mp_ps_vec_best(struct mp_ps_vec *vec, void *state,
	       bool (*take)(void *state, struct mp_ps_slot *slot, bool first))
{
	/* pairs with the release in mp_ps_vec_add() */
	unsigned int nr = smp_load_acquire(&vec->nr);
	struct mp_ps_slot *best = NULL;
	unsigned int start, i, best_off = 0;

	if (!nr)
		return NULL;
	start = (unsigned int)atomic_inc_return(&vec->cursor);
	for (i = 0; i < nr; i++) {
		struct mp_ps_slot *slot = vec->v[(start + i) % nr];

		if (mp_ps_slot_usable(slot) && take(state, slot, !best)) {
			best = slot;
			best_off = i;
		}
	}
	if (best)
		mp_ps_vec_skip(vec, best_off);
	return best;
}

extern const struct mp_selector_type mp_ps_round_robin;
extern const struct mp_selector_type mp_ps_queue_length;
extern const struct mp_selector_type mp_ps_service_time;
extern const struct mp_selector_type mp_ps_hist_service_time;
extern const struct mp_selector_type mp_ps_io_affinity;

/* Emit helper with the DMEMIT overflow semantics, for selectors. */
#define MP_EMIT(buf, len, max, fmt...)					\
	((len) += ((len) >= (max)) ? 0 :				\
		  scnprintf((buf) + (len), (max) - (len), fmt))

#endif /* KEEL_MPATH_PATH_SELECTOR_H */
