// SPDX-License-Identifier: GPL-2.0
/*
 * keel raid1: the IO gate.
 *
 * Normal IO and resync must never touch the same unit of the array at
 * the same time, otherwise a resync could copy stale data over a fresh
 * write. Each unit (64 MiB, hashed onto R1_NR_BUCKETS buckets) has:
 *
 *   busy     normal requests admitted and not yet finished
 *   blocked  normal requests waiting for a fence to drop
 *   fence    resync requests in flight
 *   parked   admitted requests that sit on raid1d's retry lists
 *
 *          normal IO                          resync
 *   busy++ ; mb                       (wait blocked == 0)
 *   fence==0 && !frozen ? go          fence++ ; mb
 *   else: busy--, blocked++,          wait busy == 0 && fence < depth
 *         sleep, busy++, blocked--          && !frozen
 *
 * Reads only stop for a frozen array: the balancer keeps them on the
 * resync source inside the resync window.
 *
 * Freezing (error handling, reshape, quiesce) stops new IO of both kinds
 * and waits until everything admitted has either finished or is parked,
 * i.e. cannot make progress without the freezer.
 *
 * The in-tree raid1.c calls the gate its barrier: r1_gate_enter() does
 * what wait_barrier()/wait_read_barrier() do there, r1_gate_leave()
 * allow_barrier(), r1_gate_raise()/r1_gate_lower() raise_barrier()/
 * lower_barrier(), r1_gate_freeze()/r1_gate_thaw() freeze_array()/
 * unfreeze_array().
 */
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/mm.h>

#include "r1_logic.h"

int r1_gate_init(struct r1_gate *g)
{
	atomic_t *tab;

	tab = kvcalloc(4 * R1_NR_BUCKETS, sizeof(*tab), GFP_KERNEL);
	if (!tab)
		return -ENOMEM;
	g->busy = tab;
	g->blocked = tab + R1_NR_BUCKETS;
	g->parked = tab + 2 * R1_NR_BUCKETS;
	g->fence = tab + 3 * R1_NR_BUCKETS;
	spin_lock_init(&g->lock);
	init_waitqueue_head(&g->wq);
	atomic_set(&g->sync_busy, 0);
	g->frozen = 0;
	return 0;
}

void r1_gate_destroy(struct r1_gate *g)
{
	kvfree(g->busy);
	g->busy = NULL;
	g->blocked = NULL;
	g->parked = NULL;
	g->fence = NULL;
}

/**
 * r1_gate_kick() - wake the gate's sleepers, if there are any
 * @g: the gate
 *
 * Skips the queue lock when nobody sleeps (wq_has_sleeper() has the
 * barrier that makes the peek safe against a sleeper that just queued).
 */
void r1_gate_kick(struct r1_gate *g)
{
	if (wq_has_sleeper(&g->wq))
		wake_up(&g->wq);
}

static bool r1_gate_open(struct r1_gate *g, unsigned int b, bool is_write)
{
	if (READ_ONCE(g->frozen))
		return false;
	return !is_write || !atomic_read(&g->fence[b]);
}

/**
 * r1_gate_enter() - admit one normal request into bucket @b
 * @g: the gate
 * @b: bucket of the request's first sector
 * @is_write: writes also wait for resync fences, reads only for a freeze
 * @nowait: do not sleep; return false instead (REQ_NOWAIT)
 *
 * In-tree: wait_barrier() for writes, wait_read_barrier() for reads.
 *
 * Return: true when admitted; the caller must r1_gate_leave() later.
 */
bool r1_gate_enter(struct r1_gate *g, unsigned int b, bool is_write,
		   bool nowait)
{
	bool admitted = true;

	atomic_inc(&g->busy[b]);
	/*
	 * order busy++ before reading fence and frozen; pairs with
	 * r1_gate_raise() and r1_gate_freeze()
	 */
	smp_mb__after_atomic();
	if (likely(r1_gate_open(g, b, is_write)))
		return true;

	spin_lock_irq(&g->lock);
	atomic_inc(&g->blocked[b]);
	atomic_dec(&g->busy[b]);
	/* A freezer or a resync may be waiting for busy to drop. */
	wake_up(&g->wq);
	if (nowait) {
		admitted = false;
	} else {
		wait_event_lock_irq(g->wq, r1_gate_open(g, b, is_write),
				    g->lock);
		atomic_inc(&g->busy[b]);
	}
	atomic_dec(&g->blocked[b]);
	spin_unlock_irq(&g->lock);
	r1_gate_kick(g);
	return admitted;
}

/**
 * r1_gate_enter_held() - admit, without waiting, a request split off one
 *                        that holds a place in bucket @b
 * @g: the gate
 * @b: the holder's bucket
 *
 * For raid1d, which must not wait at the gate for a freezer that waits
 * for the holder (see r1_read_request()). A freezer waits for the new
 * request as for the holder; it cannot be past its wait while the
 * holder is in flight. The caller must r1_gate_leave() later.
 */
void r1_gate_enter_held(struct r1_gate *g, unsigned int b)
{
	atomic_inc(&g->busy[b]);
}

/**
 * r1_gate_leave() - a normal request admitted into bucket @b has finished
 * @g: the gate
 * @b: the bucket r1_gate_enter() admitted it into
 *
 * In-tree: allow_barrier().
 */
