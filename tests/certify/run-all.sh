#!/bin/sh
# Runs every tests/certify/*-test.sh with the certify binary, prints their PASS/FAIL/SKIP
# lines and writes "passed failed skipped" to COUNTS. A script that exits non-zero without
# having printed a FAIL line, or that printed no PASS, FAIL or SKIP line at all, counts one
# failure. Usage: run-all.sh BUILD/bin/certify COUNTS
set -u
bin=$1
counts=$2
dir=$(dirname "$0")
pass=0
fail=0
skip=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "$dir"/*-test.sh; do
	CERTIFY=$bin sh "$t" > "$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -c '^PASS ' "$out")
	f=$(grep -c '^FAIL ' "$out")
	s=$(grep -c '^SKIP ' "$out")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL $(basename "$t") (exit $rc)"
		f=1
	elif [ "$((p + f + s))" = 0 ]; then
		echo "FAIL $(basename "$t") (it reported no test)"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
done
echo "certify: $pass passed, $fail failed, $skip skipped"
echo "$pass $fail $skip" > "$counts"
