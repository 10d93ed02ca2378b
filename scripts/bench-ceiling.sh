#!/bin/sh
# Ceiling probes (make bench): for every device model with a driverless probe among the
# kernel's bench tests (hvkernel/tests/ceil_*.c), the probe's rate under exactly the QEMU
# flags scripts/bench-drivers.sh gives that device (taken from its configuration, with the
# driver module left out so nothing binds), RUNS boots, medians with min..max; then, from
# the driver medians bench-drivers.sh printed in the same `make bench` (DRIVERS_OUT), each
# driver's figure beside its model's ceiling as a percentage (issue 17's goal: >= 90%).
#   NIC loop   nic.rate rx_pps    against ceil.nic_loop rx_pps
#   TX only    nic.txonly tx_pps  against ceil.nic_txonly tx_pps
#   seq read   blk.seqbench read_MBps  against ceil.blk_seq read_MBps   (64 MiB, 1 MiB, QD1)
#   QD32 rand  blk.randbench iops_qd   against ceil.blk_rand iops_qd    (4 KiB, 4000 reads)
# The storage probes read fresh images of the same size as the driver bench's.
# usage: bench-ceiling.sh BUILD_DIR [RUNS [DRIVERS_OUT [CEIL_OUT]]]
#   CEIL_OUT: where the probes' medians are kept (for scripts/bench-linux.sh)
set -u
build=$1
runs=${2:-5}
drivers=${3:-}
keep=${4:-}
here=$(dirname "$0")
work=$(mktemp -d "${TMPDIR:-/tmp}/hvceil.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# The models with a probe, and the probe tests of each kind.
models="e1000 virtio-net nvme virtio-blk ahci"
nic_probes="ceil.nic_loop,ceil.nic_txonly"
blk_probes="ceil.blk_seq,ceil.blk_rand"

BENCH_DRIVERS_CFG=$work/drivers.cfg BENCH_DRIVERS_IMAGES=$work sh "$here/bench-drivers.sh" "$build" 1 || {
	echo "bench-ceiling: bench-drivers.sh wrote no configuration" >&2
	exit 1
}
# Each model's section with its initrd dropped and the probes as its tests.
awk -v models=" $models " -v nic="$nic_probes" -v blk="$blk_probes" '
/^\[/ { name = substr($0, 2, length($0) - 2); keep = index(models, " " name " ") > 0 }
!keep { next }
/^\[/ { print "[" name "]"; next }
/^initrd = / { next }
/^append = test=nic\./ { print "append = test=" nic " ceil.frames=200000"; next }
/^append = test=blk\.seqbench,blk\.randbench$/ { print "append = test=" blk; next }
/^append = / { print "bench-ceiling: " name ": no probe for its tests: " $0 > "/dev/stderr"; exit 1 }
{ print }' "$work/drivers.cfg" > "$work/ceil.cfg" || exit 1
for m in $models; do
	grep -q "^\[$m\]" "$work/ceil.cfg" || {
		echo "bench-ceiling: no section [$m] in bench-drivers.sh's configuration" >&2
		exit 1
	}
done

echo "ceiling probes: host CPU $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
	"$(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg), accelerator tcg"
i=0
while [ "$i" -lt "$runs" ]; do
	"$build/bin/hvktest" -c "$work/ceil.cfg" --kernel "$build/hvkernel.elf" -v \
		> "$work/run$i.out" 2>&1 || echo "bench-ceiling: run $i had failures (see below)" >&2
	i=$((i + 1))
done
sh "$here/hvktest-medians.sh" ceiling "$work"/run*.out | tee "$work/ceil.txt"
grep -h "^FAIL" "$work"/run*.out | sort | uniq -c
[ -z "$keep" ] || cp "$work/ceil.txt" "$keep"
[ -n "$drivers" ] || exit 0
if [ ! -s "$drivers" ]; then
	echo "bench-ceiling: $drivers: no driver figures to compare" >&2
	exit 1
fi
# "DEVICE METRIC median [min..max] (N runs)" from both; the medians side by side.
awk '
function pair(dev, what, dm, cm) {
	if (!((dev, dm) in drv) || !((dev, cm) in ceil)) return
	d = drv[dev, dm]; c = ceil[dev, cm]
	printf "%-11s %-9s %12d %12d %7s\n", dev, what, d, c, c ? sprintf("%d%%", d * 100 / c) : "-"
}
FNR == 1 { file++ }
file == 1 && $3 ~ /^[0-9]+$/ { drv[$1, $2] = $3; devs[$1] = 1 }
file == 2 && $3 ~ /^[0-9]+$/ { ceil[$1, $2] = $3 }
END {
	printf "%-11s %-9s %12s %12s %7s\n", "device", "figure", "driver", "ceiling", "share"
	for (dev in devs) {
		pair(dev, "NIC loop", "nic.rate.rx_pps", "ceil.nic_loop.rx_pps")
		pair(dev, "TX only", "nic.txonly.tx_pps", "ceil.nic_txonly.tx_pps")
		pair(dev, "seq read", "blk.seqbench.read_MBps", "ceil.blk_seq.read_MBps")
		pair(dev, "QD32 rand", "blk.randbench.iops_qd", "ceil.blk_rand.iops_qd")
	}
}' "$drivers" "$work/ceil.txt"
