#!/bin/sh
# Driver benchmarks (make bench): the inbox NIC and storage drivers on the same QEMU
# devices and flags as ../shared/baselines/linux (pc, TCG, -smp 1, -m 512), RUNS boots per
# device, medians with min..max. NICs: 60-byte frames A->B through two NICs of one model on a
# QEMU hub (nic.rate) and TX only (nic.txonly), 200000 frames. Disks (fully allocated 128 MiB
# images, cache=writeback,aio=threads): 64 MiB sequential read and write in 1 MiB requests at
# QD1 (blk.seqbench), 4 KiB random reads at QD1 and QD32 (blk.randbench).
# The rtl8139, vmxnet3 and pvscsi entries have their Linux figures from scripts/linux-baseline-extra.sh;
# megasas and mptsas have none yet.
# usage: bench-drivers.sh BUILD_DIR [RUNS [DEVICE...]]   (DEVICE: a section below; default all)
set -u
build=$1
runs=${2:-5}
shift $(($# < 2 ? $# : 2))
only=""
for d in "$@"; do only="$only -t $d"; done
work=$(mktemp -d "${TMPDIR:-/tmp}/hvdrvbench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# The disk images; with BENCH_DRIVERS_CFG (the configuration only) they are made only when
# BENCH_DRIVERS_IMAGES names a directory to keep them in, which then outlives this script.
imgdir=${BENCH_DRIVERS_IMAGES:-$work}
[ -n "${BENCH_DRIVERS_CFG:-}" ] && [ -z "${BENCH_DRIVERS_IMAGES:-}" ] ||
for d in vblk nvme ahci pvscsi megasas mptsas; do
	dd if=/dev/zero of="$imgdir/$d.img" bs=1M count=128 status=none || exit 1
done
hub() {	# hub MODEL ID-PREFIX HUB MAC-PREFIX
	echo "-netdev hubport,id=$2a,hubid=$3 -device $1,netdev=$2a,mac=$4:01,romfile= \\"
	echo "       -netdev hubport,id=$2b,hubid=$3 -device $1,netdev=$2b,mac=$4:02,romfile= \\"
	echo "       -netdev hubport,id=$2z,hubid=$3"
}
drive() { echo "-drive file=$imgdir/$1.img,if=none,id=$1,format=raw,cache=writeback,aio=threads"; }
{
	echo "[e1000]"
	echo "machine = pc"
	echo "mem = 512"
	echo "initrd = e1000.hvm"
	echo "append = test=nic.rate,nic.txonly nic.frames=200000"
	echo "qemu = $(hub e1000 e 1 52:54:00:00:01)"
	echo "timeout = 300"
	echo "[virtio-net]"
	echo "machine = pc"
	echo "mem = 512"
	echo "initrd = virtio-net.hvm"
	echo "append = test=nic.rate,nic.txonly nic.frames=200000"
	echo "qemu = $(hub virtio-net-pci v 2 52:54:00:00:02)"
	echo "timeout = 300"
	echo "[rtl8139]"
	echo "machine = pc"
	echo "mem = 512"
	echo "initrd = rtl8139.hvm"
	echo "append = test=nic.rate,nic.txonly nic.frames=200000"
	echo "qemu = $(hub rtl8139 r 3 52:54:00:00:03)"
	echo "timeout = 300"
	echo "[vmxnet3]"
	echo "machine = pc"
	echo "mem = 512"
	echo "initrd = vmxnet3.hvm"
	echo "append = test=nic.rate,nic.txonly nic.frames=200000"
	echo "qemu = $(hub vmxnet3 x 4 52:54:00:00:04)"
	echo "timeout = 300"
	echo "[virtio-blk]"
	echo "machine = pc"
	echo "mem = 512"
	echo "initrd = virtio-blk.hvm"
	echo "append = test=blk.seqbench,blk.randbench"
	echo "qemu = $(drive vblk) -device virtio-blk-pci,drive=vblk"
	echo "timeout = 300"
	echo "[nvme]"
	echo "machine = pc"
	echo "mem = 512"
	echo "initrd = nvme.hvm"
	echo "append = test=blk.seqbench,blk.randbench"
	echo "qemu = $(drive nvme) -device nvme,drive=nvme,serial=lbnvme0"
	echo "timeout = 300"
	echo "[ahci]"
	echo "machine = pc"
	echo "mem = 512"
	echo "initrd = ahci.hvm"
	echo "append = test=blk.seqbench,blk.randbench"
	echo "qemu = -device ich9-ahci,id=ahci0 $(drive ahci) -device ide-hd,drive=ahci,bus=ahci0.0"
	echo "timeout = 300"
	echo "[pvscsi]"
	echo "machine = pc"
	echo "mem = 512"
	echo "initrd = pvscsi.hvm"
	echo "append = test=blk.seqbench,blk.randbench"
	echo "qemu = -device pvscsi,id=pv0 $(drive pvscsi) -device scsi-hd,drive=pvscsi,bus=pv0.0,scsi-id=0"
	echo "timeout = 300"
	echo "[megasas]"
	echo "machine = pc"
	echo "mem = 512"
	echo "initrd = megasas.hvm"
	echo "append = test=blk.seqbench,blk.randbench"
	echo "qemu = -device megasas,id=ms0 $(drive megasas) -device scsi-hd,drive=megasas,bus=ms0.0,scsi-id=0"
	echo "timeout = 300"
	echo "[mptsas]"
	echo "machine = pc"
	echo "mem = 512"
	echo "initrd = mptsas.hvm"
	echo "append = test=blk.seqbench,blk.randbench"
	echo "qemu = -device mptsas1068,id=mp0 $(drive mptsas) -device scsi-hd,drive=mptsas,bus=mp0.0,scsi-id=0"
	echo "timeout = 300"
} > "$work/bench.cfg"
# scripts/bench-ceiling.sh takes the entries from here, so its probes run under exactly
# these flags: BENCH_DRIVERS_CFG=FILE writes the configuration there and stops.
if [ -n "${BENCH_DRIVERS_CFG:-}" ]; then
	cp "$work/bench.cfg" "$BENCH_DRIVERS_CFG"
	exit
fi

i=0
while [ "$i" -lt "$runs" ]; do
	# shellcheck disable=SC2086 # $only is a list of -t NAME words
	"$build/bin/hvktest" -c "$work/bench.cfg" $only --kernel "$build/hvkernel.elf" --modules "$build/modules" -v \
		> "$work/run$i.out" 2>&1 || echo "bench-drivers: run $i had failures (see below)" >&2
	i=$((i + 1))
done
sh "$(dirname "$0")/hvktest-medians.sh" device "$work"/run*.out
grep -h "^FAIL" "$work"/run*.out | sort | uniq -c
