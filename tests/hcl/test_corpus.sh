# Real lspci outputs (tests/hcl/corpus, sources in its README.md) against tests/hcl/corpus/list.json:
# per file the format, the functions, the absent ones, the lines skipped, the exit and the server
# line (EXPECTED), then malformed inputs, each with its one-line error. The malformed ones are
# made here from the real ones (cut, doubled, mixed) so what broke them is plain to see.
# Sourced by run.sh. Names come from the corpus's pci.ids subset, the same on every machine.
C=$HERE/corpus
export HCL_PCI_IDS="$C/pci.ids"
"$HCL" keygen -o "$W/ckey" 2>/dev/null
"$HCL" sign "$C/list.json" --key "$W/ckey" -o "$W/clist.json" 2>/dev/null
CL="--hcl $W/clist.json --pubkey $W/ckey.pub --release 0.1.0"

# The real outputs.
grep -v '^#' "$C/EXPECTED" | while IFS='|' read -r f fmt nfun nabs nskip rc line; do
	echo "$f|$fmt|$nfun|$nabs|$nskip|$rc|$line"
done > "$W/expected"
while IFS='|' read -r f fmt nfun nabs nskip rc line; do
	# shellcheck disable=SC2086
	"$HCL" check --inventory "$C/$f" $CL > "$W/out" 2> "$W/err"; got=$?
	if [ "$got" -eq "$rc" ]; then ok "$f: exit $rc"; else echo "    exit $got"; bad "$f: exit $rc" "$W/err"; fi
	if [ "$(tail -n 1 "$W/out")" = "$line" ]; then ok "$f: server line"; else
		echo "    got:  $(tail -n 1 "$W/out")"; echo "    want: $line"; bad "$f: server line"; fi
	# shellcheck disable=SC2086
	"$HCL" check --inventory "$C/$f" $CL --json 2>/dev/null > "$W/j"
	v=$(jq -r '"\(.inventory.format)|\(.inventory.functions)|\(.absent)|\(.inventory.lines_skipped)"' "$W/j")
	if [ "$v" = "$fmt|$nfun|$nabs|$nskip" ]; then ok "$f: $fmt, $nfun functions, $nabs absent, $nskip skipped"
	else echo "    got $v"; bad "$f: $fmt, $nfun functions, $nabs absent, $nskip skipped"; fi
done < "$W/expected"

# Details a reader of the report relies on.
# shellcheck disable=SC2086
"$HCL" check --inventory "$C/acer-a715-vmd.lspci-nn" $CL > "$W/out" 2>&1
has "VMD: 5-digit domain kept" "^10000:e1:00.0 +1344:5411 .*certified +nvme 1.0.0 +Micron Technology Inc Device 5411"
has "VMD: why it does not count" "behind Intel VMD \(domain 10000\): reached only through a VMD driver"
has "a name the local pci.ids lacks" "^0000:00:00.0 +8086:4621 .* Intel Corporation Device 4621$"
hasnt "never the vendor twice" "Intel Corporation Intel Corporation|Micron Technology Inc Micron"
if [ "$(grep -o '^[0-9a-f:.]*' "$W/out" | tail -n +2 | head -n 27 | sort -c 2>&1)" = "" ]; then
	ok "report in domain and slot order"; else bad "report in domain and slot order" "$W/out"; fi
# shellcheck disable=SC2086
"$HCL" check --inventory "$C/mlx-sriov.lspci-nnvv-grep" $CL > "$W/out" 2>&1
has "a stderr line is skipped with a warning that quotes it" 'warning: line 1: skipped a message lspci wrote to stderr: "lspci: Unable to load libkmod resources: error -12"'
has "rev ff: absent" "^0b:01.6 +15b3:1016 .* absent "
has "absent: why" "not there: its configuration space reads all ones \(rev ff\); never counts"
# shellcheck disable=SC2086
"$HCL" check --inventory "$C/mlx-vf-dead.lspci-Dnnvv" $CL --json > "$W/out" 2>&1
has "Unknown header type 7f: absent" '"status": "absent"'
# shellcheck disable=SC2086
"$HCL" check --inventory "$C/x710-tm4-supermicro.lspci-nn" $CL > "$W/out" 2>&1
has "prompt lines skipped" 'warning: line 1: skipped a shell prompt: "~ # lspci -nn \| grep -i intel"'
has "filtered output said" 'warning: the output was filtered \("lspci -nn \| grep -i intel"\): only the devices it shows are checked'
# shellcheck disable=SC2086
"$HCL" check --inventory "$C/tg3-2003.lspci-vvvx" $CL > "$W/out" 2>&1
has "-x: IDs and subsystem from the dump" "^00:0c.0 +8086:100e 8086:002e 0200 +certified +e1000 1.0.0"
# shellcheck disable=SC2086
"$HCL" check --inventory "$C/ecs-sis-2008.lspci-vnnm" $CL > "$W/out" 2>&1
has "a revoked NIC is not counted" "^00:04.0 +1039:0191 .*not-certified"
# shellcheck disable=SC2086
"$HCL" check --inventory "$C/dell-r220.lspci-vvnn" $CL --json > "$W/out" 2>&1
has "-k: driver in use kept" '"kernel_driver": "tg3"'
# shellcheck disable=SC2086
"$HCL" check --inventory - $CL < "$C/dell-r220.lspci-vvnn" > "$W/out" 2>&1
has "--inventory - reads standard input" "^server: bootable on hvkernel 0.1.0: 1 certified NIC \(2 ports of one card\)"

