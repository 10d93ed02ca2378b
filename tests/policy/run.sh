#!/bin/sh
# The boot policy and `hcl check` must agree on every device (issue: hcl boot policy).
# For each QEMU configuration: boot hvkernel with the inbox modules and a compiled list,
# then run `hcl check` on that boot's log and compare the per-device verdicts with the
# kernel's own "hcl:" lines; also check the kernel's bootable/refused outcome.
# usage: run.sh BUILD_DIR COUNTS_FILE
set -u
build=$1
counts=$2
bin=$build/bin
pass=0
fail=0
work=$(mktemp -d "${TMPDIR:-/tmp}/hvpolicy.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
release=$(cat hvkernel/RELEASE)
# The inbox modules' own versions (their HV_MODULE lines), as `certify devices` reads them:
# the list certifies what this tree builds, whatever version a driver is at.
modver() { "$build/bin/certify" devices --modules-dir "$build/modules" 2>/dev/null |
	sed -n "s/.* $1\.hvm ($1 \([^)]*\)).*/\1/p" | head -n 1; }
vnet_ver=$(modver virtio-net)
ahci_ver=$(modver ahci)
[ -n "$vnet_ver" ] && [ -n "$ahci_ver" ] || { echo "FAIL $0: cannot read the inbox module versions"; echo "0 1 0" > "$counts"; exit 1; }

ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# The certified builds: the list names the sha256 of this tree's virtio-net.hvm and
# ahci.hvm. A patched ahci (a real rebuild: the defect corpus's ahci-misdirect, same name
# and version, other bytes) is not that build.
vnet_sha=$(sha256sum "$build/modules/virtio-net.hvm" | cut -c1-64)
ahci_sha=$(sha256sum "$build/modules/ahci.hvm" | cut -c1-64)
patched=$(cd "$build" && pwd)/modules/defect/ahci-misdirect/ahci.hvm
patched_sha=$(sha256sum "$patched" 2>/dev/null | cut -c1-64)
[ -n "$vnet_sha" ] && [ -n "$ahci_sha" ] && [ -n "$patched_sha" ] && [ "$patched_sha" != "$ahci_sha" ] ||
	{ echo "FAIL $0: the modules or the patched ahci build ($patched) are missing (make all)"; echo "0 1 0" > "$counts"; exit 1; }

# The list: virtio-net and ahci certified at the inbox versions and builds, nvme certified
# for an older driver version only, e1000 revoked; nothing for virtio-blk.
cat > "$work/list.json" <<JSON
{"schema_version":1,"generated":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","releases":["$release"],"entries":[
{"vid":"1af4","did":"1000","svid":"*","ssid":"*","vendor":"Red Hat, Inc.","model":"Virtio network device","type":"nic","releases":{"$release":{"driver":"virtio-net","driver_version":"$vnet_ver","firmware":null,"module_sha256":"$vnet_sha","features":[],"certified":"2026-11-25","runs":["policy-test"],"status":"certified"}}},
{"vid":"8086","did":"2922","svid":"*","ssid":"*","vendor":"Intel Corporation","model":"ICH9 AHCI","type":"storage","releases":{"$release":{"driver":"ahci","driver_version":"$ahci_ver","firmware":null,"module_sha256":"$ahci_sha","features":[],"certified":"2026-11-25","runs":["policy-test"],"status":"certified"}}},
{"vid":"1b36","did":"0010","svid":"*","ssid":"*","vendor":"Red Hat, Inc.","model":"QEMU NVM Express Controller","type":"storage","releases":{"$release":{"driver":"nvme","driver_version":"0.9","firmware":null,"features":[],"certified":"2026-11-25","runs":["policy-test"],"status":"certified"}}},
{"vid":"8086","did":"100e","svid":"*","ssid":"*","vendor":"Intel Corporation","model":"82540EM","type":"nic","releases":{"$release":{"driver":"e1000","driver_version":"1.0","firmware":null,"features":[],"certified":"2026-11-25","runs":["policy-test"],"status":"revoked"}}}
]}
JSON
if ! "$bin/hcl" compile "$work/list.json" -o "$work/hcl.bin" >"$work/compile.log" 2>&1; then
	bad "compile the test list: $(head -n 1 "$work/compile.log")"
	echo "$pass $fail 0" > "$counts"
	exit 1
