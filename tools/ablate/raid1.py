#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Ablation variants of keel's raid1, for tools/ablate.sh.

Each variant takes one piece of the first-attempt read path out (or
replaces it by the cheapest thing that still moves data), so that the
IOPS difference against the unchanged module, under icount, is what
that piece costs per read. The variants are for measuring only: they
drop statistics, accounting, the resync gate or the balancer, and must
never be loaded outside a benchmark guest.

  raid1.py list            the variants, one per line
  raid1.py apply VARIANT   edit the copy of the sources in the cwd
"""
import sys

VARIANTS = {
    "keel": "keel's raid1 as it is",
    "no-latency": "no clock read, no latency average (r1_now() is 0)",
    "no-acct": "no IO accounting of the array's reads",
    "no-gate": "first reads skip the resync gate (enter and leave)",
    "no-balance": "the balancer call replaced by alternating legs",
    "no-choice": "no leg choice at all: leg 0, no candidates gathered",
    "in-place": "the read remapped in place, its state kmalloc()ed "
                "(no retry possible)",
}


def sub(path, old, new):
    with open(path) as f:
        s = f.read()
    if old not in s:
        sys.exit("ablate: %s: the code this variant edits changed; "
                 "update tools/ablate/raid1.py" % path)
    with open(path, "w") as f:
        f.write(s.replace(old, new, 1))


def apply(v):
    rd = "raid1/r1_read.c"
    if v == "keel":
        return
    if v == "no-latency":
        sub("raid1/raid1_keel.h", "\treturn local_clock();", "\treturn 0;")
    elif v == "no-acct":
        sub("raid1/r1_compat.h",
            "\tif (!blk_queue_io_stat((*bio)->bi_bdev->bd_disk->queue))\n",
            "\tif (true)\n")
    elif v == "no-gate":
        sub(rd, "\tif (!retry &&\n\t    !r1_gate_enter(",
            "\tif (false && !retry &&\n\t    !r1_gate_enter(")
        sub(rd, "\tbio_endio(master);\n\tr1_gate_leave(&conf->gate, bucket);",
            "\tbio_endio(master);\n\tif (false)\n"
            "\t\tr1_gate_leave(&conf->gate, bucket);")
    elif v == "no-balance":
        sub(rd, "\tr1_balance(cand, n, sectors, first_only, &pick);",
            "\t{\n\t\tstatic unsigned int alt;\n\n"
            "\t\tpick.leg = alt++ % n;\n\t\tpick.sectors = sectors;\n"
            "\t\tpick.why = R1_WHY_SCORE;\n\t}")
    elif v == "no-choice":
        sub(rd, "\tint i, n = 0, readable = 0;\n",
            "\tint i, n = 0, readable = 0;\n\n"
            "\tif (!retry) {\n\t\trcu_read_lock();\n"
            "\t\tatomic_inc(&r1_rdev_rcu(conf, 0)->nr_pending);\n"
            "\t\trcu_read_unlock();\n\t\tch->slot = 0;\n"
            "\t\tch->sectors = sectors;\n\t\tch->failfast = true;\n"
            "\t\tch->issued = 0;\n\t\treturn true;\n\t}\n")
    elif v == "in-place":
        sub(rd, "/* Clone @bio for the chosen leg and send it there. */", IN_PLACE)
        sub(rd, "\tif (retry)\n"
            "\t\tclone = r1_retry_read_clone(conf, bio, rdev, retry, ch);\n"
            "\telse\n"
            "\t\tclone = r1_fast_read_clone(conf, bio, rdev, ch);",
            "\tif (retry)\n"
            "\t\tclone = r1_retry_read_clone(conf, bio, rdev, retry, ch);\n"
            "\telse\n"
            "\t\tclone = r1_ip_remap(conf, bio, rdev, ch);")
        sub(rd, "static struct bio *r1_fast_read_clone(",
            "static __maybe_unused struct bio *r1_fast_read_clone(")
    else:
        sys.exit("ablate: raid1 has no variant '%s'" % v)


IN_PLACE = r'''struct r1_ip {
	bio_end_io_t *end_io;
	void *private;
	struct block_device *bdev;
	u64 issued;
	struct r1_array *conf;
	unsigned long acct;
	sector_t sector;
	int slot, sectors;
	bool acct_on;
};

static void r1_ip_endio(struct bio *bio)
{
	struct r1_ip *ip = bio->bi_private;
	struct r1_array *conf = ip->conf;
	struct r1_leg *leg = &conf->legs[ip->slot];
	struct md_rdev *rdev = leg->rdev;
	unsigned int bucket = r1_bucket(ip->sector);

	leg->head = ip->sector + ip->sectors;
	r1_stats_read_done(leg, ip->issued, ip->sectors, !bio->bi_status);
	bio->bi_end_io = ip->end_io;
	bio->bi_private = ip->private;
	bio->bi_bdev = ip->bdev;
	if (ip->acct_on)
		bio_end_io_acct(bio, ip->acct);
	kfree(ip);
	bio_endio(bio);
	r1_gate_leave(&conf->gate, bucket);
	rdev_dec_pending(rdev, conf->mddev);
}

static struct bio *r1_ip_remap(struct r1_array *conf, struct bio *bio,
			       struct md_rdev *rdev,
			       const struct r1_choice *ch)
{
	struct r1_ip *ip = kmalloc(sizeof(*ip), GFP_NOIO | __GFP_NOFAIL);

	ip->conf = conf;
	ip->sector = bio->bi_iter.bi_sector;
	ip->sectors = ch->sectors;
	ip->issued = ch->issued;
	ip->slot = ch->slot;
	ip->acct_on = r1_io_acct_start(conf->mddev, &bio, &ip->acct);
	ip->end_io = bio->bi_end_io;
	ip->private = bio->bi_private;
	ip->bdev = bio->bi_bdev;
	bio_set_dev(bio, rdev->bdev);
	bio->bi_end_io = r1_ip_endio;
	bio->bi_private = ip;
	return bio;
}

/* Clone @bio for the chosen leg and send it there. */'''

if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "list":
        for k, d in VARIANTS.items():
            print("%-12s %s" % (k, d))
    elif len(sys.argv) == 3 and sys.argv[1] == "apply":
        apply(sys.argv[2])
    else:
        sys.exit(__doc__)
