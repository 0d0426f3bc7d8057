#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""List every user-visible knob keel's code registers and check that the
module's Documentation/<name>.rst mentions it.

    doc-check.py ROOT

Knobs: module_param*(), CONFIGFS_ATTR*(), __ATTR*() / DEVICE_ATTR*() sysfs
attributes, and debugfs files created with a literal name. Prints TAP.
"""
import os
import re
import sys

DOCS = {'raid1': 'raid1', 'mpath': 'mpath', 'srpt': 'srpt', 'vdisk': 'vdisk'}
PATTERNS = [
    ('module parameter', re.compile(r'\bmodule_param(?:_named|_cb|_array)?\(\s*(\w+)')),
    ('configfs attribute', re.compile(r'\bCONFIGFS_(?:BIN_)?ATTR(?:_RO|_WO)?\(\s*\w*\s*,\s*(\w+)\s*[,)]')),
    ('sysfs attribute', re.compile(r'\b__ATTR(?:_RO|_RW|_WO)?\(\s*(\w+)')),
    ('sysfs attribute', re.compile(r'\bDEVICE_ATTR(?:_RO|_RW|_WO)?\(\s*(\w+)')),
    ('configfs attribute', re.compile(r'\.ca_name\s*=\s*"([^"]+)"')),
    ('debugfs file', re.compile(r'\bdebugfs_create_\w+\(\s*"([^"%]+)"')),
]


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    return re.sub(r'//[^\n]*', '', text)


def main():
    root = sys.argv[1]
    n = 0
    bad = 0
    for folder, doc in sorted(DOCS.items()):
        d = os.path.join(root, folder)
        if not os.path.isfile(os.path.join(d, 'Kbuild')):
            continue
        rst_path = os.path.join(root, 'Documentation', doc + '.rst')
        rst = open(rst_path).read() if os.path.exists(rst_path) else ''
        n += 1
        if rst:
            print(f'ok {n} - {folder}: Documentation/{doc}.rst exists')
        else:
            print(f'not ok {n} - {folder}: Documentation/{doc}.rst missing')
            bad += 1
        knobs = set()
        for f in sorted(os.listdir(d)):
            if not f.endswith('.c') or 'kunit' in f or f.endswith('.mod.c'):
                continue
            src = strip_comments(open(os.path.join(d, f)).read())
            for kind, rx in PATTERNS:
                for m in rx.finditer(src):
                    knobs.add((kind, m.group(1)))
        for kind, name in sorted(knobs):
            n += 1
            if re.search(r'(?<![\w])' + re.escape(name) + r'(?![\w])', rst):
                print(f'ok {n} - {folder}: {kind} {name} documented')
            else:
                print(f'not ok {n} - {folder}: {kind} {name} not in Documentation/{doc}.rst')
                bad += 1
    print(f'1..{n}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
