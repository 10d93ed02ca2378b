#!/bin/sh
# certify's VM plan: a NIC and an HBA certify only if a guest's traffic through the
# hypervisor passes too (to the host peer and back; a virtual disk on the device, checked
# by certify in the image file). A driver that drops received frames fails it on
# vmm.uplink; one that misplaces blocks fails on the image check.
set -u
. "$(dirname "$0")/lib.sh"
mods=${MODULES_DIR:-build/modules}

"$CERTIFY" run --plan vm --device e1000 --device nvme --accel tcg --json > "$T/vm.json" 2> "$T/vm.err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(jq -r '.run.verdict' "$T/vm.json")" = pass ] &&
   [ "$(jq '[.configurations[].tests[] | select(.status == "pass")] | length' "$T/vm.json")" -ge 4 ]; then
	ok "vm plan: e1000 and nvme pass with VM traffic"
else
	bad "vm plan: e1000 and nvme" "exit $rc: $(tail -n 2 "$T/vm.err")"
fi
# Both host checks ran and agreed in every configuration that ran.
n=$(jq '[.configurations[] | select(.verdict == "pass")] | length' "$T/vm.json")
for c in peer.frames image.verify; do
	k=$(jq --arg c "$c" '[.configurations[].hostchecks[] | select(.name == $c and .ran and .ok)] | length' \
		"$T/vm.json")
	if [ "$n" -gt 0 ] && [ "$k" = "$n" ]; then ok "vm plan: host check $c ran and agreed in $n configurations"
	else bad "vm plan: host check $c" "ok in $k of $n passing configurations"; fi
done
"$CERTIFY" run --plan vm --device e1000 --device nvme --module "$mods/defect/drop-rx/e1000.hvm" \
	--module "$mods/nvme.hvm" --accel tcg --json > "$T/bad.json" 2> "$T/bad.err"
rc=$?
if [ "$rc" -eq 1 ] && jq -r '.configurations[].tests[] | select(.status == "fail") | .name' "$T/bad.json" |
   grep -qx uplink; then
	ok "vm plan: a NIC driver that drops frames fails on vmm.uplink"
else
	bad "vm plan: the defective driver" "exit $rc: $(tail -n 2 "$T/bad.err")"
fi
# An HBA driver that shifts every block 8 further on, reads included: the guest and the
# read-back through the driver see their own data, only the image shows it in the wrong place.
"$CERTIFY" run --plan vm --device e1000 --device nvme --module "$mods/e1000.hvm" \
	--module "$mods/defect/shift-lba/nvme.hvm" --accel tcg --json > "$T/shift.json" 2> "$T/shift.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "host check image.verify: 256 of 256 blocks wrong" "$T/shift.json" &&
   [ "$(jq '[.configurations[].tests[] | select(.name == "vblk" and .status == "pass")] | length' "$T/shift.json")" -ge 1 ]; then
	ok "vm plan: an HBA driver that misplaces blocks passes vmm.vblk in the kernel, fails the image check"
else
	bad "vm plan: the misplacing HBA driver" "exit $rc: $(tail -n 2 "$T/shift.err")"
fi
exit "$failed"
