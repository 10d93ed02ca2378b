#!/bin/sh
# The bootable media: build an ISO (GRUB for BIOS and UEFI, Multiboot 2) with hvkernel, the
# inbox modules and a compiled compatibility list, with hcl.policy=strict, and boot it under
# SeaBIOS (pc) and OVMF (q35): every module arrives through GRUB, the certified devices bind,
# and the strict policy lets the machine boot.
# usage: run.sh BUILD_DIR COUNTS_FILE
set -u
build=$1
counts=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/hviso.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
release=$(cat hvkernel/RELEASE)
# The inbox modules' own versions (their HV_MODULE lines), as `certify devices` reads them:
# the list certifies what this tree builds, whatever version a driver is at.
modver() { "$build/bin/certify" devices --modules-dir "$build/modules" 2>/dev/null |
	sed -n "s/.* $1\.hvm ($1 \([^)]*\)).*/\1/p" | head -n 1; }
vnet_ver=$(modver virtio-net)
ahci_ver=$(modver ahci)
[ -n "$vnet_ver" ] && [ -n "$ahci_ver" ] || { echo "FAIL $0: cannot read the inbox module versions"; echo "0 1 0" > "$counts"; exit 1; }

cat > "$work/list.json" <<JSON
{"schema_version":1,"generated":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","releases":["$release"],"entries":[
{"vid":"1af4","did":"1000","svid":"*","ssid":"*","vendor":"Red Hat, Inc.","model":"Virtio network device","type":"nic","releases":{"$release":{"driver":"virtio-net","driver_version":"$vnet_ver","firmware":null,"features":[],"certified":"2026-11-25","runs":["iso-test"],"status":"certified"}}},
{"vid":"8086","did":"2922","svid":"*","ssid":"*","vendor":"Intel Corporation","model":"ICH9 AHCI","type":"storage","releases":{"$release":{"driver":"ahci","driver_version":"$ahci_ver","firmware":null,"features":[],"certified":"2026-11-25","runs":["iso-test"],"status":"certified"}}}
]}
JSON
if ! "$build/bin/hcl" compile "$work/list.json" -o "$work/hcl.bin" > "$work/compile.log" 2>&1 ||
   ! sh scripts/mkiso.sh "$work/hvkit.iso" "$work/stage" "$build/hvkernel.elf" "$build/modules" \
	"hcl.policy=strict" "$work/hcl.bin" > "$work/mkiso.log" 2>&1; then
	echo "FAIL iso: cannot build the image"
	cat "$work/compile.log" "$work/mkiso.log"
	echo "0 1 0" > "$counts"
	exit 1
fi
echo "PASS iso: $(tail -n 1 "$work/mkiso.log")"
mods="ahci.hvm:loaded virtio-net.hvm:loaded e1000.hvm:skipped nvme.hvm:skipped virtio-blk.hvm:skipped edu.hvm:skipped"
cat > "$work/iso.cfg" <<CFG
[iso-seabios-pc]
machine = pc
cdrom = $work/hvkit.iso
qemu = -device virtio-net-pci,romfile=,addr=3 -netdev hubport,id=h,hubid=1 -device ich9-ahci,addr=4
modules = $mods
driver = 00:03.0:virtio-net 00:04.0:ahci
timeout = 120

[iso-ovmf-q35]
machine = q35
firmware = ovmf
cdrom = $work/hvkit.iso
qemu = -device virtio-net-pci,romfile=,addr=3
modules = $mods
driver = 00:03.0:virtio-net 00:1f.2:ahci
timeout = 240
CFG
"$build/bin/hvktest" -c "$work/iso.cfg" --kernel "$build/hvkernel.elf" --counts "$work/k.counts" -v
rc=$?
read -r p f s < "$work/k.counts" || { p=0; f=1; s=0; }
echo "$((p + 1)) $f $s" > "$counts"
exit "$rc"
