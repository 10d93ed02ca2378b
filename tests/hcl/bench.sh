#!/bin/sh
# hcl check of a 100-function inventory against a signed 100 000-entry list, the case of
# issue 15: the signed JSON list (goal: at most 250 ms and 64 MB peak; before: ~1.4 s and
# ~513 MB) and the signed hcl.bin (goal: at most 30 ms). For each, RUNS runs: the median
# and min..max wall time, the median CPU time (user+sys) and the largest peak resident set.
# HCL_BENCH_BASE=/path/to/an/older/hcl measures that binary the same way in the same run
# (its lists signed and compiled by itself), for a before/after in one window.
# usage: bench.sh HCL-BINARY WORKDIR [N] [RUNS]
set -eu
hcl=$1; dir=$2; n=${3:-100000}; runs=${4:-7}
here=$(dirname "$0")
base=${HCL_BENCH_BASE:-}
mkdir -p "$dir"
command -v /usr/bin/time >/dev/null || { echo "bench.sh: needs GNU time (Debian package time)" >&2; exit 1; }

# The inventory: the R220's lspci -vvnn (tests/hcl/corpus) six times on buses 0x10 apart,
# cut at 100 functions; lspci's order (by slot) is kept.
awk 'function out() { if (blk != "") printf "%s\n", blk; blk = "" }
{ lines[NR] = $0 }
END {
	for (c = 0; c < 6; c++) {
		blk = ""
		for (i = 1; i <= NR; i++) {
			l = lines[i]
			if (l ~ /^[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]\.[0-7] /) {
				out(); if (n >= 100) break; n++
				bus = sprintf("%02x", c * 16 + ("0x" substr(l, 1, 2)) + 0)
				l = bus substr(l, 3)
			}
			if (l == "") { out(); continue }
			blk = blk l "\n"
		}
		out()
	}
}' "$here/corpus/dell-r220.lspci-vvnn" > "$dir/inv100.txt"
nf=$(grep -c '^[0-9a-f][0-9a-f]:' "$dir/inv100.txt")
[ "$nf" -eq 100 ] || { echo "bench.sh: the inventory has $nf functions, not 100" >&2; exit 1; }

sh "$here/gen-list.sh" "$n" > "$dir/list.json"
# prepare BIN TAG: a key, the list signed and compiled by BIN.
prepare() {
	"$1" keygen -o "$dir/key.$2" 2>/dev/null
	"$1" sign "$dir/list.json" --key "$dir/key.$2" -o "$dir/list.$2.signed.json" 2>/dev/null
	"$1" compile "$dir/list.$2.signed.json" --pubkey "$dir/key.$2.pub" --key "$dir/key.$2" \
		-o "$dir/list.$2.bin" 2>/dev/null
}
prepare "$hcl" new
[ -n "$base" ] && prepare "$base" base

# The tool must have read all 100 functions: a benchmark of a refusal would be no benchmark.
got=$("$hcl" check --inventory "$dir/inv100.txt" --hcl "$dir/list.new.signed.json" \
	--pubkey "$dir/key.new.pub" --json 2>/dev/null | jq '.inventory.functions') || true
[ "$got" = 100 ] || { echo "bench.sh: hcl check read ${got:-no} functions, not 100" >&2; exit 1; }

# measure RUNS BIN LIST PUB: one line per run, "wall_us cpu_cs peak_kb".
measure() {
	r=$1; shift
	for i in $(seq "$r"); do
		t0=$(date +%s%N)
		/usr/bin/time -f '%U %S %M' -o "$dir/time" "$1" check --inventory "$dir/inv100.txt" \
			--hcl "$2" --pubkey "$3" >/dev/null 2>"$dir/err" && rc=0 || rc=$?
		t1=$(date +%s%N)
		# time(1) puts "Command exited with non-zero status 1" first when it is 1.
		[ "$rc" -le 1 ] || { echo "bench.sh: $1 check exited $rc: $(head -n 1 "$dir/err")" >&2; exit 1; }
		tail -n 1 "$dir/time" | awk -v w=$(( (t1 - t0) / 1000 )) \
			'{ printf "%d %d %d\n", w, ($1 + $2) * 100 + 0.5, $3 }'
	done
}
# report NAME GOAL_MS GOAL_MB BEFORE_MS BEFORE_MB RUNS BIN LIST PUB
report() {
	name=$1 gms=$2 gmb=$3 bms=$4 bmb=$5; shift 5
	measure "$@" > "$dir/runs"
	cpu=$(cut -d' ' -f2 "$dir/runs" | sort -n | sed -n "$(( ($(wc -l < "$dir/runs") + 1) / 2 ))p")
	sort -n "$dir/runs" | awk -v name="$name" -v gms="$gms" -v gmb="$gmb" -v bms="$bms" \
		-v bmb="$bmb" -v cpu="$((cpu * 10))" '
	{ w[NR] = $1; if ($3 > m) m = $3 }
	END {
		med = w[int((NR + 1) / 2)] / 1000
		printf "%s: median %.1f ms (%.1f..%.1f, %d runs), CPU %d ms, peak %.1f MB", name, med,
			w[1] / 1000, w[NR] / 1000, NR, cpu, m / 1024
		if (gms) printf "; goal <= %d ms%s: %s", gms, gmb ? sprintf(", <= %d MB", gmb) : "",
			(med <= gms && (!gmb || m / 1024 <= gmb)) ? "met" : "NOT met"
		if (bms) printf "; %.2fx the time and %.3fx the memory of the issue'"'"'s %.1f s, %d MB",
			med / bms, m / 1024 / bmb, bms / 1000, bmb
		printf "\n"
	}'
}
echo "hcl bench: host CPU $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) CPUs," \
	"load $(cut -d' ' -f1 /proc/loadavg); inventory: 100 functions (lspci -vvnn); list: $n entries"
report "hcl check, signed JSON list" 250 64 1400 513 "$runs" "$hcl" \
	"$dir/list.new.signed.json" "$dir/key.new.pub"
report "hcl check, signed hcl.bin" 30 0 0 0 "$runs" "$hcl" "$dir/list.new.bin" "$dir/key.new.pub"
if [ -n "$base" ]; then
	report "baseline $base, signed JSON list" 0 0 0 0 3 "$base" "$dir/list.base.signed.json" \
		"$dir/key.base.pub"
	report "baseline $base, signed hcl.bin" 0 0 0 0 "$runs" "$base" "$dir/list.base.bin" \
		"$dir/key.base.pub"
fi
