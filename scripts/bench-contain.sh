#!/bin/sh
# The cost of driver containment (kern/contain.c): boots two kernels in turn, pc under TCG,
#   probes:  no devices, the 64 bench modules (each driver matches the host bridge and
#            declines it: 64 contained probes that do nothing);
#   drivers: e1000, virtio-net, nvme and ahci binding to hvboot's default devices;
# and prints, per kernel and case, the median and min..max of the drivers phase (the `phase`
# records modules -> drivers, where every probe runs) and of entry -> ready.
#   sh scripts/bench-contain.sh WITH.elf WITHOUT.elf [BOOTS]
# WITHOUT is the same tree with containment bypassed (contain_call_one calling the driver
# directly) or the kernel before it. Run after `make`; results on stdout.
set -u
[ $# -ge 2 ] || { echo "usage: sh scripts/bench-contain.sh WITH.elf WITHOUT.elf [BOOTS]" >&2; exit 2; }
with=$1 without=$2 n=${3:-10}
for k in "$with" "$without"; do
	[ -r "$k" ] || { echo "bench-contain: $k: not readable" >&2; exit 2; }
done
M=build/modules
bench=$(ls $M/bench/bench*.hvm 2>/dev/null | tr '\n' ',' | sed 's/,$//')
[ -n "$bench" ] || { echo "bench-contain: no $M/bench/bench*.hvm (make modules)" >&2; exit 2; }
drivers=$M/e1000.hvm,$M/virtio-net.hvm,$M/nvme.hvm,$M/ahci.hvm
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT

boot() {	# case kernel initrd [hvboot args]: one line "case kernel drivers_ms ready_ms"
	c=$1 k=$2 mods=$3
	shift 3
	log=$(timeout 120 build/bin/hvboot --accel tcg --machine pc "$@" --kernel "$k" --initrd "$mods" 2>&1)
	r=$(echo "$log" | sed -n 's/.*entry -> ready \([0-9.]*\) ms.*/\1/p')
	m=$(echo "$log" | sed -n 's/.*boot: modules done at \([0-9]*\) us.*/\1/p')
	d=$(echo "$log" | sed -n 's/.*boot: drivers done at \([0-9]*\) us.*/\1/p')
	if [ -z "$r" ] || [ -z "$m" ] || [ -z "$d" ]; then
		echo "bench-contain: $c with $k did not reach ready" >&2
		return 1
	fi
	echo "$c $k $(awk -v a="$m" -v b="$d" 'BEGIN { printf "%.3f", (b - a) / 1000 }') $r" >> "$out"
}

fail=0
round=0
while [ "$round" -lt "$n" ]; do
	for k in "$with" "$without"; do
		boot probes "$k" "$bench" --device isa-debug-exit,iobase=0xf4,iosize=0x04 || fail=1
		boot drivers "$k" "$drivers" || fail=1
	done
	round=$((round + 1))
done
stat() { sort -n | awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
	printf "%9.2f (%.2f..%.2f)", m, a[1], a[NR] }'; }
printf '%-8s %-40s %-32s %s\n' case kernel "drivers phase ms" "entry->ready ms"
for c in probes drivers; do
	for k in "$with" "$without"; do
		printf '%-8s %-40s %-32s %s\n' "$c" "$k" \
			"$(awk -v c="$c" -v k="$k" '$1 == c && $2 == k { print $3 }' "$out" | stat)" \
			"$(awk -v c="$c" -v k="$k" '$1 == c && $2 == k { print $4 }' "$out" | stat)"
	done
done
exit "$fail"
