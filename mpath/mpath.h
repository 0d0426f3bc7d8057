/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel dm-multipath: core objects shared by the target files.
 *
 * A map (struct mp_map, one per dm table) owns an ordered list of
 * priority groups (struct mp_group); every group owns its paths
 * (struct mp_path) and one path selector instance.  See
 * Documentation/mpath.rst for the state machines.
 */
#ifndef KEEL_MPATH_H
#define KEEL_MPATH_H

#include <linux/bio.h>
#include <linux/device-mapper.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

/*
 * dm_path_uevent(): exported by dm-mod, declared in dm's private
 * drivers/md/dm-uevent.h, which the build takes from the matching
 * linux-source (see mpath/Kbuild and Documentation/mpath.rst).
 */
#include "dm-uevent.h"
#include "mpath_compat.h"
#include "mpath_path_selector.h"

#define DM_MSG_PREFIX "multipath"

/* "pg_init_delay_msecs" not given: retry delay falls back to 2 s */
#define MP_PG_INIT_DELAY_DEFAULT ((unsigned int)-1)
#define MP_PG_INIT_DELAY_MSECS 2000

/**
 * enum mp_map_flags - bits of &mp_map.flags, named and numbered as
 * in-tree (dm-mpath.c).
 * @MPATHF_QUEUE_IO:                   hold all I/O (pg_init pending/running)
 * @MPATHF_QUEUE_IF_NO_PATH:           queue_if_no_path, live value
 * @MPATHF_SAVED_QUEUE_IF_NO_PATH:     value saved across a flush suspend
 * @MPATHF_RETAIN_ATTACHED_HW_HANDLER: keep an already attached scsi_dh
 * @MPATHF_PG_INIT_DISABLED:           no new pg_init (draining for suspend)
 * @MPATHF_PG_INIT_REQUIRED:           the current group needs a pg_init
 * @MPATHF_PG_INIT_DELAY_RETRY:        next pg_init waits pg_init_delay
 */
enum mp_map_flags {
	MPATHF_QUEUE_IO,
	MPATHF_QUEUE_IF_NO_PATH,
	MPATHF_SAVED_QUEUE_IF_NO_PATH,
	MPATHF_RETAIN_ATTACHED_HW_HANDLER,
	MPATHF_PG_INIT_DISABLED,
	MPATHF_PG_INIT_REQUIRED,
	MPATHF_PG_INIT_DELAY_RETRY,
};

/**
 * struct mp_path_stats - per-CPU counters of one path (mpath_stats.c).
 * @ios:    completed I/Os
 * @bytes:  bytes of the completed I/Os
 * @errors: I/Os that completed with an error
 * @lat_ns: sum of the sampled dispatch-to-completion times
 * @lat_samples: I/Os whose time was sampled (one in MP_LAT_SAMPLE, or
 *          every one when the selector times I/O anyway)
 */
struct mp_path_stats {
	u64 ios;
	u64 bytes;
	u64 errors;
	u64 lat_ns;
	u64 lat_samples;
};

/*
 * One I/O in MP_LAT_SAMPLE (a power of two) is timed for the average
 * latency in debugfs: the clock reads are the counters' main cost.
 */
#define MP_LAT_SAMPLE	16

/**
 * struct mp_path - one path of a priority group (in-tree: struct pgpath).
 * @node:         entry in &mp_group.paths, in table order
 * @grp:          the group the path belongs to
 * @dev:          the underlying device
 * @psp:          the selector's handle for this path
 * @fail_count:   failures since the table was loaded (status line)
 * @active:       false while the path is failed; written under
 *                &mp_map.lock
 * @has_activate: @activate is initialised (a hardware handler is in use)
 * @activate:     scsi_dh activation (pg_init) of this path, on
 *                kmpath_handlerd
 * @stats:        per-CPU counters for debugfs, NULL if they could not be
 *                allocated
 */
struct mp_path {
	struct list_head node;
	struct mp_group *grp;
	struct dm_dev *dev;
	struct mp_ps_path psp;
	unsigned int fail_count;
	bool active;
	bool has_activate;
	struct delayed_work activate;
	struct mp_path_stats __percpu *stats;
};

/**
 * struct mp_group - a priority group (in-tree: struct priority_group).
 * @node:     entry in &mp_map.groups, in table order
 * @map:      the map the group belongs to
 * @sel:      the group's path selector instance
 * @num:      1-based position in the table (group numbers in messages)
 * @nr_paths: number of paths in @paths
 * @paths:    the &struct mp_path list
 * @bypassed: disabled by disable_group or a busy scsi_dh; used only when
 *            no other group has a path.  Written under &mp_map.lock.
 */