fi

mods="e1000.hvm virtio-net.hvm virtio-blk.hvm nvme.hvm ahci.hvm $work/hcl.bin"
cat > "$work/policy.cfg" <<CFG
# q35 has its own ICH9 AHCI (certified) and gets a certified virtio-net: bootable.
[policy-strict-q35]
machine = q35
initrd = $mods
append = hcl.policy=strict
qemu = -device virtio-net-pci,disable-modern=on,romfile= -device e1000,romfile= -device nvme,serial=p1
expect = pass
timeout = 60

# pc with only a revoked e1000 and an uncertified virtio-blk: strict refuses to boot.
[policy-strict-pc-refused]
machine = pc
initrd = $mods
append = hcl.policy=strict
qemu = -device e1000,romfile= -device virtio-blk-pci,drive=d0 -drive file=\${disk:d0},if=none,id=d0,format=raw
disks = d0:8M
expect = policy
timeout = 60

# The patched ahci build under strict: the list names another sha256 for the ICH9 AHCI, so
# the kernel refuses to bind it (saying which module and both sha256) and, with no
# certified storage controller left, refuses to boot.
[policy-strict-build-q35]
machine = q35
initrd = virtio-net.hvm $patched $work/hcl.bin
append = hcl.policy=strict
qemu = -device virtio-net-pci,disable-modern=on,romfile=
expect = policy
timeout = 60

# The same under warn: it binds the patched build and flags it.
[policy-warn-build-q35]
machine = q35
initrd = virtio-net.hvm $patched $work/hcl.bin
append = hcl.policy=warn
qemu = -device virtio-net-pci,disable-modern=on,romfile=
expect = pass
timeout = 60

# The same machine with warn: it boots, and says why it should not.
[policy-warn-pc]
machine = pc
initrd = $mods
append = hcl.policy=warn
qemu = -device e1000,romfile= -device virtio-blk-pci,drive=d0 -drive file=\${disk:d0},if=none,id=d0,format=raw
disks = d0:8M
expect = pass
timeout = 60
CFG
"$bin/hvktest" -c "$work/policy.cfg" --kernel "$build/hvkernel.elf" --modules "$build/modules" \
	--logdir "$work/logs" --counts "$work/ktest.counts" > "$work/hvktest.out" 2>&1
cat "$work/hvktest.out"
read -r kp kf ks < "$work/ktest.counts" || { kp=0; kf=1; ks=0; }
pass=$((pass + kp))
fail=$((fail + kf))
skip=$ks

