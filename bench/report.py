#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a bench/<area>.sh raw file into the keel/in-tree table.

Raw lines (bench/lib.sh writes them):
    area AREA | mode icount|smp | runtime S | kernel VER | mem hugetlb
    job JOB GOAL TITLE...          GOAL: half or ratio
    run JOB IMPL ROUND IOPS MIBS [CSW]  IMPL: bare, floor, intree or
                                   keel; CSW: context switches per I/O
    note TEXT...

Per job and implementation the rounds are combined: their mean in icount
mode (where they agree within a fraction of a percent), their median in
smp mode (wall clock, noisy). Cost per I/O is guest microseconds per I/O
(1e6 / IOPS; with one vCPU every I/O's whole cost, fio included); the
cost an implementation adds is its cost minus the bare device's. "floor"
is the least any implementation could add, where an area measures it:
the same core with a pass-through module (md linear for raid1, dm-linear
for bio-based multipath); what keel or in-tree adds above it is the
module's own cost.

Goals (issue 20), icount mode: keel/in-tree >= 1.10 for every job, and
for "half" jobs keel adds at most half of what in-tree adds over the bare
device. smp mode: median ratio >= 1.00.

Exit status 0; the REPEAT column says "!" where two rounds of one
implementation differ by more than 2 % (icount mode), and the last line
counts them.
"""
import statistics
import sys


def parse(path):
    meta, jobs, runs, notes, csw = {}, [], {}, [], {}
    for line in open(path):
        w = line.split()
        if not w:
            continue
        if w[0] in ("area", "mode", "runtime", "kernel", "mem"):
            meta[w[0]] = " ".join(w[1:])
        elif w[0] == "job":
            jobs.append((w[1], w[2], " ".join(w[3:])))
        elif w[0] == "run" and len(w) in (6, 7):
            runs.setdefault((w[1], w[2]), []).append(float(w[4]))
            if len(w) == 7:
                csw.setdefault((w[1], w[2]), []).append(float(w[6]))
        elif w[0] == "note":
            notes.append(" ".join(w[1:]))
    return meta, jobs, runs, notes, csw


def spread(vals):
    """Largest difference between two rounds, in % of the smaller."""
    if len(vals) < 2 or min(vals) <= 0:
        return 0.0
    return (max(vals) - min(vals)) * 100.0 / min(vals)


def fmt(v, spec):
    return "-" if v is None else spec % v


def main():
    meta, jobs, runs, notes, csw = parse(sys.argv[1])
    icount = meta.get("mode") == "icount"
    combine = statistics.mean if icount else statistics.median
    print("%s bench, %s mode, kernel %s, %s s per run, fio buffers %s" %
          (meta.get("area", "?"), meta.get("mode", "?"),
           meta.get("kernel", "?"), meta.get("runtime", "?"),
           meta.get("mem", "malloc")))
    if icount:
        print("cost = guest us per I/O (1 us = 1000 instructions); "
              "+cost = over the bare device")
    hdr = "%-34s %9s %9s %9s %6s %7s %7s %7s %7s %-6s %-11s %s"
    print(hdr % ("job", "bare", "in-tree", "keel", "k/i",
                 "us bare", "+floor", "+in", "+keel", "goal", "csw/IO i/k",
                 "repeat %"))
    unstable = 0
    missed = 0
    for job, goal, title in jobs:
        val, cost, rep = {}, {}, []
        for impl in ("bare", "floor", "intree", "keel"):
            vals = runs.get((job, impl))
            if not vals:
                val[impl] = cost[impl] = None
                continue
            val[impl] = combine(vals)
            cost[impl] = 1e6 / val[impl] if val[impl] > 0 else None
            s = spread(vals)
            rep.append("%.1f" % s)
            if icount and s > 2.0:
                unstable += 1
                rep[-1] += "!"
        ratio = None
        if val["keel"] and val["intree"]:
            ratio = val["keel"] / val["intree"]
        add_i = add_k = add_f = None
        if cost["bare"] is not None:
            if cost["floor"] is not None:
                add_f = cost["floor"] - cost["bare"]
            if cost["intree"] is not None:
                add_i = cost["intree"] - cost["bare"]
            if cost["keel"] is not None:
                add_k = cost["keel"] - cost["bare"]
        ok = ratio is not None and ratio >= (1.10 if icount else 1.00)
        if icount and goal == "half" and add_i is not None:
            ok = ok and add_k is not None and add_k <= add_i / 2
        if not ok:
            missed += 1
        cs = []
        for impl in ("intree", "keel"):
            v = csw.get((job, impl))
            cs.append("%.2f" % combine(v) if v else "-")
        print(hdr % (title[:34], fmt(val["bare"], "%.0f"),
                     fmt(val["intree"], "%.0f"), fmt(val["keel"], "%.0f"),
                     fmt(ratio, "%.3f"), fmt(cost["bare"], "%.2f"),
                     fmt(add_f, "%.2f"), fmt(add_i, "%.2f"), fmt(add_k, "%.2f"),
                     "met" if ok else "MISSED", "/".join(cs),
                     "/".join(rep)))
    for n in notes:
        print("# " + n)
    if icount:
        print("goals: keel/in-tree >= 1.10; 'half' jobs: +keel <= +in / 2")
    else:
        print("goal: median keel/in-tree >= 1.00")
    print("%d job(s) missed a goal; %d implementation(s) repeated "
          "outside 2 %%" % (missed, unstable))
    return 0


if __name__ == "__main__":
    sys.exit(main())
