/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel raid1: private structures of the md "raid1" personality.
 */
#ifndef KEEL_RAID1_H
#define KEEL_RAID1_H

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/mempool.h>
#include <linux/list.h>
#include <linux/sched/clock.h>

#include "md.h"
#include "md-bitmap.h"
#include "r1_compat.h"
#include "r1_logic.h"

#define R1_NAME			"raid1"

/* Resync/recovery moves data in blocks of this size. */
#define R1_SYNC_BLOCK		(64 * 1024)
#define R1_SYNC_PAGES		(R1_SYNC_BLOCK / PAGE_SIZE)
#define R1_SYNC_SECTORS		(R1_SYNC_BLOCK >> 9)
/* Resync buffers kept in reserve (one fence each). */
#define R1_SYNC_BUFS		R1_FENCE_DEPTH
/* Normal request descriptors kept in reserve. */
#define R1_REQ_RESERVE		256

/*
 * Markers stored in r1_req.bios[] instead of a real bio:
 * R1_LEG_BLOCKED  never read this leg again for this request (read-only
 *                 array after a read error)
 * R1_LEG_HEALED   the write succeeded over a known bad block; raid1d
 *                 clears the record
 */
#define R1_LEG_BLOCKED		((struct bio *)1)
#define R1_LEG_HEALED		((struct bio *)2)
#define r1_marker(bio)		((unsigned long)(bio) <= 2)

/* Unsupported feature flags (journal, PPL). */
#define R1_UNSUPPORTED_FLAGS	(BIT(MD_HAS_JOURNAL) | BIT(MD_JOURNAL_CLEAN) | \
				 BIT(MD_HAS_PPL) | BIT(MD_HAS_MULTIPLE_PPLS))

/**
 * struct r1_leg_stats - per slot counters, shown in md/keel_raid1/legs
 * @reads: reads completed successfully
 * @read_sectors: sectors read
 * @writes: writes completed successfully
 * @write_sectors: sectors written
 * @read_errors: reads that failed
 * @write_errors: writes that failed
 * @lat_ns: moving average of read latency
 * @last_pick_ns: when the balancer last chose this leg (r1_coarse_now())
 * @picks: balancer decisions for this leg, by reason
 * @inflight: reads outstanding
 */
struct r1_leg_stats {
	atomic64_t reads;
	atomic64_t read_sectors;
	atomic64_t writes;
	atomic64_t write_sectors;
	atomic64_t read_errors;
	atomic64_t write_errors;
	atomic64_t lat_ns;
	atomic64_t last_pick_ns;
	atomic64_t picks[R1_WHY_WMOSTLY + 1];
	atomic_t inflight;
};

/**
 * struct r1_leg - one mirror slot
 * @rdev: member device; may be cleared under RCU by remove_disk, see
 *        r1_get_rdev()
 * @head: sector after the last IO completed here (rotational balancing)
 * @seq_next: where the leg's current sequential read stream continues
 * @stats: counters
 */
struct r1_leg {
	struct md_rdev *rdev;
	sector_t head;
	sector_t seq_next;
	struct r1_leg_stats stats;
};

/**
 * struct r1_pool_geom - what the mempools' allocators need
 * @mddev: array
 * @slots: 2 * raid_disks, the size of r1_req.bios[]
 *
 * A separate object because raid_disks changes on reshape: r1_reshape()
 * builds new pools with a new geometry and frees the old one after them.
 */
struct r1_pool_geom {
	struct mddev *mddev;
	int slots;
};

/**
 * struct r1_array - the personality's private data (mddev->private)
 * @mddev: owner
 * @legs: 2 * @nlegs slots; slot nlegs + i holds the replacement of slot i.
 *        r1_reshape() replaces the array (and @nlegs with it) with IO
 *        frozen, under mddev->lock and @lock, and frees the old one after
 *        synchronize_rcu(); readers that do not freeze IO (legs_show(),
 *        r1_status()) hold mddev->lock and read both once.
 * @nlegs: raid_disks
 * @lock: protects the lists below, In_sync/degraded transitions
 * @retry: requests for raid1d (read errors, write errors, resync blocks)
 * @failed_reads: clones of first read attempts that failed, for raid1d
 * @finish: requests to complete once the superblock is written
 * @queued_writes: write clones waiting for the bitmap to be flushed
 * @gate: normal IO vs resync exclusion
 * @fullsync: a new member needs everything copied, not just dirty chunks
 * @recovery_disabled: recovery will not be retried while this equals
 *                     mddev->recovery_disabled
 * @geom: mempool sizing
 * @req_pool: normal request descriptors
 * @sync_pool: resync descriptors with their pages (only while syncing)
 * @split_set: bio_split() allocations
 * @read_set: clones of first read attempts, a struct r1_read in front
 * @scratch: one page for synchronous read-error repair
 * @thread: raid1d before run() hands it to mddev->thread (takeover)
 * @stats_kobj: md/keel_raid1 directory in sysfs (NULL without one)
 */