struct mp_group {
	struct list_head node;
	struct mp_map *map;
	struct mp_selector sel;
	unsigned int num;
	unsigned int nr_paths;
	struct list_head paths;
	bool bypassed;
};

/**
 * struct mp_map - one multipath table (in-tree: struct multipath).
 * @flags:          MPATHF_* bits; set and cleared under @lock
 * @lock:           irq-safe; protects @cur_path, @cur_grp, @next_grp,
 *                  @flags, @queued and the paths' and groups' state
 *                  (see Documentation/mpath.rst, "Objects and locking")
 * @mode:           DM_TYPE_REQUEST_BASED or DM_TYPE_BIO_BASED
 * @ti:             the dm target
 * @cur_path:       path of the last I/O; NULL when none is usable
 * @cur_grp:        the group I/O currently goes to
 * @next_grp:       group to switch to on the next I/O (switch_group
 *                  message, initial group)
 * @nr_valid:       number of active paths in all groups
 * @nr_groups:      number of groups in @groups
 * @groups:         the &struct mp_group list, in table order
 * @hw_name:        scsi_dh hardware handler name, or NULL
 * @hw_params:      its arguments, "<n>\0p1\0p2..." as scsi_dh wants them
 * @pg_init_retries:     pg_init_retries feature (0: not given)
 * @pg_init_delay_msecs: pg_init_delay_msecs feature, or
 *                       MP_PG_INIT_DELAY_DEFAULT
 * @pg_init_in_progress: path activations in flight
 * @pg_init_count:  pg_inits since the last group switch (retry limit)
 * @pg_init_wait:   woken when @pg_init_in_progress drops to 0
 * @no_path_timeout: no_path_timeout feature in seconds (0: the module
 *                  parameter applies)
 * @msg_lock:       serialises messages against postsuspend
 * @event_work:     raises the table event (dm_table_event()) from
 *                  process context
 * @bio_work:       bio mode: resubmits @queued on kmpathd
 * @queued:         bio mode: bios waiting for a path or for pg_init
 * @nopath_timer:   ends queue_if_no_path after the no-path timeout
 * @stats_id:       table id in the debugfs directory name
 * @stats_dir:      the map's debugfs directory
 */
struct mp_map {
	unsigned long flags;
	spinlock_t lock;
	enum dm_queue_mode mode;
	struct dm_target *ti;

	struct mp_path *cur_path;
	struct mp_group *cur_grp;
	struct mp_group *next_grp;

	atomic_t nr_valid;
	unsigned int nr_groups;
	struct list_head groups;

	char *hw_name;
	char *hw_params;
	unsigned int pg_init_retries;
	unsigned int pg_init_delay_msecs;
	atomic_t pg_init_in_progress;
	atomic_t pg_init_count;
	wait_queue_head_t pg_init_wait;

	unsigned int no_path_timeout;

	struct mutex msg_lock;
	struct work_struct event_work;
	struct work_struct bio_work;
	struct bio_list queued;
	struct timer_list nopath_timer;

	unsigned int stats_id;
	struct dentry *stats_dir;
};

/**
 * struct mp_io - per-I/O data (rq mode: map_context->ptr, bio mode: the
 * first part of &struct mp_bio_io).
 * @path:     the path the I/O was sent to, NULL before dispatch
 * @nr_bytes: size of the I/O, for the selector and the counters
 * @start_ns: dispatch time (local_clock()), 0 when the I/O is not timed
 */
struct mp_io {
	struct mp_path *path;
	size_t nr_bytes;
	u64 start_ns;
};

/**
 * struct mp_bio_saved - what the lower layers may change in a bio before
 * it comes back with a path error and is resubmitted.
 * @bdev:       the dm device the bio was submitted to
 * @bi_flags:   bio flags
 * @iter:       position and size
 * @remaining:  the bio's completion count
 * @end_io:     its completion callback
 * @integrity:  its integrity payload
 */
struct mp_bio_saved {
	struct block_device *bdev;
	unsigned long bi_flags;
	struct bvec_iter iter;
	int remaining;
	bio_end_io_t *end_io;
#if defined(CONFIG_BLK_DEV_INTEGRITY)
	struct bio_integrity_payload *integrity;
#endif
};

