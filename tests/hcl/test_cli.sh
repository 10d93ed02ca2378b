# hcl keygen/sign/verify/validate/check/compile on the fixtures (sourced by run.sh).
L=$FIX/hcl.json
expect "version" 0 "$HCL" --version
has "version names the release" "hvkernel [0-9]"
expect "help" 0 "$HCL" --help
expect "unknown command" 2 "$HCL" frobnicate

expect "keygen" 0 "$HCL" keygen -o "$W/key"
if [ "$(stat -c %a "$W/key")" = 600 ] && [ -r "$W/key.pub" ]; then ok "secret key is 0600"; else bad "secret key is 0600"; fi
expect "keygen of a second key" 0 "$HCL" keygen -o "$W/other"
expect "validate fixture" 0 "$HCL" validate "$L"
expect "sign" 0 "$HCL" sign "$L" --key "$W/key" -o "$W/s.json"
expect "verify good" 0 "$HCL" verify "$W/s.json" --pubkey "$W/key.pub"
has "verify prints the age" "list generated 2026-11-20, [0-9]+ days? old"
expect "verify with another key" 1 "$HCL" verify "$W/s.json" --pubkey "$W/other.pub"
has "names both keys" "signed with key [0-9a-f]{16}, but"
sed 's/"driver":"e1000","driver_version":"1.0.0"/"driver":"e1000","driver_version":"6.6.6"/' "$W/s.json" > "$W/tampered.json"
if cmp -s "$W/s.json" "$W/tampered.json"; then bad "tamper fixture differs"; else ok "tamper fixture differs"; fi
expect "verify tampered" 1 "$HCL" verify "$W/tampered.json" --pubkey "$W/key.pub"
has "bad signature message" "bad signature"
expect "check refuses tampered" 2 "$HCL" check --inventory "$FIX/r640.lspci-vvnn" --hcl "$W/tampered.json" --pubkey "$W/key.pub"
# A signed list is recognised by parsing: re-serialised by other tools it still verifies;
# its signature covers the canonical form (RFC 8785), here computed by jq independently.
jq . "$W/s.json" > "$W/pretty.json"
expect "pretty-printed signed list verifies" 0 "$HCL" verify "$W/pretty.json" --pubkey "$W/key.pub"
jq -S . "$W/s.json" > "$W/sorted.json"
expect "signed list with sorted members verifies" 0 "$HCL" verify "$W/sorted.json" --pubkey "$W/key.pub"
has "digest printed" "covers SHA-256 [0-9a-f]{64} of the canonical list"
want=$(jq -cjS .payload "$W/s.json" | sha256sum | cut -d' ' -f1)
has "the digest is SHA-256 of the canonical JSON (jq -cS)" "covers SHA-256 $want "
jq '.payload.entries |= [.[1], .[0]] + .[2:]' "$W/s.json" > "$W/reordered.json"
expect "entries in another order: another list" 1 "$HCL" verify "$W/reordered.json" --pubkey "$W/key.pub"
jq '.payload.entries[0].model = "Other"' "$W/pretty.json" > "$W/changed.json"
expect "a changed name in a re-serialised list" 1 "$HCL" verify "$W/changed.json" --pubkey "$W/key.pub"
has "changed content: bad signature" "bad signature: the list was changed"
expect "check takes the pretty-printed list" 0 "$HCL" check --inventory "$FIX/r640.lspci-vvnn" --hcl "$W/pretty.json" --pubkey "$W/key.pub"
# Lists and hcl.bin files signed by the tool before hcl-signed-v2 still verify.
expect "legacy hcl-signed-v1 list" 0 "$HCL" verify "$FIX/legacy-v1.signed.json" --pubkey "$FIX/legacy-v1.pub"
expect "legacy hcl.bin trailer" 0 "$HCL" verify "$FIX/legacy-v1.bin" --pubkey "$FIX/legacy-v1.pub"
sed 's/e1000\\",\\"driver_version\\":\\"1.0.0/e1000\\",\\"driver_version\\":\\"6.6.6/' "$FIX/legacy-v1.signed.json" > "$W/legacy-t.json"
if cmp -s "$FIX/legacy-v1.signed.json" "$W/legacy-t.json"; then bad "legacy tamper fixture differs"; else ok "legacy tamper fixture differs"; fi
expect "tampered legacy list" 1 "$HCL" verify "$W/legacy-t.json" --pubkey "$FIX/legacy-v1.pub"
expect "check refuses unsigned" 2 "$HCL" check --inventory "$FIX/r640.lspci-vvnn" --hcl "$L" --pubkey "$W/key.pub"
has "unsigned message" "not signed; refusing"
expect "check signed without key" 2 "$HCL" check --inventory "$FIX/r640.lspci-vvnn" --hcl "$W/s.json"
expect "check --insecure takes unsigned" 0 "$HCL" check --inventory "$FIX/r640.lspci-vvnn" --hcl "$L" --insecure

