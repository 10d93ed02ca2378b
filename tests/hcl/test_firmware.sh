# Firmware and the certified build (docs/hcl.md, "Firmware and the certified build"): an
# admin's JSON inventory and an hvkernel boot log carry both and are compared with the
# list's rule (exact, minimum, any) and module sha256; lspci carries neither.
F=$FIX/fw-list.json

expect "fw: admin inventory" 0 "$HCL" check --inventory "$FIX/fw-admin.inventory.json" --hcl "$F" --insecure
has "fw: uncertified firmware said" "^ +firmware 0.9-1 is NOT certified: the list certifies exactly 0.0-0$"
has "fw: an older driver version said" "^ +driver e1000 0.9 is not the certified e1000 1.0$"
"$HCL" check --inventory "$FIX/fw-admin.inventory.json" --hcl "$F" --insecure --json > "$W/fw.json" 2>/dev/null &&
	ok "fw: admin inventory json" || bad "fw: admin inventory json: exit $?"
n=$(jq -r '[.devices[] | "\(.slot)=\(.firmware_status)/\(.build_status)"] | join(" ")' "$W/fw.json" 2>/dev/null)
[ "$n" = "0000:00:03.0=uncertified/certified 0000:00:04.0=ok/certified 0000:00:05.0=ok/uncertified 0000:00:1f.2=any/unknown" ] &&
	ok "fw: per device firmware and build status" || bad "fw: per device status: '$n'"

expect "fw: boot log" 0 "$HCL" check --inventory "$FIX/fw-q35.hvkernel.log" --hcl "$F" --insecure
has "fw: module sha256 mismatch" "^ +module sha256 0a6a2fe34dd4\.\.\. is not the certified build 6102c32942ac\.\.\.$"
has "fw: below the minimum" "^ +firmware 7.1.9 is NOT certified: the list certifies at least 7.2$"
hasnt "fw: ahci with any firmware has no note" "HVF0"

expect "fw: lspci" 0 "$HCL" check --inventory "$FIX/fw-q35.lspci-nn" --hcl "$F" --insecure
has "fw: lspci firmware unknown" "^ +firmware unknown: the input does not say \(lspci never does, a boot log only for a bound device; the list certifies exactly 0.0-0\)$"

# Bad input: one line naming the file, the line and what is wrong.
sed 's/firmware "7.1.9"/firmware 7.1.9/' "$FIX/fw-q35.hvkernel.log" > "$W/badbuild.log"
expect "fw: malformed build line" 2 "$HCL" check --inventory "$W/badbuild.log" --hcl "$F" --insecure
has "fw: malformed build line named" "badbuild.log:7: malformed hvkernel build line"
sed 's/"firmware": "0.9-1"/"firmware": ""/' "$FIX/fw-admin.inventory.json" > "$W/badfw.json"
expect "fw: empty firmware" 2 "$HCL" check --inventory "$W/badfw.json" --hcl "$F" --insecure
has "fw: empty firmware named" "badfw.json:4: devices\[0\]\.firmware: expected a firmware revision of 1 to 31 bytes, or null"
sed 's/"firmware_match":"minimum"/"firmware_match":"newest"/' "$F" > "$W/badmatch.json"
expect "fw: bad firmware_match" 2 "$HCL" validate "$W/badmatch.json"
has "fw: bad firmware_match named" "firmware_match: expected exact, minimum or any"
sed 's/"firmware":"2.1-0",/"firmware":null,"firmware_match":"exact",/' "$F" > "$W/nofw.json"
expect "fw: exact without a firmware" 2 "$HCL" validate "$W/nofw.json"
has "fw: exact without a firmware named" "firmware_match \"exact\" names no firmware"
sed 's/"module_sha256":"6102c/"module_sha256":"X102c/' "$F" > "$W/badsha.json"
expect "fw: bad module_sha256" 2 "$HCL" validate "$W/badsha.json"
has "fw: bad module_sha256 named" "module_sha256: expected the module's sha256: 64 lower-case hex digits"

# The list travels: the rule and the build survive export's writer, signing and hcl.bin.
expect "fw: compile" 0 "$HCL" compile "$F" -o "$W/fw.bin"
expect "fw: boot log against hcl.bin" 0 "$HCL" check --inventory "$FIX/fw-q35.hvkernel.log" --hcl "$W/fw.bin" --insecure
has "fw: hcl.bin keeps the sha256" "module sha256 0a6a2fe34dd4\.\.\. is not the certified build 6102c32942ac\.\.\."
has "fw: hcl.bin keeps the minimum" "firmware 7.1.9 is NOT certified: the list certifies at least 7.2"