# refused NAME WANT CMD...: CMD exits 2 and its stderr is exactly the one line WANT.
refused() {
	name=$1; want=$2; shift 2
	"$@" > "$W/out" 2> "$W/err"; rc=$?
	if [ "$rc" -eq 2 ] && [ "$(cat "$W/err")" = "$want" ]; then ok "$name"; else
		echo "    exit $rc, stderr:"; sed 's/^/      /' "$W/err"; echo "    want: $want"; bad "$name"; fi
}
chk() { "$HCL" check --inventory "$1" --hcl "$W/clist.json" --pubkey "$W/ckey.pub" --release 0.1.0; }

# Cut in the middle of a line (verbose output): the line it ends in.
head -c 20000 "$C/dell-r220.lspci-vvnn" > "$W/cut.txt"
n=$(( $(wc -l < "$W/cut.txt") + 1 ))
refused "cut short mid-line" "hcl: $W/cut.txt:$n: the last line has no line end: the output looks cut short" chk "$W/cut.txt"
# Cut after a whole line inside a hex dump: 32 of 64 bytes.
head -n 10 "$C/tg3-2003.lspci-vvvx" > "$W/cutx.txt"
refused "hex dump cut short" "hcl: $W/cutx.txt:10: the hex dump of 00:00.0 stops after 32 bytes (lspci -x prints 64, -xxx 256, -xxxx 4096): the output looks cut short" chk "$W/cutx.txt"
# A device block twice.
awk '/^00:1f.3 /{dup=1} dup{b=b $0 "\n"} /^$/ && dup{printf "%s", b; dup=0; b=""} {print}' \
	"$C/dell-r220.lspci-vvnn" > "$W/dup.txt"
