#!/bin/sh
# certify's VFIO target (docs/certify.md, "VFIO target") against fake sysfs trees (this
# machine has no IOMMU and no spare card): every refusal with its one-line message, the
# success path up to QEMU's command line (a stand-in QEMU records its arguments and exits),
# and --bind's writes and their undoing.
set -u
. "$(dirname "$0")/lib.sh"

# fn ROOT ADDR VID DID CLASS DRIVER [GROUP]: a function in the fake tree, in IOMMU group GROUP
# (none: no group link), bound to DRIVER ("-": none). Its config space has an MSI-X
# capability at 0x40, MSI at 0x50 and interrupt pin A.
fn() {
	root=$1 addr=$2
	d="$root/bus/pci/devices/$addr"
	mkdir -p "$d" "$root/bus/pci/drivers/$6"
	echo "0x$3" > "$d/vendor"
	echo "0x$4" > "$d/device"
	echo "0x$5" > "$d/class"
	printf '\206\200\323\020\000\000\020\000' > "$d/config"	# IDs, status: capability list
	head -c 44 /dev/zero >> "$d/config"
	printf '\100\000\000\000\000\000\000\000\000\001\000\000' >> "$d/config"	# 0x34 = 0x40, pin 1
	printf '\021\120\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >> "$d/config"	# MSI-X
	printf '\005\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >> "$d/config"	# MSI
	head -c 160 /dev/zero >> "$d/config"
	[ "$6" = - ] || ln -s "../../../../bus/pci/drivers/$6" "$d/driver"
	if [ "${7:-none}" != none ]; then
		mkdir -p "$root/kernel/iommu_groups/$7/devices"
		ln -s "../../../../kernel/iommu_groups/$7" "$d/iommu_group"
		ln -s "../../../../bus/pci/devices/$addr" "$root/kernel/iommu_groups/$7/devices/$addr"
	fi
}

# A stand-in QEMU: records its arguments, answers --version, and exits 1 for a boot.
cat > "$T/qemu" <<'SH'
#!/bin/sh
[ "$1" = --version ] && { echo "QEMU emulator version 7.2.22 (stand-in)"; exit 0; }
echo "$@" >> "$QEMU_ARGS"
echo "qemu: stand-in, no device" >&2
exit 1
SH
chmod +x "$T/qemu"
export QEMU_ARGS="$T/qemu.args" CERTIFY_QEMU="$T/qemu"

S="$T/ok"	# a card alone in group 7 on vfio-pci: the success path
fn "$S" 0000:01:00.0 8086 10d3 020000 vfio-pci 7
vrun() { "$CERTIFY" run --plan nic --accel kvm "$@"; }

