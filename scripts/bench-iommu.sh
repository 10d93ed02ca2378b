#!/bin/sh
# The IOMMU's cost (make bench): e1000 (nic.rate, nic.txonly: 200000 60-byte frames A->B
# through two NICs on a QEMU hub) and nvme (blk.seqbench, blk.randbench on a fully
# allocated 128 MiB image) on q35 with QEMU's intel-iommu, the kernel programming it (on)
# and leaving it off (iommu=off): the same QEMU command line, so only the confinement
# differs. On and off alternate within each of RUNS rounds (same window); medians with
# min..max.
# usage: bench-iommu.sh BUILD_DIR [RUNS]
set -u
build=$1
runs=${2:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/hviommubench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

dd if=/dev/zero of="$work/nvme.img" bs=1M count=128 status=none
for mode in on off; do
	opt=""
	[ "$mode" = off ] && opt="iommu=off "
	{
		echo "[e1000-$mode]"
		echo "machine = q35"
		echo "mem = 512"
		echo "initrd = e1000.hvm"
		echo "append = ${opt}test=nic.rate,nic.txonly nic.frames=200000"
		echo "qemu = -device intel-iommu -netdev hubport,id=ea,hubid=1 -device e1000,netdev=ea,mac=52:54:00:00:01:01,romfile= \\"
		echo "       -netdev hubport,id=eb,hubid=1 -device e1000,netdev=eb,mac=52:54:00:00:01:02,romfile= -netdev hubport,id=ez,hubid=1"
		echo "timeout = 300"
		echo "[nvme-$mode]"
		echo "machine = q35"
		echo "mem = 512"
		echo "initrd = nvme.hvm"
		echo "append = ${opt}test=blk.seqbench,blk.randbench"
		echo "qemu = -device intel-iommu -drive file=$work/nvme.img,if=none,id=nvme,format=raw,cache=writeback,aio=threads -device nvme,drive=nvme,serial=iommubench0"
		echo "timeout = 300"
	} > "$work/$mode.cfg"
done
i=0
while [ "$i" -lt "$runs" ]; do
	for mode in on off; do
		"$build/bin/hvktest" -c "$work/$mode.cfg" --kernel "$build/hvkernel.elf" --modules "$build/modules" -v \
			> "$work/run$i-$mode.out" 2>&1 || echo "bench-iommu: run $i ($mode) had failures (see below)" >&2
	done
	i=$((i + 1))
done
sh "$(dirname "$0")/hvktest-medians.sh" config "$work"/run*.out
if grep -h "^FAIL" "$work"/run*.out | sort | uniq -c | grep .; then
	exit 1
fi