l1=$(grep -n '^00:1f.3 ' "$W/dup.txt" | sed -n 1p | cut -d: -f1)
l2=$(grep -n '^00:1f.3 ' "$W/dup.txt" | sed -n 2p | cut -d: -f1)
refused "duplicate slot" "hcl: $W/dup.txt:$l2: slot 00:1f.3 listed twice (also line $l1)" chk "$W/dup.txt"
# A device line deleted from a verbose output (an edited paste): its lines stay its own.
grep -v '^01:00.1 ' "$C/dell-r220.lspci-vvnn" > "$W/nohdr.txt"
b=$(grep -n '^01:00.0 ' "$W/nohdr.txt" | cut -d: -f1)
b=$(awk -v b="$b" 'NR > b && $0 == "" {print NR; exit}' "$W/nohdr.txt")
refused "a device line deleted" "hcl: $W/nohdr.txt:$((b + 1)): an indented line after the blank line that ends 01:00.0's block (line $b): the device line it belongs to is missing" chk "$W/nohdr.txt"
# Two captures one after the other (the mail the tg3 dump comes from holds two).
cat "$C/tg3-2003.lspci-vvvx" "$C/tg3-2003.lspci-vvvx" > "$W/two.txt"
l1=$(grep -n '^00:0c.0 ' "$W/two.txt" | sed -n 1p | cut -d: -f1)
l2=$(grep -n '^00:00.0 ' "$W/two.txt" | sed -n 2p | cut -d: -f1)
refused "two outputs concatenated" "hcl: $W/two.txt:$l2: slot 00:00.0 comes after 00:0c.0 (line $l1); lspci prints slots in order, so these are two outputs one after the other" chk "$W/two.txt"
cat "$C/x710-tm4-supermicro.lspci-nn" "$C/x710-tm4-supermicro.lspci-nn" > "$W/two2.txt"
refused "two captures with their prompts" "hcl: $W/two2.txt:6: a shell prompt between devices: two command outputs in one file" chk "$W/two2.txt"
# lspci -nn lines, then lspci -n lines.
{ sed -n 2,5p "$C/x710-tm4-supermicro.lspci-nn"; sed -n 20p "$C/c222-sas2308.lspci-n"; } > "$W/mixed.txt"
refused "formats mixed" "hcl: $W/mixed.txt:5: a lspci -n line in lspci -nn output (line 1): formats mixed in one file" chk "$W/mixed.txt"
refused "lsusb pasted after lspci (real paste)" "hcl: $C/bad/acer-a715-lspci-and-lsusb.txt:28: lsusb output after the lspci output: \"Bus 004 Device 001: ID 1d6b:0003 Linux Foundation 3.0 root hub\" (give lspci's output alone)" chk "$C/bad/acer-a715-lspci-and-lsusb.txt"
refused "plain lspci (real paste)" "hcl: $C/bad/c222-sas2308.lspci:2: plain lspci output without numeric IDs: run lspci -nn (or lspci -vvnn for the subsystem IDs)" chk "$C/bad/c222-sas2308.lspci"
sed 's|^05:00.0 |00:1c.2/05:00.0 |' "$C/c222-sas2308.lspci-n" > "$W/path.txt"
n=$(grep -n '^00:1c.2/' "$W/path.txt" | cut -d: -f1)
refused "lspci -PP paths" "hcl: $W/path.txt:$n: slot paths (lspci -P/-PP) are not supported: run lspci -nn without -P" chk "$W/path.txt"
iconv -f UTF-8 -t UTF-16 "$C/acer-a715-vmd.lspci-nn" > "$W/utf16.txt"
refused "UTF-16 (PowerShell)" "hcl: $W/utf16.txt: UTF-16 text or binary data (a NUL byte at offset 3); an lspci output is plain text (convert UTF-16 with iconv -f UTF-16 -t UTF-8)" chk "$W/utf16.txt"
start=$(date +%s)
refused "/dev/zero" "hcl: /dev/zero: UTF-16 text or binary data (a NUL byte at offset 0); an lspci output is plain text (convert UTF-16 with iconv -f UTF-16 -t UTF-8)" timeout 20 "$HCL" check --inventory /dev/zero --hcl "$W/clist.json" --pubkey "$W/ckey.pub"
if [ $(( $(date +%s) - start )) -le 5 ]; then ok "/dev/zero refused at once"; else bad "/dev/zero refused at once"; fi
truncate -s 65M "$W/huge.txt"
refused "an input over 64 MiB" "hcl: $W/huge.txt: 68157440 bytes; an inventory is at most 64 MiB (is this an lspci output?)" chk "$W/huge.txt"
rm -f "$W/huge.txt"
yes '00:00.0 Host bridge [0600]: Intel Corporation Device [8086:4621] (rev 02)' 2>/dev/null | head -c 70000000 |
	"$HCL" check --inventory - --hcl "$W/clist.json" --pubkey "$W/ckey.pub" > "$W/out" 2> "$W/err"; rc=$?
if [ "$rc" -eq 2 ] && [ "$(cat "$W/err")" = "hcl: (standard input): more than 64 MiB; an inventory is smaller (is this an lspci output?)" ]; then
	ok "an endless standard input"; else bad "an endless standard input" "$W/err"; fi
# A JSON inventory: text after it, a slot that is not one.
{ cat "$FIX/r640.inventory.json"; echo ']'; } > "$W/trail.json"
n=$(wc -l < "$W/trail.json")
refused "JSON inventory with text after it" "hcl: $W/trail.json:$n: text after the end of the JSON value" chk "$W/trail.json"
sed '0,/"slot": "[^"]*"/s//"slot": "eno1"/' "$FIX/r640.inventory.json" > "$W/slot.json"
n=$(grep -n eno1 "$W/slot.json" | cut -d: -f1)
refused "JSON inventory: a slot that is not one" "hcl: $W/slot.json:$n: devices[0].slot: \"eno1\" is not a PCI slot (expected [dddd:]bb:dd.f)" chk "$W/slot.json"
# A list with a key twice: which copy a reader takes would decide the answer.
sed '0,/"status":"certified"/s//"status":"revoked","status":"certified"/' "$C/list.json" > "$W/dupkey.json"
n=$(grep -n '"revoked","status"' "$W/dupkey.json" | cut -d: -f1)
refused "list with a duplicated key" "hcl: $W/dupkey.json:$n: entries[0].releases[\"0.1.0\"]: duplicate key \"status\"" "$HCL" validate "$W/dupkey.json"