/**
 * struct mp_bio_io - per-bio data of a bio-based map.
 * @io:    the common per-I/O data
 * @saved: the bio as mp_map_bio() received it
 */
struct mp_bio_io {
	struct mp_io io;
	struct mp_bio_saved saved;
};

extern struct workqueue_struct *mp_wq;		/* kmpathd */
extern struct workqueue_struct *mp_handler_wq;	/* kmpath_handlerd */
extern unsigned long mp_nopath_timeout_secs;

static inline struct mp_path *psp_to_path(struct mp_ps_path *psp)
{
	return container_of(psp, struct mp_path, psp);
}

/* test a flag; when it is set, confirm under the lock (like a barrier) */
static inline bool mp_flag_locked(struct mp_map *m, int bit)
{
	unsigned long irqf;
	bool on = test_bit(bit, &m->flags);

	if (on) {
		spin_lock_irqsave(&m->lock, irqf);
		on = test_bit(bit, &m->flags);
		spin_unlock_irqrestore(&m->lock, irqf);
	}
	return on;
}

/* mpath_pg.c: groups, path choice, failure handling, pg_init */
struct mp_path *mp_choose_path(struct mp_map *m, size_t nr_bytes);
int mp_pg_init_all(struct mp_map *m);
int __mp_pg_init_all(struct mp_map *m);
int mp_fail_path(struct mp_path *p);
int mp_reinstate_path(struct mp_path *p);
void mp_bypass_group(struct mp_map *m, struct mp_group *g, bool on);
void mp_activate_or_offline(struct mp_path *p);
void mp_activate_work(struct work_struct *work);
void mp_queue_if_no_path(struct mp_map *m, bool on, bool save_old);
void mp_nopath_timer_arm(struct mp_map *m);
void mp_nopath_timer_stop(struct mp_map *m);
void mp_nopath_timer_fn(struct timer_list *t);
void mp_event_work(struct work_struct *work);
void mp_kick_queued(struct mp_map *m);
void mp_flush_work(struct mp_map *m);
int mp_setup_scsi_dh(struct mp_map *m, struct block_device *bdev,
		     const char **attached, char **error);

/* mpath_dh.c */

/**
 * struct mp_dh_ops - the scsi_dh calls mp_dh_attach() makes
 * @attach:        scsi_dh_attach()
 * @attached_name: scsi_dh_attached_handler_name(), kmalloc'ed or NULL
 */
struct mp_dh_ops {
	int (*attach)(void *ctx, const char *name);
	const char *(*attached_name)(void *ctx);
};

/* attach attempts on -EBUSY before a table load fails */
#define MP_DH_ATTACH_TRIES	3

int mp_dh_attach(const struct mp_dh_ops *ops, void *ctx, char **hw_name,
		 char **hw_params, const char **attached, bool retain,
		 char **error);

/* mpath_table.c */
int mp_ctr(struct dm_target *ti, unsigned int argc, char **argv);
void mp_dtr(struct dm_target *ti);

/* mpath_io.c */
int mp_clone_and_map(struct dm_target *ti, struct request *rq,
		     union map_info *map_context, struct request **clone_out);
void mp_release_clone(struct request *clone, union map_info *map_context);
int mp_rq_end_io(struct dm_target *ti, struct request *clone,
		 blk_status_t error, union map_info *map_context);
int mp_map_bio(struct dm_target *ti, struct bio *bio);
int mp_bio_end_io(struct dm_target *ti, struct bio *clone,
		  blk_status_t *error);
void mp_bio_work(struct work_struct *work);

/* mpath_status.c */
void mp_status(struct dm_target *ti, status_type_t type,
	       unsigned int status_flags, char *result, unsigned int maxlen);

/* mpath_msg.c */
int mp_message(struct dm_target *ti, unsigned int argc, char **argv,
	       char *result, unsigned int maxlen);

/* mpath_stats.c */
int mp_stats_path_init(struct mp_path *p);
void mp_stats_path_exit(struct mp_path *p);
void mp_stats_map_add(struct mp_map *m);
void mp_stats_map_del(struct mp_map *m);
bool mp_stats_sample(struct mp_path *p);
void mp_stats_account(struct mp_path *p, size_t bytes, u64 start_ns,
		      bool error);
int mp_stats_init(void);
void mp_stats_exit(void);

#endif /* KEEL_MPATH_H */
