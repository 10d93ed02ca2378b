#!/bin/sh
# End-to-end tests of build/bin/hcl: every tests/hcl/test_*.sh, sourced in turn.
# usage: run.sh HCL-BINARY WORKDIR COUNTS-FILE
# Prints PASS/FAIL/SKIP lines and writes "passed failed skipped" to COUNTS-FILE.
set -u
HCL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
W=$(mkdir -p "$2" && cd "$2" && pwd)
COUNTS=$3
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$HERE/fixtures
pass=0; fail=0; skipped=0
rm -rf "${W:?}"/* 2>/dev/null

ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() {
	fail=$((fail + 1)); echo "FAIL $1"
	if [ -n "${2:-}" ] && [ -r "$2" ]; then tail -15 "$2" | sed 's/^/    /'; fi
}
skip() { skipped=$((skipped + 1)); echo "SKIP $1 ($2)"; }
# expect NAME RC CMD...: CMD must exit with RC; its output (both streams) is in $W/out.
expect() {
	name=$1; want=$2; shift 2
	"$@" > "$W/out" 2>&1; rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else echo "    exit $rc, wanted $want"; bad "$name" "$W/out"; fi
}
# has NAME PATTERN: the last command's output contains PATTERN (grep -E).
has() { if grep -qE -- "$2" "$W/out"; then ok "$1"; else echo "    no match for: $2"; bad "$1" "$W/out"; fi; }
hasnt() { if grep -qE -- "$2" "$W/out"; then echo "    unexpected: $2"; bad "$1" "$W/out"; else ok "$1"; fi; }

for t in "$HERE"/test_*.sh; do
	echo "== $(basename "$t")"
	. "$t"
done
echo "$pass $fail $skipped" > "$COUNTS"
echo "hcl: $pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