# Accepted with warnings: a byte order mark, a stderr line spliced into an output line, a -x
# header whose dump lspci could not read.
{ printf '\357\273\277'; cat "$C/acer-a715-vmd.lspci-nn"; } > "$W/bom.txt"
expect "UTF-8 byte order mark" 1 chk "$W/bom.txt"
has "byte order mark skipped" "warning: line 1: skipped a UTF-8 byte order mark"
awk '/^01:00.0 /{printf "pcilib: sysfs_read_vpd: read failed: No such device"; print; next} {print}' \
	"$C/dell-r220.lspci-vvnn" > "$W/splice.txt"
expect "a stderr message spliced into a device line" 0 chk "$W/splice.txt"
n=$(grep -n '^pcilib' "$W/splice.txt" | cut -d: -f1)
has "the spliced message is quoted" "warning: line $n: skipped a message lspci wrote to stderr: \"pcilib: sysfs_read_vpd: read failed: No such device\"$"
has "the device after it is read" "^01:00.0 +14e4:165f 1028:05e5 0200 +certified"
# The shape 2>&1 gives: stdout leaves in 4 KiB blocks, so a message lands where a block ended,
# in the middle of a line, and the line goes on after it; here in a device's header line.
awk '/^01:00.1 /{printf "%s", substr($0, 1, 13); print "pcilib: sysfs_read_vpd: read failed: No such device";
	print substr($0, 14); next} {print}' "$C/dell-r220.lspci-vvnn" > "$W/splice2.txt"
expect "a stderr message in the middle of a device line" 0 chk "$W/splice2.txt"
n=$(grep -n 'pcilib' "$W/splice2.txt" | cut -d: -f1)
has "the message is quoted" "warning: line $n: skipped a message lspci wrote to stderr into the middle of a line \(the line goes on at the next one\): \"pcilib: sysfs_read_vpd: read failed: No such device\"$"
has "the line it cut is read whole" "^01:00.1 +14e4:165f 1028:05e5 0200 +certified"
awk '/^00:07.3 /{skip=1} /^$/{skip=0} skip && /^[0-9a-f][0-9a-f]: /{next} {print}' \
	"$C/tg3-2003.lspci-vvvx" > "$W/nodump.txt"
n=$(grep -n '^00:07.3 ' "$W/nodump.txt" | cut -d: -f1)
expect "a -x header without its dump" 0 chk "$W/nodump.txt"
has "is not a device" "warning: line $n: 00:07.3 has no hex dump \(lspci could not read its configuration space\): not a device"
hasnt "and is not listed" "^00:07.3 "

# Names from a pci.ids whose device lines are not in order, with a subsystem line that
# carries a device ID before that device's own line.
printf '%s\n' '8086  Intel Corporation' '	1533  I210 Gigabit Network Connection' \
	'		10d3 0001  a subsystem line, not a device' '	10d3  82574L Gigabit Network Connection' \
	'	100e  82540EM Gigabit Ethernet Controller' 'C 02  Network controller' '	00  Ethernet controller' > "$W/pci.ids"
printf '%s\n' '00:19.0 Ethernet controller [0200]: Intel Corporation Device [8086:100e]' \
	'02:00.0 Ethernet controller [0200]: Intel Corporation Device [8086:10d3]' \
	'03:00.0 Ethernet controller [0200]: Intel Corporation Device [8086:1533]' > "$W/names.txt"
HCL_PCI_IDS="$W/pci.ids" "$HCL" check --inventory "$W/names.txt" $CL > "$W/out" 2>&1
has "pci.ids out of order: 100e named" "^00:19.0 +8086:100e .* Intel Corporation 82540EM Gigabit Ethernet Controller$"
has "pci.ids: a subsystem line is not a device line" "^02:00.0 +8086:10d3 .* Intel Corporation 82574L Gigabit Network Connection$"
has "pci.ids: 1533 named" "^03:00.0 +8086:1533 .* Intel Corporation I210 Gigabit Network Connection$"
unset HCL_PCI_IDS
