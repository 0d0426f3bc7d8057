#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse KTAP from a kernel log and print one line per KUnit test case.

    ktap.py MODULE FILE

prints "KEEL-RESULT kunit/<module>/<suite>.<case> pass|fail|skip 0" lines
and exits 1 when the log holds no KTAP at all (the module did not run).
Cases of parameterised tests are folded into their test.
"""
import re
import sys

TS = re.compile(r'^\[\s*[0-9.]+\]\s?')
RES = re.compile(r'^(\s*)(not ok|ok) (\d+) (?:- )?([^#]*?)\s*(#\s*(\w+).*)?$')
SUB = re.compile(r'^(\s*)# Subtest: (\S+)')


def main():
    mod, path = sys.argv[1], sys.argv[2]
    lines = [TS.sub('', l.rstrip('\n')) for l in open(path, errors='replace')]
    suites = {}  # indent -> suite name
    seen = False
    for line in lines:
        m = SUB.match(line)
        if m:
            suites[len(m.group(1))] = m.group(2)
            seen = True
            continue
        m = RES.match(line)
        if not m:
            continue
        # KUnit prints a suite's "# Subtest" line and its cases at indent
        # 4; parameters of a case sit deeper, suites themselves at 0.
        if len(m.group(1)) != 4 or 4 not in suites:
            continue
        suite = suites[4]
        status = 'pass' if m.group(2) == 'ok' else 'fail'
        if m.group(6) and m.group(6).upper() == 'SKIP':
            status = 'skip'
        print(f"KEEL-RESULT kunit/{mod}/{suite}.{m.group(4).strip()} {status} 0")
    if not seen:
        print(f"KEEL-RESULT kunit/{mod} fail 0 no KTAP in the kernel log (module did not run)")
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
