#!/bin/sh
# The medians of hvktest -v metrics over repeated runs, one line per (entry, metric):
# "NAME METRIC median [min..max] (N runs)". Metric lines look like "        rx_pps = 123 pps"
# under "PASS name" and "  pass  suite.test". Used by the bench scripts.
# usage: hvktest-medians.sh HEADING FILE...   (HEADING names the first column)
heading=$1
shift
cat "$@" | awk '
/^(PASS|FAIL|SKIP) / { dev = $2 }
/^  (pass|fail|skip|error) / { test = $2 }
/ = [0-9]+ / && $1 != "ready_us" && $1 != "qd" { print dev, test "." $1, $3 }' |
sort -k1,1 -k2,2 -k3,3n | awk -v heading="$heading" '
function flush() {
	if (n == 0) return
	med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	printf "%-11s %-28s %d [%d..%d] (%d runs)\n", d, m, med, v[1], v[n], n
	n = 0
}
BEGIN { printf "%-11s %-28s %s\n", heading, "metric", "median [min..max]" }
{ if ($1 != d || $2 != m) { flush(); d = $1; m = $2 } v[++n] = $3 }
END { flush() }'
