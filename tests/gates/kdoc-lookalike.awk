# SPDX-License-Identifier: GPL-2.0
#
# kdoc-lookalike.awk FILE...: comment blocks that open with "/*", not
# "/**", but read like kernel-doc, so scripts/kernel-doc never checks
# them: a first line "name() - text" or "struct|union|enum|typedef name -
# text", or a "@param:" line anywhere in the block.  One line per block:
#	FILE:LINE: kernel-doc comment opened with /*: TEXT
# Used by tests/gates/003-kernel-doc.
function first_line(t) {
	if (t ~ /^[A-Za-z_][A-Za-z0-9_]*\(\)[ \t]+-([ \t]|$)/ ||
	    t ~ /^(struct|union|enum|typedef)[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]+-([ \t]|$)/)
		report(t)
}
function report(t) {
	if (!(FILENAME SUBSEP start in seen))
		printf "%s:%d: kernel-doc comment opened with /*: %s\n", FILENAME, start, t
	seen[FILENAME, start] = 1
}
FNR == 1 { inblk = 0 }
!inblk && /\/\*/ {
	rest = substr($0, index($0, "/*") + 2)
	if (rest ~ /^\*/ || rest ~ /SPDX-License-Identifier/)
		next
	start = FNR
	first = 1
	line = rest
	inblk = 1
}
inblk {
	if (FNR != start)
		line = $0
	done = sub(/\*\/.*/, "", line)
	if (FNR != start)
		sub(/^[ \t]*\*?/, "", line)
	sub(/^[ \t]+/, "", line)
	if (first && line != "") {
		first_line(line)
		first = 0
	}
	if (line ~ /^@[A-Za-z_][A-Za-z0-9_.]*(\.\.\.)?:/)
		report(line)
	if (done)
		inblk = 0
}
