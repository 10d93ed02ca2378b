# hcl probe (docs/hcl.md, "hcl probe"): a fake sysfs tree (--sysfs) with an NVMe drive, a
# MegaRAID with a disk, an 82574L NIC with its interface and an unbound function; then the
# real one of this machine. The inventory must read back through hcl check.
R=$W/sysfs
P=$R/bus/pci/devices
mkfn() {	# mkfn SLOT VID DID SVID SSID CLASS REV [DRIVER]
	mkdir -p "$P/$1" "$R/bus/pci/drivers"
	echo "0x$2" > "$P/$1/vendor"; echo "0x$3" > "$P/$1/device"
	echo "0x$4" > "$P/$1/subsystem_vendor"; echo "0x$5" > "$P/$1/subsystem_device"
	echo "0x$6" > "$P/$1/class"; echo "0x$7" > "$P/$1/revision"
	if [ -n "${8:-}" ]; then
		mkdir -p "$R/bus/pci/drivers/$8"
		ln -s "../../../../bus/pci/drivers/$8" "$P/$1/driver"
	fi
}
rm -rf "$R"
mkfn 0000:00:00.0 8086 2020 1028 0716 060000 04
mkfn 0000:3b:00.0 144d a808 144d a801 010802 00 nvme
mkdir -p "$P/0000:3b:00.0/nvme/nvme0" "$R/module/nvme"
echo "GPJ99E5Q  " > "$P/0000:3b:00.0/nvme/nvme0/firmware_rev"
mkfn 0000:18:00.0 1000 005d 1028 1f47 010400 02 megaraid_sas
mkdir -p "$P/0000:18:00.0/host0/target0:2:0/0:2:0:0" "$R/module/megaraid_sas"
echo "4.68" > "$P/0000:18:00.0/host0/target0:2:0/0:2:0:0/rev"
echo "07.719.03.00-rc1" > "$R/module/megaraid_sas/version"
mkfn 0000:19:00.0 8086 10d3 8086 a01f 020000 00 e1000e
mkdir -p "$P/0000:19:00.0/net/eth0" "$R/module/e1000e"
echo "3.2.6-k" > "$R/module/e1000e/version"
mkfn 0000:1a:00.0 14e4 165f 1028 08fd 020000 00

expect "probe: fake sysfs" 0 "$HCL" probe --sysfs "$R" -o "$W/probe.json"
n=$(jq -c '[.devices[] | [.slot, .vid, .did, .svid, .class, .rev, .driver, .driver_version, (if has("firmware") then .firmware else "(unknown)" end)]]' "$W/probe.json" 2>/dev/null)
want='[["0000:00:00.0","8086","2020","1028","060000","04",null,null,"(unknown)"],["0000:18:00.0","1000","005d","1028","010400","02","megaraid_sas","07.719.03.00-rc1","4.68"],["0000:19:00.0","8086","10d3","8086","020000","00","e1000e","3.2.6-k","(unknown)"],["0000:1a:00.0","14e4","165f","1028","020000","00",null,null,"(unknown)"],["0000:3b:00.0","144d","a808","144d","010802","00","nvme",null,"GPJ99E5Q"]]'
[ "$n" = "$want" ] && ok "probe: IDs, class, driver, version and firmware from sysfs" ||
	bad "probe: got $n"
expect "probe: the inventory reads back" 0 "$HCL" check --inventory "$W/probe.json" --hcl "$FIX/hcl.json" --insecure
has "probe: read as json" "3b:00.0"

# The real machine: every function lspci would list, as a valid inventory.
expect "probe: this machine" 0 "$HCL" probe -o "$W/probe-here.json"
k=$(jq '.devices | length' "$W/probe-here.json" 2>/dev/null)
s=$(ls /sys/bus/pci/devices | wc -l)
[ "$k" = "$s" ] && [ "$k" -gt 0 ] && ok "probe: all $k functions of this machine" || bad "probe: $k functions, sysfs has $s"
"$HCL" check --inventory "$W/probe-here.json" --hcl "$FIX/hcl.json" --insecure > "$W/out" 2>&1
[ $? -le 1 ] && ok "probe: this machine's inventory reads back" || bad "probe: this machine's inventory" "$W/out"

# Bad input: one line naming it, nothing written.
expect "probe: no sysfs" 2 "$HCL" probe --sysfs "$W/nowhere" -o "$W/none.json"
has "probe: no sysfs named" "^hcl probe: .*/nowhere/bus/pci/devices: No such file or directory \(is .*/nowhere a sysfs\?\)$"
[ ! -e "$W/none.json" ] && ok "probe: nothing written" || bad "probe: a file was written"
echo "garbage" > "$P/0000:1a:00.0/vendor"
expect "probe: a broken function" 2 "$HCL" probe --sysfs "$R" -o "$W/broken.json"
has "probe: the broken function named" "0000:1a:00.0: no vendor, device and class of a PCI function"