expect "vfio: a malformed address" 2 "$CERTIFY" run --host-device 01:00.0 --sysfs-root "$S"
has "vfio: a malformed address: message" "$T/err" "^certify: --host-device 01:00.0: expected DOMAIN:BUS:DEV.FN in hex, e.g. 0000:01:00.0$"
expect "vfio: no such function" 2 "$CERTIFY" run --host-device 0000:02:00.0 --sysfs-root "$S"
has "vfio: no such function: message" "$T/err" "^certify: --host-device 0000:02:00.0: no such PCI function \(.*/bus/pci/devices/0000:02:00.0: No such file or directory\)$"
N="$T/nogroup"
fn "$N" 0000:01:00.0 8086 10d3 020000 vfio-pci none
expect "vfio: no IOMMU group" 2 "$CERTIFY" run --host-device 0000:01:00.0 --sysfs-root "$N"
has "vfio: no IOMMU group: message" "$T/err" "^certify: --host-device 0000:01:00.0: no IOMMU group \(.*iommu_group missing\): the host's IOMMU is off"
G="$T/shared"	# its sibling function in the group is still on its NIC driver
fn "$G" 0000:03:00.0 8086 10d3 020000 vfio-pci 9
fn "$G" 0000:03:00.1 8086 10d3 020000 e1000e 9
fn "$G" 0000:00:1c.0 8086 2948 060400 pcieport 9
expect "vfio: a group function on another driver" 2 "$CERTIFY" run --host-device 0000:03:00.0 --sysfs-root "$G"
has "vfio: a group function on another driver: message" "$T/err" "^certify: --host-device 0000:03:00.0: IOMMU group 9 has 0000:03:00.1 bound to e1000e, not vfio-pci \(every function of the group must be; --bind does it"
U="$T/unbound"
fn "$U" 0000:04:00.0 8086 10d3 020000 - 5
expect "vfio: an unbound function" 2 "$CERTIFY" run --host-device 0000:04:00.0 --sysfs-root "$U"
has "vfio: an unbound function: message" "$T/err" "IOMMU group 5 has 0000:04:00.0 bound to no driver, not vfio-pci"
B="$T/badid"
fn "$B" 0000:05:00.0 8086 10d3 020000 vfio-pci 6
echo "garbage" > "$B/bus/pci/devices/0000:05:00.0/device"
expect "vfio: an unreadable ID" 2 "$CERTIFY" run --host-device 0000:05:00.0 --sysfs-root "$B"
has "vfio: an unreadable ID: message" "$T/err" "/bus/pci/devices/0000:05:00.0/device holds 'garbage', not a hex number up to 0xffff$"
expect "vfio: --accel tcg" 2 "$CERTIFY" run --host-device 0000:01:00.0 --sysfs-root "$S" --accel tcg
has "vfio: --accel tcg: message" "$T/err" "^certify: --accel tcg: vfio-pci needs KVM$"
expect "vfio: --bind without --host-device" 2 "$CERTIFY" run --device e1000e --bind
has "vfio: --bind without --host-device: message" "$T/err" "^certify: --bind: only with --host-device$"
expect "vfio: submit refuses a host device" 2 "$CERTIFY" submit --host-device 0000:01:00.0 --sysfs-root "$S"
has "vfio: submit refuses a host device: message" "$T/err" "^certify: submit --host-device: "
n=$(q 'select count(*) from runs' 2>/dev/null || echo 0)
if [ "$n" = 0 ]; then ok "vfio: refusals stored nothing"; else bad "vfio: refusals stored nothing" "$n runs"; fi

kvm=$( [ -r /dev/kvm ] && [ -w /dev/kvm ] && echo yes)
if [ -z "$kvm" ]; then
	# vfio-pci needs KVM: without a usable /dev/kvm a host-device run is refused before
	# anything else, with one line; the checks below need a run that gets further.
	expect "vfio: no usable /dev/kvm refuses the run" 2 "$CERTIFY" run --host-device 0000:01:00.0 --sysfs-root "$S" \
		--plan nic-quick --plans tests/certify/plans
	has "vfio: no usable /dev/kvm: message" "$T/err" "^certify: --accel kvm: KVM unusable: /dev/kvm: "
	for what in "the function's IDs from sysfs" "QEMU's command line" "the stand-in QEMU's failure" \
		    "interrupt modes from config space" "a function with every interrupt mode"; do
		echo "SKIP vfio: $what (no usable /dev/kvm: the run is refused before it)"
	done
