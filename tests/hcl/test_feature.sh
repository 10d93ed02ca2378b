# Features (docs/hcl.md, "Features"; sourced by run.sh): the docs' table is the code's,
# and `hcl check --require` filters on an entry's features. The list is
# fixtures/feature-list.json, exported by `hcl export --local` from real nic-quick (e1000)
# and storage-quick (nvme) runs: e1000 jumbo, link-state, intx; nvme msix, poll, lba64, flush.
FL=$FIX/feature-list.json
QI=$FIX/qemu-e1000-nvme.lspci-vmmnn

# The table in docs/hcl.md is what `hcl features` prints from hcl_feature_rules[].
sed -n '/^<!-- features table: /,/^<!-- end of features table -->$/p' "$HERE/../../docs/hcl.md" |
	sed '1d;$d' > "$W/doc-features.md"
expect "features: hcl features" 0 "$HCL" features
if [ -s "$W/doc-features.md" ] && cmp -s "$W/doc-features.md" "$W/out"; then
	ok "features: docs/hcl.md's table is the code's"
else
	diff "$W/doc-features.md" "$W/out" > "$W/features.diff"
	bad "features: docs/hcl.md's table is the code's (diff: docs, then code)" "$W/features.diff"
fi

# --require: the e1000 has jumbo and no msix; the nvme has msix and no intx; jumbo is not
# asked of the nvme, lba64 not of the e1000.
# req NAME RC EXPECTED-STDOUT ARGS...: the exact standard output and exit status.
req() {
	name=$1; want=$2; exp=$3; shift 3
	HCL_PCI_IDS=$HERE/corpus/pci.ids "$HCL" check --inventory "$QI" --hcl "$FL" --insecure "$@" \
		> "$W/req.out" 2> "$W/req.err"; rc=$?
	printf '%s\n' "$exp" > "$W/req.want"
	if [ "$rc" -eq "$want" ] && cmp -s "$W/req.want" "$W/req.out"; then
		ok "$name"
	else
		echo "    exit $rc, wanted $want"
		diff "$W/req.want" "$W/req.out" > "$W/req.diff"
		bad "$name" "$W/req.diff"
	fi
}
HEAD='SLOT          ID        SUBSYS    CLASS  STATUS        DRIVER             DEVICE'
E_OK='00:02.0       8086:100e 1af4:1100 0200   certified     e1000 1.0          Intel Corporation 82540EM Gigabit Ethernet Controller
                firmware unknown: the input does not say (lspci never does, a boot log only for a bound device; the list certifies exactly 0.0-0)'
N_OK='00:03.0       1b36:0010 1af4:1100 0108   certified     nvme 1.0           Red Hat, Inc. QEMU NVM Express Controller
                firmware unknown: the input does not say (lspci never does, a boot log only for a bound device; the list certifies exactly 7.2.22)'
BOOT='server: bootable on hvkernel 0.1.0: 1 certified NIC, 1 certified storage controller'
req "require: jumbo (NICs only) passes" 0 "$HEAD
$E_OK
$N_OK
$BOOT" --require jumbo
req "require: lba64 and jumbo, repeated" 0 "$HEAD
$E_OK
$N_OK
$BOOT" --require lba64 --require jumbo,lba64
req "require: msix fails the e1000" 1 "$HEAD
00:02.0       8086:100e 1af4:1100 0200   not-certified -                  Intel Corporation 82540EM Gigabit Ethernet Controller
                certified without required feature msix (the entry lists: jumbo, link-state, intx)
$N_OK
server: NOT bootable on hvkernel 0.1.0: no certified NIC" --require msix
req "require: intx,flush,poll fails the nvme" 1 "$HEAD
$E_OK
00:03.0       1b36:0010 1af4:1100 0108   not-certified -                  Red Hat, Inc. QEMU NVM Express Controller
                certified without required feature intx (the entry lists: msix, poll, lba64, flush)
server: NOT bootable on hvkernel 0.1.0: no certified storage controller" --require intx,flush,poll
req "require: both fail, each missing feature named" 1 "$HEAD
00:02.0       8086:100e 1af4:1100 0200   not-certified -                  Intel Corporation 82540EM Gigabit Ethernet Controller
                certified without required feature msix, msi (the entry lists: jumbo, link-state, intx)
00:03.0       1b36:0010 1af4:1100 0108   not-certified -                  Red Hat, Inc. QEMU NVM Express Controller
                certified without required feature msi (the entry lists: msix, poll, lba64, flush)
server: NOT bootable on hvkernel 0.1.0: no certified NIC and no certified storage controller" --require msix,msi --require lba64,link-state

# Bad --require values: one line naming the value, exit 2 as any usage error.
expect "require: unknown feature" 2 "$HCL" check --inventory "$QI" --hcl "$FL" --insecure --require jumbo,rss
if [ "$(cat "$W/out")" = "hcl: --require: unknown feature 'rss' (hcl features lists them)" ]; then
	ok "require: unknown feature named in one line"
else
	bad "require: unknown feature named in one line" "$W/out"
fi
expect "require: empty name" 2 "$HCL" check --inventory "$QI" --hcl "$FL" --insecure --require jumbo,
has "require: empty name said" "^hcl: --require 'jumbo,': an empty feature name$"
expect "require: no value" 2 "$HCL" check --inventory "$QI" --hcl "$FL" --insecure --require
has "require: no value said" "^hcl: --require needs a value$"
# hcl.bin carries no features: --require needs the JSON list.
expect "require: compile the list" 0 "$HCL" compile "$FL" -o "$W/feature.bin"
expect "require: refused with hcl.bin" 2 "$HCL" check --inventory "$QI" --hcl "$W/feature.bin" --insecure --require jumbo
has "require: hcl.bin refusal said" "feature.bin: this command needs the JSON list, not hcl.bin$"
# Without --require, hcl.bin still answers as before.
expect "require: hcl.bin without --require" 0 "$HCL" check --inventory "$QI" --hcl "$W/feature.bin" --insecure
# --json: each device's missing_features (an empty array when none is missing).
HCL_PCI_IDS=$HERE/corpus/pci.ids "$HCL" check --inventory "$QI" --hcl "$FL" --insecure --json \
	--require msix,msi > "$W/req.json" 2> "$W/req.err"; rc=$?
n=$(jq -r '[.devices[] | "\(.slot)=\(.status):\(.missing_features | join(","))"] | join(" ")' "$W/req.json" 2>&1)
[ "$rc" -eq 1 ] && [ "$n" = "00:02.0=not-certified:msix,msi 00:03.0=not-certified:msi" ] &&
	ok "require: --json names each device's missing features" ||
	bad "require: --json names each device's missing features: exit $rc, '$n'"
HCL_PCI_IDS=$HERE/corpus/pci.ids "$HCL" check --inventory "$QI" --hcl "$FL" --insecure --json \
	--require jumbo > "$W/req.json" 2> "$W/req.err"; rc=$?
n=$(jq -r '[.devices[] | "\(.slot)=\(.status):\(.missing_features | length)"] | join(" ")' "$W/req.json" 2>&1)
[ "$rc" -eq 0 ] && [ "$n" = "00:02.0=certified:0 00:03.0=certified:0" ] &&
	ok "require: --json with nothing missing" || bad "require: --json with nothing missing: exit $rc, '$n'"
