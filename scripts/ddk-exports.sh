#!/bin/sh
# The DDK's one contract, checked at build time: every function the DDK headers declare
# (HV_INCLUDE/hv/*.h, inline ones excepted) is in the kernel's export table
# (hvkernel/ddk/ddk_export.c), and the table exports nothing the headers do not declare.
# hv_module_init and hv_module_exit are declared for modules to define, not exported.
#   sh scripts/ddk-exports.sh CC HV_INCLUDE EXPORT_C
set -eu
cc=$1 inc=$2 table=$3
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
printf '#include <hv/%s>\n' $(cd "$inc/hv" && ls *.h) > "$tmp/all.c"
# -aux-info writes one prototype per declaration with its file: keep the hv/ headers'
# non-static ones, and the name before the first parenthesis.
"$cc" -std=gnu11 -ffreestanding -fsyntax-only -I"$inc" -aux-info "$tmp/aux" "$tmp/all.c"
grep '/hv/[a-z]*\.h:' "$tmp/aux" | grep -v '\*/ static ' |
	sed -E 's/^.*\*\/ extern [^(]*[ *]([A-Za-z_][A-Za-z0-9_]*) \(.*$/\1/' |
	grep -vx 'hv_module_init\|hv_module_exit' | sort -u > "$tmp/declared"
sed -n -e 's/^[[:space:]]*DDK_EXPORT(\([A-Za-z0-9_]*\)),.*$/\1/p' \
	-e 's/^[[:space:]]*DDK_EXPORT_AS(\([A-Za-z0-9_]*\),.*$/\1/p' "$table" | sort > "$tmp/listed"
sort -u "$tmp/listed" > "$tmp/exported"
if [ ! -s "$tmp/declared" ] || [ ! -s "$tmp/exported" ]; then
	echo "ddk-exports: found no declarations in $inc/hv or no DDK_EXPORT lines in $table" >&2
	exit 1
fi
rc=0
for s in $(comm -23 "$tmp/declared" "$tmp/exported"); do
	echo "ddk-exports: $s is declared in $inc/hv but not exported by $table (modules calling it are refused)" >&2
	rc=1
done
for s in $(comm -13 "$tmp/declared" "$tmp/exported"); do
	echo "ddk-exports: $table exports $s, which no header in $inc/hv declares" >&2
	rc=1
done
dup=$(uniq -d "$tmp/listed")
if [ -n "$dup" ]; then
	echo "ddk-exports: $table lists $dup more than once" >&2
	rc=1
fi
exit $rc
