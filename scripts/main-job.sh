#!/bin/sh
# The main job (make run): boot hvkernel with a set of emulated NICs and disks and show what
# it found; certify every inbox driver on its QEMU device; export the compatibility list from
# the store and sign it; write the HCL web page; check this machine against the list.
# Everything lands in OUT (default build/run): cert.db, hcl.json, hcl.signed.json, the key
# pair, site/, reports/.
# usage: main-job.sh BUILD_DIR [OUT]
#
# The soak at the end of each configuration lasts 3 s here (--soak 3; a lab keeps the plans'
# 60 s). Certification runs under TCG: QEMU's SVM and the suites' timing need no KVM, and the KVM
# on this kind of machine is a nested, software-paging one on which each boot takes minutes.
# `certify run --accel kvm` certifies under KVM where it is fast.
set -u
build=$1
out=${2:-$build/run}
bin=$build/bin
mkdir -p "$out/reports"
db=$out/cert.db
step() { printf '\n== %s\n' "$*"; }

step "1. hvkernel boots with emulated NICs and disks and every inbox driver module"
"$bin/hvboot" --kernel "$build/hvkernel.elf" \
	--initrd "$(ls "$build"/modules/*.hvm | tr '\n' ',' | sed 's/,$//')" || exit 1

step "2. certify every inbox driver on its QEMU device (TCG; plans in plans/)"
failed=0
for dev in e1000 e1000e rtl8139 virtio-net-pci virtio-net-pci-non-transitional vmxnet3 nvme ich9-ahci \
	virtio-blk-pci virtio-blk-pci-non-transitional pvscsi megasas; do
	"$bin/certify" run --device "$dev" --accel tcg --jobs 2 --soak 3 --db "$db" \
		--html "$out/reports/$dev.html" --junit "$out/reports/$dev.xml" > "$out/reports/$dev.txt" 2>&1
	rc=$?
	printf '%-16s %s\n' "$dev" "$(grep -m 1 "^verdict:" "$out/reports/$dev.txt" || tail -n 1 "$out/reports/$dev.txt")"
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
done

step "3. export the compatibility list from the store (its own runs: --local, a preview) and sign it"
[ -r "$out/key" ] || "$bin/hcl" keygen -o "$out/key" || exit 1
"$bin/hcl" export --local --db "$db" -o "$out/hcl.json" || exit 1
"$bin/hcl" sign "$out/hcl.json" --key "$out/key" -o "$out/hcl.signed.json" || exit 1
"$bin/hcl" compile "$out/hcl.signed.json" --pubkey "$out/key.pub" -o "$out/hcl.bin" || exit 1

step "4. the HCL web page"
"$bin/hcl" site -o "$out/site" --hcl "$out/hcl.signed.json" --pubkey "$out/key.pub" || exit 1
echo "open $out/site/index.html"

step "5. is this machine supported? (libpci)"
"$bin/hcl" check --hcl "$out/hcl.signed.json" --pubkey "$out/key.pub"
rc=$?
echo
echo "store: $db; list: $out/hcl.signed.json (key $out/key.pub); reports: $out/reports/"
[ "$failed" -eq 0 ] || echo "$failed certification(s) did not pass: see $out/reports/*.txt"
# hcl check's exit says whether this machine can boot hvkernel; the job itself worked.
[ "$rc" -le 1 ] && [ "$failed" -eq 0 ]