struct r1_array {
	struct mddev *mddev;
	struct r1_leg *legs;
	int nlegs;

	spinlock_t lock;
	struct list_head retry;
	struct bio_list failed_reads;
	struct list_head finish;
	struct bio_list queued_writes;

	struct r1_gate gate;

	bool fullsync;
	int recovery_disabled;

	struct r1_pool_geom *geom;
	mempool_t req_pool;
	mempool_t sync_pool;
	struct bio_set split_set;
	struct bio_set read_set;
	struct page *scratch;

	struct md_thread *thread;
	struct kobject *stats_kobj;
};

/* r1_req.flags */
enum {
	R1F_UPTODATE,	/* at least one copy is good (write) / data read */
	R1F_SYNC,	/* resync request */
	R1F_DEGRADED,	/* not every slot got the write: keep bitmap bits */
	R1F_BEHIND,	/* write-behind: data copied to behind pages */
	R1F_READ_ERR,	/* read failed, raid1d retries */
	R1F_ENDED,	/* master bio already completed */
	R1F_HEALED,	/* some leg wrote over a recorded bad block */
	R1F_WRITE_ERR,	/* some leg failed a write */
	R1F_FAILFAST,	/* another leg exists: the read may fail fast */
	R1F_ACCT,	/* IO accounting started on the master bio */
};

/**
 * struct r1_req - one request against the array, split per leg
 * @todo: clones outstanding (+1 while being issued)
 * @behind_todo: write-mostly clones outstanding (write-behind)
 * @sector: array sector
 * @sectors: length
 * @flags: R1F_*
 * @acct: IO accounting start time
 * @issued: r1_now() when a read clone was issued, 0 if it is not timed
 * @mddev: array
 * @master: bio from above (the split part for split requests)
 * @read_leg: slot of the read, or the source of a resync block
 * @node: entry on the raid1d lists
 * @behind: private copy of the data for write-behind
 * @bios: one clone (or marker) per slot
 */
struct r1_req {
	atomic_t todo;
	atomic_t behind_todo;
	sector_t sector;
	int sectors;
	unsigned long flags;
	unsigned long acct;
	u64 issued;
	struct mddev *mddev;
	struct bio *master;
	int read_leg;
	struct list_head node;
	struct bio *behind;
	struct bio *bios[];
};

/**
 * struct r1_sync_pages - the pages of one resync bio
 * @req: the resync request the bio belongs to
 * @page: its R1_SYNC_PAGES pages
 *
 * bi_private of every resync bio points here (see r1_sync_req()).
 */
struct r1_sync_pages {
	struct r1_req *req;
	struct page *page[R1_SYNC_PAGES];
};

static inline struct r1_req *r1_sync_req(struct bio *bio)
{
	return ((struct r1_sync_pages *)bio->bi_private)->req;
}

/* r1_req.c */
bool r1_make_request(struct mddev *mddev, struct bio *bio);
int r1_req_pool_init(mempool_t *pool, struct r1_pool_geom *geom);
struct r1_req *r1_req_get(struct r1_array *conf, struct bio *bio, int sectors);
void r1_req_free(struct r1_req *rq);
void r1_end_master(struct r1_req *rq);
void r1_req_finish(struct r1_req *rq);
void r1_to_raid1d(struct r1_req *rq);

/* r1_read.c */
void r1_read_request(struct mddev *mddev, struct bio *bio, int sectors,
		     struct r1_req *retry);
int r1_read_set_init(struct bio_set *bs);
struct r1_req *r1_read_to_req(struct r1_array *conf, struct bio *clone);
sector_t r1_read_sector(struct bio *clone);

/* r1_write.c */
bool r1_write_request(struct mddev *mddev, struct bio *bio, int sectors);
void r1_close_write(struct r1_req *rq);
void r1_submit_queued(struct r1_array *conf);
void r1_drain_queued(void *arg);
void r1_note_error(struct md_rdev *rdev, bool write);

