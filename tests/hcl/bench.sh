#!/bin/sh
# hcl check against a generated 100 000-entry list: median wall time of 5 runs, for the
# signed hcl.bin (the fast path) and, once, for the signed JSON list.
# usage: bench.sh HCL-BINARY WORKDIR [N]
set -eu
hcl=$1; dir=$2; n=${3:-100000}
here=$(dirname "$0")
mkdir -p "$dir"
sh "$here/gen-list.sh" "$n" > "$dir/list.json"
"$hcl" keygen -o "$dir/key" 2>/dev/null
"$hcl" sign "$dir/list.json" --key "$dir/key" -o "$dir/list.signed.json" 2>/dev/null
"$hcl" compile "$dir/list.signed.json" --pubkey "$dir/key.pub" --key "$dir/key" \
	-o "$dir/list.bin" 2>/dev/null
inv="$here/fixtures/r640.lspci-vvnn"

ms() { # wall milliseconds of one run of "$@"
	t0=$(date +%s%N); "$@" >/dev/null 2>&1 || [ $? -eq 1 ]; t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000 ))
}
median5() {
	for i in 1 2 3 4 5; do ms "$@"; done | sort -n | sed -n 3p
}
us=$(median5 "$hcl" check --inventory "$inv" --hcl "$dir/list.bin" --pubkey "$dir/key.pub")
printf 'hcl check, %s-entry signed hcl.bin, %s: median of 5 = %d.%03d ms\n' "$n" \
	"$(basename "$inv")" $((us / 1000)) $((us % 1000))
us=$(ms "$hcl" check --inventory "$inv" --hcl "$dir/list.signed.json" --pubkey "$dir/key.pub")
printf 'hcl check, %s-entry signed JSON list (json-c parse): %d.%03d ms\n' "$n" \
	$((us / 1000)) $((us % 1000))