# Every inventory format of the same R640 gives the same answer.
for f in r640.lspci-vvnn r640.lspci-vmmnn r640.inventory.json; do
	expect "check $f bootable" 0 "$HCL" check --inventory "$FIX/$f" --hcl "$W/s.json" --pubkey "$W/key.pub"
	has "$f: X710 by subsystem" "3b:00.0 .*certified +i40e 0.3.0"
	has "$f: PERC other subsystem" "certified only with other subsystem IDs"
	has "$f: BCM5720 only 0.0.9" "certified for 0.0.9"
	has "$f: SMBus ignored" "00:1f.4 .*ignored"
	has "$f: VGA no driver" "02:00.0 .*no-driver"
	has "$f: list age printed" "list generated 2026-11-20"
done
expect "lspci -nn lacks subsystems" 1 "$HCL" check --inventory "$FIX/r640.lspci-nn" --hcl "$W/s.json" --pubkey "$W/key.pub"
has "says which lspci to use" "use lspci -vvnn or -vmmnn"
expect "R640 on 0.0.9" 1 "$HCL" check --inventory "$FIX/r640.lspci-vvnn" --hcl "$W/s.json" --pubkey "$W/key.pub" --release 0.0.9
has "no storage on 0.0.9" "NOT bootable on hvkernel 0.0.9: no certified storage controller"
expect "unknown release" 2 "$HCL" check --inventory "$FIX/r640.lspci-vvnn" --hcl "$W/s.json" --pubkey "$W/key.pub" --release 9.9
has "lists the releases" "has: 0.0.9, 0.1.0"
expect "hvkernel boot log" 0 "$HCL" check --inventory "$FIX/q35-e1000.hvkernel.log" --hcl "$W/s.json" --pubkey "$W/key.pub"
has "boot log e1000" "00:02.0 .*certified +e1000 1.0.0"
expect "lspci -x dump, revoked subsystem" 1 "$HCL" check --inventory "$FIX/q35-supermicro.lspci-x" --hcl "$W/s.json" --pubkey "$W/key.pub"
has "revoked beats the generic entry" "00:02.0 .*not-certified.*|certification revoked"
has "dump in slot order" "00:00.0"
expect "json report" 0 "$HCL" check --inventory "$FIX/r640.lspci-vmmnn" --hcl "$W/s.json" --pubkey "$W/key.pub" --json
has "json bootable" '"bootable": true'
has "json signed" '"signed": true'
has "json status" '"status": "not-certified"'

# Bad inputs: one line naming the file and the problem.
printf '00:00.0 Host bridge [0600]: Intel Corporation Device [8086:2020]\ngarbage here\n' > "$W/bad.nn"
expect "bad inventory" 2 "$HCL" check --inventory "$W/bad.nn" --hcl "$L" --insecure
has "line number" 'bad.nn:2: not part of lspci -nn output: "garbage here"'
printf 'Slot:\t00:01.0\nClass:\tEthernet controller\nVendor:\tIntel Corporation\n' > "$W/bad.vmm"
expect "vmm without IDs" 2 "$HCL" check --inventory "$W/bad.vmm" --hcl "$L" --insecure
has "vmm line" "bad.vmm:2: Class: without a numeric ID: this is lspci -vmm output without -nn; run lspci -vmmnn"
expect "missing inventory" 2 "$HCL" check --inventory "$W/nope" --hcl "$L" --insecure
has "names the file" "nope: No such file"
sed 's/"driver":"e1000e",/"drivr":"e1000e",/' "$L" > "$W/badkey.json"
expect "unknown key" 2 "$HCL" validate "$W/badkey.json"
has "path of the unknown key" 'badkey.json:[0-9]+: entries\[1\]\.releases\["0\.1\.0"\]: unknown key "drivr"'
sed 's/"driver":"ahci","driver_version":"1.0.0","firmware":null,"features":\["ncq","msi"\]/"driver_version":"1.0.0","firmware":null,"features":["ncq","msi"]/' "$L" > "$W/missing.json"
expect "missing key" 2 "$HCL" validate "$W/missing.json"
has "path of the missing key" 'missing.json:[0-9]+: entries\[8\]\.releases\["0\.1\.0"\]: missing "driver"'
sed 's/"svid":"15d9","ssid":"0000"/"svid":"*","ssid":"0000"/' "$L" > "$W/wild.json"
expect "ssid without svid" 2 "$HCL" validate "$W/wild.json"
# A coverage that passed nothing is no certification: the tool and the schema refuse it.
sed 's/"passed":\["pc-msix-smp1-tcg","q35-msix-smp1-tcg"\]/"passed":[]/' "$L" > "$W/nocov.json"
expect "coverage without a passed configuration" 2 "$HCL" validate "$W/nocov.json"
has "names the empty coverage" 'coverage.passed: empty'
sed 's/2026-11-20T09:00:00Z/2025-01-02T00:00:00Z/' "$L" > "$W/old.json"
expect "stale list still checks" 0 "$HCL" check --inventory "$FIX/r640.lspci-vvnn" --hcl "$W/old.json" --insecure
has "stale warning" "warning: the list is older than 90 days"

