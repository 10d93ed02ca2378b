#!/bin/sh
# The Linux baseline for the devices ../shared/baselines/linux does not attach: Realtek
# RTL8139 (Linux's 8139cp: QEMU's rtl8139 is a C+ chip, which 8139too refuses), VMware
# vmxnet3, and one SCSI HBA with one scsi-hd: VMware PVSCSI (vmw_pvscsi) or, with
# LB_HBA=megasas, LSI MegaRAID SAS (megaraid_sas). It runs the shared baseline's own scripts
# (same kernel package, busybox, lbbench, workload, pc, TCG, -smp 1, -m 512) on a copy of
# them in which only the driver list, the device flags and the names in the table differ,
# so its numbers compare with scripts/bench-drivers.sh's rtl8139, vmxnet3 and pvscsi entries.
# Not part of make check: it needs the kernel package from Debian's mirror (apt-get download).
# usage: linux-baseline-extra.sh [bench.py options, e.g. --runs 3 --accel tcg]
#   LB_SRC  the shared baseline folder (default ../shared/baselines/linux)
#   LB_OUT  where it builds and logs (default /tmp/linux-baseline-extra-$LB_HBA)
#   LB_HBA  pvscsi (default) or megasas
set -eu
hba=${LB_HBA:-pvscsi}
case $hba in
pvscsi) hbamod=vmw_pvscsi ;;
megasas) hbamod=megaraid_sas ;;
*) echo "linux-baseline-extra: LB_HBA=$hba: expected pvscsi or megasas" >&2; exit 2 ;;
esac
src=${LB_SRC:-$(cd "$(dirname "$0")/.." && pwd)/../shared/baselines/linux}
[ -f "$src/bench.py" ] || { echo "linux-baseline-extra: $src: no baseline scripts there (set LB_SRC)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/lbextra.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cp "$src"/*.sh "$src"/*.py "$src"/*.c "$work/"
python3 - "$work" "$hba" "$hbamod" <<'PY'
import sys
w, hba, hbamod = sys.argv[1], sys.argv[2], sys.argv[3]
def edit(name, pairs):
    p = f"{w}/{name}"
    s = open(p).read()
    for a, b in pairs:
        if a not in s:
            sys.exit(f"linux-baseline-extra: {name}: the shared script changed, cannot find: {a[:60]!r}")
        s = s.replace(a, b)
    open(p, "w").write(s)
edit("build.sh", [
    ('want = ["virtio_pci", "virtio_blk", "virtio_net", "e1000", "nvme", "ahci", "sd_mod"]',
     f'want = ["{hbamod}", "sd_mod", "8139cp", "vmxnet3"]'),
    ("for d in vblk nvme ahci; do", f"for d in {hba}; do")])
edit("init.sh", [
    ("E1A=52:54:00:00:01:01 E1B=52:54:00:00:01:02 VNA=52:54:00:00:02:01 VNB=52:54:00:00:02:02",
     "E1A=52:54:00:00:03:01 E1B=52:54:00:00:03:02 VNA=52:54:00:00:04:01 VNB=52:54:00:00:04:02"),
    ("if [ -e /sys/block/vda ] && [ -e /sys/block/nvme0n1 ] && [ -e /sys/block/sda ] &&\n"
     "\t   [ -e /dev/vda ] && [ -e /dev/nvme0n1 ] && [ -e /dev/sda ] &&",
     "if [ -e /sys/block/sda ] && [ -e /dev/sda ] &&"),
    ("for d in virtio-blk:/dev/vda nvme:/dev/nvme0n1 ahci:/dev/sda; do", f"for d in {hba}:/dev/sda; do"),
    ("netpair e1000 $E1A $E1B\nnetpair virtio-net $VNA $VNB",
     "netpair rtl8139 $E1A $E1B\nnetpair vmxnet3 $VNA $VNB")])
edit("bench.py", [
    ('''*drv("vblk.img", "dvb"), "-device", "virtio-blk-pci,drive=dvb",
             *drv("nvme.img", "dnv"), "-device", "nvme,drive=dnv,serial=lbnvme0",
             "-device", "ich9-ahci,id=ahci0",
             *drv("ahci.img", "dsa"), "-device", "ide-hd,drive=dsa,bus=ahci0.0"]''',
     f'''"-device", "{hba},id=hba0",
             *drv("{hba}.img", "dhb"), "-device", "scsi-hd,drive=dhb,bus=hba0.0"]'''),
    ('("ea", 1, "e1000", "52:54:00:00:01:01")', '("ea", 1, "rtl8139", "52:54:00:00:03:01")'),
    ('("eb", 1, "e1000", "52:54:00:00:01:02")', '("eb", 1, "rtl8139", "52:54:00:00:03:02")'),
    ('("va", 2, "virtio-net-pci", "52:54:00:00:02:01")', '("va", 2, "vmxnet3", "52:54:00:00:04:01")'),
    ('("vb", 2, "virtio-net-pci", "52:54:00:00:02:02")', '("vb", 2, "vmxnet3", "52:54:00:00:04:02")'),
    ('for m in ("virtio_pci", "virtio_blk", "virtio_net", "e1000", "nvme", "ahci", "sd_mod"):',
     f'for m in ("{hbamod}", "sd_mod", "8139cp", "vmxnet3"):'),
    ('for dev in ("virtio-blk", "nvme", "ahci"):', f'for dev in ("{hba}",):'),
    ('for nic in ("e1000", "virtio-net"):', 'for nic in ("rtl8139", "vmxnet3"):')])
PY
chmod +x "$work"/*.sh "$work"/*.py
LB_OUT=${LB_OUT:-/tmp/linux-baseline-extra-$hba} "$work/run.sh" "$@"
