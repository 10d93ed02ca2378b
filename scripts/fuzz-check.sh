#!/bin/sh
# make check's fuzz phase: run each libFuzzer target for a bounded time from its seeds.
# usage: fuzz-check.sh FUZZ_DIR SECONDS COUNTS NAME:MAXLEN:SEEDDIR[:SECONDS]...
# (a target's own SECONDS overrides the default one)
# Each target is one test: PASS when it ran to its time limit with no crash, leak or broken
# invariant and executed at least one input; FAIL otherwise, with the fuzzer's last lines
# (the crashing input is kept in FUZZ_DIR as crash-*). Writes "passed failed 0" to COUNTS.
set -u
dir=$1 dsecs=$2 counts=$3
shift 3
pass=0 fail=0
for t in "$@"; do
	name=${t%%:*}; rest=${t#*:}; maxlen=${rest%%:*}; seeds=${rest#*:}
	secs=$dsecs
	case $seeds in *:*) secs=${seeds##*:}; seeds=${seeds%:*} ;; esac
	bin=$dir/fuzz_$name
	mkdir -p "$dir/$name-corpus"
	out=$dir/$name.check.log
	(cd "$dir" && timeout $((secs + 60)) "./fuzz_$name" -max_total_time="$secs" -max_len="$maxlen" \
		-print_final_stats=1 "$name-corpus" "$seeds") > "$out" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -n 1)
	if [ "$rc" -eq 0 ] && [ "${runs:-0}" -gt 0 ]; then
		echo "PASS fuzz $name: ${runs} inputs in ${secs} s"
		pass=$((pass + 1))
	else
		echo "FAIL fuzz $name (exit $rc, ${runs:-no} inputs run; $bin):"
		tail -n 20 "$out" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
echo "$pass $fail 0" > "$counts"