# hcl.bin: the kernel's table, signed; check gives the same answer from it.
expect "compile" 0 "$HCL" compile "$W/s.json" --pubkey "$W/key.pub" --key "$W/key" -o "$W/hcl.bin"
has "compile summary" "13 records, 2 releases, [0-9]+ bytes, signed"
expect "verify hcl.bin" 0 "$HCL" verify "$W/hcl.bin" --pubkey "$W/key.pub"
"$HCL" check --inventory "$FIX/r640.lspci-vvnn" --hcl "$W/s.json" --pubkey "$W/key.pub" --json 2>/dev/null | grep -v '"signed_at"\|"input"' > "$W/a.json"
"$HCL" check --inventory "$FIX/r640.lspci-vvnn" --hcl "$W/hcl.bin" --pubkey "$W/key.pub" --json 2>/dev/null | grep -v '"signed_at"\|"input"' > "$W/b.json"
if cmp -s "$W/a.json" "$W/b.json"; then ok "hcl.bin and JSON give the same report"; else diff "$W/a.json" "$W/b.json" > "$W/out"; bad "hcl.bin and JSON give the same report" "$W/out"; fi
cp "$W/hcl.bin" "$W/bad.bin"
printf '\001' | dd of="$W/bad.bin" bs=1 seek=200 conv=notrunc 2>/dev/null
expect "tampered hcl.bin refused" 2 "$HCL" check --inventory "$FIX/r640.lspci-vvnn" --hcl "$W/bad.bin" --pubkey "$W/key.pub"
expect "compile without a key" 0 "$HCL" compile "$L" -o "$W/plain.bin"
expect "unsigned hcl.bin refused" 2 "$HCL" check --inventory "$FIX/r640.lspci-vvnn" --hcl "$W/plain.bin" --pubkey "$W/key.pub"

# This machine through libpci: whatever it has, the tool answers 0 or 1 with a table.
"$HCL" check --hcl "$L" --insecure > "$W/out" 2>&1; rc=$?
if [ "$rc" -le 1 ] && grep -q "^server: " "$W/out"; then ok "local probe (exit $rc)"; else bad "local probe" "$W/out"; fi

# The JSON Schema describes what the tool writes: Debian's python3-jsonschema (scripts/deps.sh
# installs it) validates; the system python, not a user's pyenv, has it.
PY3=/usr/bin/python3
if "$PY3" -c 'import jsonschema' 2>/dev/null; then
	expect "site for the schema check" 0 "$HCL" site -o "$W/schema-site" --hcl "$W/s.json" --pubkey "$W/key.pub"
	"$PY3" - "$HERE/../../hcl/schema/hcl.schema.json" "$L" "$W/schema-site/hcl.json" "$W/wild.json" "$W/nocov.json" "$FIX/feature-list.json" > "$W/out" 2>&1 <<'PY'
import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
for f in sys.argv[2:]:
    print(f, "valid" if not list(v.iter_errors(json.load(open(f)))) else "invalid")
PY
	has "schema accepts the fixture" "fixtures/hcl.json valid"
	has "schema accepts hcl site output" "schema-site/hcl.json valid"
	has "schema refuses ssid without svid" "wild.json invalid"
	has "schema refuses a coverage that passed nothing" "nocov.json invalid"
	has "schema accepts an exported list with features" "fixtures/feature-list.json valid"
else
	bad "JSON Schema checks: $PY3 has no jsonschema module (scripts/deps.sh installs python3-jsonschema)"
fi