void r1_gate_leave(struct r1_gate *g, unsigned int b)
{
	atomic_dec(&g->busy[b]);
	r1_gate_kick(g);
}

/**
 * r1_gate_raise() - fence bucket @b for one resync request
 * @g: the gate
 * @b: bucket
 * @abort_word: word holding the abort bit (mddev->recovery)
 * @abort_bit: bit that, once set, makes the wait give up
 *
 * Waits for normal IO already blocked on @b to go first, then for the
 * bucket's admitted IO to drain. At most R1_FENCE_DEPTH fences per
 * bucket. In-tree: raise_barrier().
 *
 * Return: 0 with the fence raised (r1_gate_lower() drops it), -EINTR
 * when aborted.
 */
int r1_gate_raise(struct r1_gate *g, unsigned int b,
		  const unsigned long *abort_word, int abort_bit)
{
	spin_lock_irq(&g->lock);
	/* Normal IO already waiting for this unit goes first. */
	wait_event_lock_irq(g->wq, !atomic_read(&g->blocked[b]), g->lock);

	atomic_inc(&g->fence[b]);
	/* order fence++ before reading busy; pairs with r1_gate_enter() */
	smp_mb__after_atomic();

	wait_event_lock_irq(g->wq,
			    (!g->frozen && !atomic_read(&g->busy[b]) &&
			     atomic_read(&g->fence[b]) <= R1_FENCE_DEPTH) ||
			    test_bit(abort_bit, abort_word),
			    g->lock);
	if (test_bit(abort_bit, abort_word)) {
		atomic_dec(&g->fence[b]);
		spin_unlock_irq(&g->lock);
		wake_up(&g->wq);
		return -EINTR;
	}
	atomic_inc(&g->sync_busy);
	spin_unlock_irq(&g->lock);
	return 0;
}

/**
 * r1_gate_lower() - a resync request on bucket @b has finished
 * @g: the gate
 * @b: the bucket r1_gate_raise() fenced
 *
 * In-tree: lower_barrier().
 */
void r1_gate_lower(struct r1_gate *g, unsigned int b)
{
	WARN_ON_ONCE(atomic_read(&g->fence[b]) <= 0);
	atomic_dec(&g->fence[b]);
	atomic_dec(&g->sync_busy);
	r1_gate_kick(g);
}

/**
 * r1_gate_park() - an admitted request now waits on raid1d
 * @g: the gate
 * @b: its bucket
 *
 * A parked request no longer counts for a freezer: raid1d, which would
 * finish it, may itself be the freezer. Called under the array's lock
 * that guards the list the request is put on; r1_gate_unpark() when
 * raid1d takes it off. In-tree: the nr_queued counters.
 */
void r1_gate_park(struct r1_gate *g, unsigned int b)
{
	atomic_inc(&g->parked[b]);
	r1_gate_kick(g);
}

void r1_gate_unpark(struct r1_gate *g, unsigned int b)
{
	atomic_dec(&g->parked[b]);
}

/**
 * r1_gate_unparked() - requests (normal and resync) in flight, not parked
 * @g: the gate
 *
 * What r1_gate_freeze() waits on. In-tree: get_unqueued_pending().
 *
 * Return: the count.
 */
int r1_gate_unparked(struct r1_gate *g)
{
	int b, n = atomic_read(&g->sync_busy);

	for (b = 0; b < R1_NR_BUCKETS; b++)
		n += atomic_read(&g->busy[b]) - atomic_read(&g->parked[b]);
	return n;
}

/**
 * r1_gate_freeze() - stop all new IO and wait for the admitted IO to settle
 * @g: the gate
 * @extra: admitted, unparked requests the caller itself holds (0 or 1)
 * @drain: called (unlocked) while waiting, to push out queued writes
 * @arg: argument for @drain
 *
 * Freezes nest; each one needs its own r1_gate_thaw().
 * In-tree: freeze_array().
 */
void r1_gate_freeze(struct r1_gate *g, int extra,
		    void (*drain)(void *arg), void *arg)
{
	spin_lock_irq(&g->lock);
	g->frozen++;
	/*
	 * order frozen++ before reading busy; pairs with r1_gate_enter()'s
	 * barrier between busy++ and reading frozen. The lock does not: a
	 * store may pass a later load, and then the freezer sees busy at 0
	 * while the entering request still sees the gate open.
	 */
	smp_mb();
	wait_event_lock_irq_cmd(g->wq, r1_gate_unparked(g) == extra,
				g->lock, drain(arg));
	spin_unlock_irq(&g->lock);
}

/**
 * r1_gate_thaw() - undo one r1_gate_freeze()
 * @g: the gate
 *
 * In-tree: unfreeze_array().
 */
void r1_gate_thaw(struct r1_gate *g)
{
	spin_lock_irq(&g->lock);
	/*
	 * md core may resume (thaw) an array that was never frozen here,
	 * e.g. right after a takeover: never go below zero.
	 */
	if (g->frozen > 0)
		g->frozen--;
	spin_unlock_irq(&g->lock);
	wake_up(&g->wq);
}

/* Wait until every raised fence has been lowered. */
void r1_gate_wait_sync_idle(struct r1_gate *g)
{
	wait_event(g->wq, !atomic_read(&g->sync_busy));
}