/* r1_daemon.c */
void r1_daemon(struct md_thread *thread);

/* r1_sync.c (r1_sync_range() is declared in r1_compat.h) */
void r1_sync_block_write(struct r1_array *conf, struct r1_req *rq);
void r1_sync_write_done(struct r1_array *conf, struct r1_req *rq);
void r1_sync_stop(struct r1_array *conf);

/* r1_disk.c */
void r1_error(struct mddev *mddev, struct md_rdev *rdev);
int r1_add_disk(struct mddev *mddev, struct md_rdev *rdev);
int r1_remove_disk(struct mddev *mddev, struct md_rdev *rdev);
int r1_spare_active(struct mddev *mddev);
int r1_reshape(struct mddev *mddev);
void r1_freeze(struct r1_array *conf, int extra);
void r1_thaw(struct r1_array *conf);

/* r1_repair.c */
void r1_handle_read_error(struct r1_array *conf, struct r1_req *rq);
void r1_handle_write_finished(struct r1_array *conf, struct r1_req *rq);
bool r1_sync_page_io(struct md_rdev *rdev, sector_t sector, int sectors,
		     struct page *page, enum req_op op);

/* r1_main.c */
extern struct md_personality r1_personality;

/* r1_stats.c */
void r1_stats_add(struct r1_array *conf);
void r1_stats_remove(struct r1_array *conf);
void r1_stats_reset(struct r1_leg *leg);
void r1_stats_read_done(struct r1_leg *leg, u64 issued, int sectors,
			bool ok);
void r1_stats_write_done(struct r1_leg *leg, int sectors, bool ok);

/*
 * Slot pointers are published with smp_store_release() and read under
 * rcu_read_lock() with READ_ONCE(); remove_disk() clears them and waits
 * with synchronize_rcu() before it looks at nr_pending. (Plain pointers,
 * not __rcu: most users hold nr_pending or the reconfig mutex instead.)
 */
static inline struct md_rdev *r1_rdev_rcu(struct r1_array *conf, int slot)
{
	return READ_ONCE(conf->legs[slot].rdev);
}

/* Pin the rdev of a slot for IO; NULL if empty. Caller rdev_dec_pending()s. */
static inline struct md_rdev *r1_get_rdev(struct r1_array *conf, int slot)
{
	struct md_rdev *rdev;

	rcu_read_lock();
	rdev = r1_rdev_rcu(conf, slot);
	if (rdev)
		atomic_inc(&rdev->nr_pending);
	rcu_read_unlock();
	return rdev;
}

/*
 * Timestamps for the balancer: local_clock() is cheap (TSC based) even
 * where the clocksource is not (HPET in emulators). It is per CPU, so a
 * difference taken on another CPU can come out slightly negative;
 * r1_since() clamps that to 0.
 */
static inline u64 r1_now(void)
{
	return local_clock();
}

/*
 * Whether a leg went unread for R1_PROBE_NS (200 ms) needs no better than
 * the tick: jiffies cost one load, local_clock() dozens of instructions.
 */
static inline u64 r1_coarse_now(void)
{
	return jiffies64_to_nsecs(get_jiffies_64());
}

static inline u64 r1_since(u64 then, u64 now)
{
	return now > then ? now - then : 0;
}

static inline int r1_slots(struct r1_array *conf)
{
	return conf->nlegs * 2;
}

/**
 * r1_clone() - clone @src for one leg
 * @bdev: the leg's device
 * @src: the bio to clone (the I/O from above, or a behind-write copy)
 * @gfp: allocation flags
 * @bs: bio_set to allocate from
 *
 * bio_alloc_clone() given the leg's device ties the clone to a blkcg
 * twice: once for the submitting task in bio_init(), then once more
 * copying @src's tie. Cloning without a device and copying the tie once
 * saves a blkg lookup per leg and I/O. A copy that has no tie of its own
 * gets the submitting task's, as bio_init() would have given it.
 *
 * Return: the clone, or NULL when its integrity payload could not be
 * cloned.
 */
static inline struct bio *r1_clone(struct block_device *bdev,
				   struct bio *src, gfp_t gfp,
				   struct bio_set *bs)
{
	struct bio *clone = bio_alloc_clone(NULL, src, gfp, bs);

	if (unlikely(!clone))
		return NULL;
	clone->bi_bdev = bdev;
	if (src->bi_blkg)
		bio_clone_blkg_association(clone, src);
	else
		bio_associate_blkg(clone);
	return clone;
}

#endif