else
	# The success path: the IDs from sysfs pick the module and are the device, QEMU gets the
	# function under KVM; the stand-in QEMU cannot boot it, so the run is an error.
	if ! "$CERTIFY" run --host-device 0000:01:00.0 --sysfs-root "$S" --plan nic-quick --plans tests/certify/plans \
		> "$T/ok.out" 2> "$T/ok.err"; then :; fi
	if grep -q "^device:  vfio-pci,host=0000:01:00.0 (8086:10d3, nic)$" "$T/ok.out" &&
	   grep -q "^module:  .*/e1000.hvm e1000 " "$T/ok.out" && grep -q "^iommu:   group 7: 0000:01:00.0 (vfio-pci)$" "$T/ok.out"; then
		ok "vfio: the function's IDs from sysfs are the device, its module found by them"
	else
		bad "vfio: the device from sysfs" "$(head -c 400 "$T/ok.out") $(head -c 300 "$T/ok.err")"
	fi
	if grep -q -- "-accel kvm .*-device vfio-pci,host=0000:01:00.0,id=host0\( \|$\)" "$QEMU_ARGS" &&
	     ! grep -q -- "-netdev hubport\|-device e1000e\|-drive " "$QEMU_ARGS"; then
		ok "vfio: QEMU gets -accel kvm and -device vfio-pci,host=0000:01:00.0,id=host0, no model of its own"
	else
		bad "vfio: QEMU's command line" "$(head -c 600 "$QEMU_ARGS" 2>/dev/null)"
	fi
	if grep -q "^ERROR  .*QEMU failed: qemu: stand-in, no device" "$T/ok.out"; then
		ok "vfio: the stand-in QEMU's failure is the run's error"
	else
		bad "vfio: the stand-in QEMU's failure" "$(grep -E '^(PASS|FAIL|ERROR) ' "$T/ok.out")"
	fi

	# The interrupt modes are the function's capabilities: one with none (no capability list, no
	# interrupt pin) makes the plan's MSI-X, MSI and INTx configurations not applicable.
	C="$T/nocaps"
	fn "$C" 0000:06:00.0 8086 10d3 020000 vfio-pci 8
	head -c 256 /dev/zero > "$C/bus/pci/devices/0000:06:00.0/config"
	"$CERTIFY" run --host-device 0000:06:00.0 --sysfs-root "$C" > "$T/caps.out" 2> "$T/caps.err"
	if [ "$(grep -c '^N/A    .*: the device under test has no msix$' "$T/caps.out")" -ge 1 ] &&
	   [ "$(grep -c '^N/A    .*: the device under test has no intx$' "$T/caps.out")" -ge 1 ] &&
	   [ "$(grep -c '^N/A    .*-msix-.*-kvm\|^N/A    .*-intx-.*-kvm' "$T/caps.out")" -ge 2 ] &&
	   ! grep -q '^[A-Z/]* *[a-z0-9]*-\(msix\|msi\|intx\)-[a-z0-9]*-kvm (' "$T/caps.out"; then
		ok "vfio: MSI-X, MSI and INTx read from config space: none there, none run"
	else
		bad "vfio: interrupt modes from config space" "$(grep -E '^(N/A|ERROR|PASS|FAIL) ' "$T/caps.out" | head -c 400)"
	fi
	# and the first function's (MSI-X, MSI, pin A): its MSI-X configurations ran, none is not applicable
	"$CERTIFY" run --host-device 0000:01:00.0 --sysfs-root "$S" > "$T/caps2.out" 2> "$T/caps2.err"
	if ! grep -q '^N/A ' "$T/caps2.out" && grep -q '^ERROR  pc-msix-smp1-kvm ' "$T/caps2.out"; then
		ok "vfio: a function with MSI-X, MSI and a pin runs every interrupt mode"
	else
		bad "vfio: a function with every interrupt mode" "$(grep -E '^(N/A|ERROR|PASS|FAIL) ' "$T/caps2.out" | head -c 400)"
	fi
fi

# --bind on the shared group: the NIC sibling goes to vfio-pci through driver_override, and
# back to e1000e after the run; a fake tree does not rebind, so the check after --bind refuses.
expect "vfio: --bind that did not take" 2 "$CERTIFY" run --host-device 0000:03:00.0 --sysfs-root "$G" --bind --plan nic-quick --plans tests/certify/plans
has "vfio: --bind that did not take: message" "$T/err" "^certify: --host-device 0000:03:00.0: after --bind: IOMMU group 9 has 0000:03:00.1 bound to e1000e, not vfio-pci"
d="$G/bus/pci/devices/0000:03:00.1"
if [ "$(cat "$G/bus/pci/drivers/e1000e/unbind")" = 0000:03:00.1 ] &&
   [ "$(cat "$G/bus/pci/drivers_probe")" = 0000:03:00.1 ] &&
   [ "$(cat "$G/bus/pci/drivers/e1000e/bind")" = 0000:03:00.1 ] &&
   [ "$(cat "$d/driver_override")" = "" ] && [ ! -e "$G/bus/pci/drivers/pcieport/unbind" ] &&
   [ ! -e "$G/bus/pci/devices/0000:03:00.0/driver_override" ]; then
	ok "vfio: --bind unbound 0000:03:00.1 from e1000e, probed it for vfio-pci, and gave it back (bridge and vfio function untouched)"
else
	bad "vfio: --bind's writes" "$(grep -r . "$G/bus/pci/drivers_probe" "$G/bus/pci/drivers/e1000e" "$d/driver_override" 2>&1 | head -c 400)"
fi
exit "$failed"
