#!/bin/sh
# Add up the per-phase test counts written by `make check` and print the one summary line.
# usage: check-summary.sh DIR PHASE...
# Each phase writes DIR/PHASE.counts: "passed failed skipped". A phase that wrote no counts
# file did not finish, and a phase that ran no test at all (nothing passed or failed, only
# skips or nothing) proved nothing: each counts as one failure, with a line saying why.
set -u
dir=$1; shift
passed=0; failed=0; skipped=0; rc=0
for phase in "$@"; do
	f="$dir/$phase.counts"
	if [ ! -r "$f" ]; then
		echo "check: phase '$phase' did not report its results (it crashed or did not run)" >&2
		failed=$((failed + 1)); rc=1
		continue
	fi
	if ! read -r p fl s rest < "$f" || [ -n "$rest" ] ||
	   ! printf '%s %s %s\n' "$p" "$fl" "${s:-}" | grep -Eqx '[0-9]+ [0-9]+ [0-9]+'; then
		echo "check: $f is not 'passed failed skipped': $(head -c 80 "$f")" >&2
		failed=$((failed + 1)); rc=1
		continue
	fi
	if [ "$((p + fl))" -eq 0 ]; then
		echo "check: phase '$phase' ran no test ($s skipped): nothing was checked" >&2
		failed=$((failed + 1)); rc=1
	fi
	[ "$s" -gt 0 ] && echo "check: phase '$phase' skipped $s (see its SKIP lines for why)" >&2
	passed=$((passed + p)); failed=$((failed + fl)); skipped=$((skipped + s))
done
[ "$failed" -gt 0 ] && rc=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $rc
