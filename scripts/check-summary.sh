#!/bin/sh
# Add up the per-phase test counts written by `make check` and print the one summary line.
# usage: check-summary.sh DIR PHASE...
# A phase that wrote no counts file did not finish: it counts as one failure.
set -u
dir=$1; shift
passed=0; failed=0; rc=0
for phase in "$@"; do
	f="$dir/$phase.counts"
	if [ ! -r "$f" ]; then
		echo "check: phase '$phase' did not report its results (it crashed or did not run)" >&2
		failed=$((failed + 1)); rc=1
		continue
	fi
	read -r p fl < "$f" || { echo "check: $f is unreadable" >&2; failed=$((failed + 1)); rc=1; continue; }
	passed=$((passed + p)); failed=$((failed + fl))
done
[ "$failed" -gt 0 ] && rc=1
echo "$passed passed, $failed failed"
exit $rc