for name in policy-strict-q35 policy-strict-pc-refused policy-warn-pc; do
	log="$work/logs/$name.log"
	if [ ! -s "$log" ]; then
		bad "$name: no boot log"
		continue
	fi
	# The kernel's verdicts: "[ t] hcl: SLOT VID:DID class CLASS: VERDICT (...)".
	sed -n 's/^\[[ 0-9.]*\] hcl: \([0-9a-f:.]*\) [0-9a-f]*:[0-9a-f]* class [0-9a-f]*: \([a-z-]*\) .*/\1 \2/p' \
		"$log" | sort > "$work/$name.kernel"
	"$bin/hcl" check --inventory "$log" --hcl "$work/list.json" --insecure --json \
		> "$work/$name.json" 2> "$work/$name.err"
	rc=$?
	if [ "$rc" -gt 1 ]; then
		bad "$name: hcl check failed: $(head -n 1 "$work/$name.err")"
		continue
	fi
	jq -r '.devices[] | "\(.slot) \(.status)"' "$work/$name.json" | sort > "$work/$name.host"
	if [ ! -s "$work/$name.kernel" ]; then
		bad "$name: the kernel logged no verdicts"
	elif cmp -s "$work/$name.kernel" "$work/$name.host"; then
		ok "$name: kernel and hcl check agree on $(wc -l < "$work/$name.host") devices"
	else
		bad "$name: kernel and hcl check disagree:"
		diff "$work/$name.kernel" "$work/$name.host" | sed 's/^/    /'
	fi
	# hcl check's server verdict matches what the kernel did (bootable = it booted).
	case "$name" in
	*refused*|*warn*) want=1 ;;
	*) want=0 ;;
	esac
	if [ "$rc" -eq "$want" ]; then
		ok "$name: hcl check says $( [ "$rc" -eq 0 ] && echo bootable || echo 'not bootable')"
	else
		bad "$name: hcl check exit $rc, expected $want"
	fi
done
# Binding: strict binds only the certified driver at the certified version; warn binds all.
bound() {	# bound LOG VID:DID DRIVER -> the inventory line shows that driver
	grep -q "^[0-9a-f:.]* [0-9a-f]*: $2 .*driver $3\$" "$work/logs/$1.log"
}
bound policy-strict-q35 1af4:1000 virtio-net && ok "strict: certified virtio-net is bound" ||
	bad "strict: certified virtio-net is not bound"
bound policy-strict-q35 1b36:0010 none && ok "strict: nvme certified only for driver 0.9 stays unbound" ||
	bad "strict: nvme was bound although the list certifies another driver version"
bound policy-strict-q35 8086:100e none && ok "strict: revoked e1000 stays unbound" ||
	bad "strict: revoked e1000 was bound"
bound policy-warn-pc 8086:100e e1000 && ok "warn: e1000 is bound anyway" ||
	bad "warn: e1000 was not bound"
grep -q "refuses to boot: no certified NIC" "$work/logs/policy-strict-pc-refused.log" &&
	ok "strict: the refusal screen names the reason" || bad "strict: no refusal screen"
# The certified build, not just its name: the matching sha256 binds (strict-q35 above binds
# ahci and virtio-net), a patched build is refused under strict, naming it and both sha256,
# and bound but flagged under warn.
bound policy-strict-q35 8086:2922 ahci && ok "strict: the certified ahci build is bound" ||
	bad "strict: the certified ahci build is not bound"
bound policy-strict-build-q35 8086:2922 none && ok "strict: the patched ahci build stays unbound" ||
	bad "strict: the patched ahci build was bound"
grep -q "hcl: 00:1f.2: strict policy refuses module ahci.hvm (ahci $ahci_ver, sha256 $patched_sha): the list certifies sha256 $ahci_sha for this device" \
	"$work/logs/policy-strict-build-q35.log" && ok "strict: the refusal names the module and both sha256" ||
	bad "strict: no refusal line naming the patched module and both sha256"
grep -q "refuses to boot: no certified storage" "$work/logs/policy-strict-build-q35.log" &&
	ok "strict: without the certified ahci build the server is not bootable" ||
	bad "strict: no refusal screen after refusing the patched build"
bound policy-warn-build-q35 8086:2922 ahci && ok "warn: the patched ahci build is bound anyway" ||
	bad "warn: the patched ahci build was not bound"
grep -q "hcl: 00:1f.2: warning: ahci.hvm is not the build the list certifies" "$work/logs/policy-warn-build-q35.log" &&
	ok "warn: the patched build is flagged" || bad "warn: the patched build is not flagged"
grep -q "hcl: 00:1f.2: warning" "$work/logs/policy-strict-q35.log" &&
	bad "strict: the certified build was flagged" || ok "strict: the certified build is not flagged"
echo "$pass $fail $skip" > "$counts"
echo "policy: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
