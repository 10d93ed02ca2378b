#!/bin/sh
# The driver verifier's cost (make bench): the same boots with and without verifier=1, side
# by side, RUNS of each, medians with [min..max]. Boot: pc/TCG with an e1000 and an nvme
# and their modules, kernel entry -> ready (hvboot). NIC: e1000 pair on a QEMU hub,
# nic.rate and nic.txonly with 200000 60-byte frames. Storage: nvme on a 128 MiB image,
# blk.seqbench and blk.randbench (the workloads of scripts/bench-drivers.sh). Cost: the
# in-kernel verifier.cost test, nanoseconds per DDK call (hv_malloc+hv_free, a DMA page,
# a driver lock taken and released), which a loaded host disturbs least.
# usage: bench-verifier.sh BUILD_DIR [RUNS]
set -u
build=$1
runs=${2:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/hvvfbench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mods=$build/modules
dd if=/dev/zero of="$work/nvme.img" bs=1M count=128 status=none
fail=0

nic="-netdev hubport,id=ea,hubid=1 -device e1000,netdev=ea,mac=52:54:00:00:01:01,romfile= \
 -netdev hubport,id=eb,hubid=1 -device e1000,netdev=eb,mac=52:54:00:00:01:02,romfile= \
 -netdev hubport,id=ez,hubid=1"
disk="-drive file=$work/nvme.img,if=none,id=nvme,format=raw,cache=writeback,aio=threads \
 -device nvme,drive=nvme,serial=vfbench0"
for v in 0 1; do
	for s in nic:e1000.hvm:"test=nic.rate,nic.txonly nic.frames=200000":"$nic" \
		 blk:nvme.hvm:"test=blk.seqbench,blk.randbench":"$disk"; do
		name=${s%%:*} rest=${s#*:}
		mod=${rest%%:*} rest=${rest#*:}
		app=${rest%%:*} q=${rest#*:}
		printf '[%s-vf%s]\nmachine = pc\nmem = 512\ninitrd = %s\nappend = %s verifier=%s\nqemu = %s\ntimeout = 300\n' \
			"$name" "$v" "$mod" "$app" "$v" "$q"
	done
	printf '[cost-vf%s]\nmachine = pc\nappend = test=verifier.cost verifier=%s\ntimeout = 120\n' "$v" "$v"
done > "$work/bench.cfg"

i=0
while [ "$i" -lt "$runs" ]; do
	for v in 0 1; do
		out=$("$build/bin/hvboot" --machine pc --accel tcg --device e1000 --qemu -drive \
			--qemu "file=$work/nvme.img,if=none,id=nvme,format=raw" --device nvme,drive=nvme,serial=vfb \
			--initrd "$mods/e1000.hvm,$mods/nvme.hvm" --append "verifier=$v" --timeout 120 2>&1)
		ms=$(echo "$out" | sed -n 's/.*entry -> ready \([0-9.]*\) ms (kernel).*/\1/p')
		if [ -n "$ms" ] && echo "$out" | grep -q '^result:  pass'; then
			echo "boot-vf$v boot.entry_to_ready_ms $ms" >> "$work/metrics"
		else
			echo "bench-verifier: boot with verifier=$v failed: $(echo "$out" | tail -n 2)" >&2
			fail=1
		fi
	done
	"$build/bin/hvktest" -c "$work/bench.cfg" --kernel "$build/hvkernel.elf" --modules "$mods" -v \
		> "$work/run$i.out" 2>&1 || { echo "bench-verifier: run $i had failures:" >&2; grep '^FAIL' "$work/run$i.out" >&2; fail=1; }
	i=$((i + 1))
done
cat "$work"/run*.out | awk '
/^(PASS|FAIL|SKIP) / { dev = $2 }
/^  (pass|fail|skip|error) / { test = $2 }
/ = [0-9.]+ / && $1 != "qd" { print dev, test "." $1, $3 }' >> "$work/metrics"
# device-vfN metric value -> one row per metric: verifier=0 and verifier=1 side by side.
sed 's/-vf\([01]\) / \1 /' "$work/metrics" | sort -k1,1 -k3,3 -k2,2n -k4,4n | awk '
function stat(a, n,   med) {
	if (n == 0) return "-"
	med = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	return sprintf("%.1f [%.1f..%.1f]", med, a[1], a[n])
}
function flush() {
	if (key == "") return
	m0 = (n0 % 2) ? v0[(n0 + 1) / 2] : (v0[n0 / 2] + v0[n0 / 2 + 1]) / 2
	m1 = (n1 % 2) ? v1[(n1 + 1) / 2] : (v1[n1 / 2] + v1[n1 / 2 + 1]) / 2
	printf "%-5s %-26s %-28s %-28s %s\n", d, m, stat(v0, n0), stat(v1, n1),
		(n0 && n1 && m0 > 0) ? sprintf("%.2f", m1 / m0) : "-"
	n0 = n1 = 0
}
BEGIN { printf "%-5s %-26s %-28s %-28s %s\n", "what", "metric", "verifier=0 median [min..max]",
	"verifier=1 median [min..max]", "vf1/vf0" }
{ k = $1 " " $3; if (k != key) { flush(); key = k; d = $1; m = $3 }
  if ($2 == 0) v0[++n0] = $4; else v1[++n1] = $4 }
END { flush() }'
exit "$fail"
