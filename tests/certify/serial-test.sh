#!/bin/sh
# certify's bare-metal target (docs/certify.md, "Bare-metal target"), with a QEMU VM playing
# the physical machine: the VM boots the ISO scripts/mkiso.sh builds (as `make iso` does),
# its COM1 is a Unix socket, and certify gets only `--target serial:SOCKET`, the lab's
# --power-cycle command that (re)starts the VM and its --link-cmd. The NIC and storage
# quick plans pass that way with the host checks only QEMU can feed stored as not run; a
# silent machine, one that prints garbage, one that boots another command line and one
# whose record is garbled on the line are errors. The VM is killed at the end.
set -u
. "$(dirname "$0")/lib.sh"
m="$T/m"
mkdir -p "$m"
machine="sh $(pwd)/tests/certify/serial-machine.sh"
trap '$machine stop "$m"; rm -rf "$T"' EXIT
plans=tests/certify/plans

if ! sh scripts/mkiso.sh "$T/hvkit.iso" "$T/stage" build/hvkernel.elf "${MODULES_DIR:-build/modules}" "" \
	> "$T/mkiso.log" 2>&1; then
	bad "serial: the ISO" "$(tail -n 3 "$T/mkiso.log")"
	exit 1
fi
iso="$T/hvkit.iso"
target="serial:$m/console.sock"
CONSOLE=

# run NAME KIND ARGS...: certify run on $target (JSON in $T/NAME.json, stderr in $T/NAME.err)
run() {
	name=$1 kind=$2
	shift 2
	"$CERTIFY" run --plans "$plans" --target "$target" --power-cycle "${CONSOLE:+CONSOLE=$CONSOLE }$machine start $m $kind $iso" \
		--json "$@" > "$T/$name.json" 2> "$T/$name.err"
	echo $? > "$T/$name.rc"
	$machine stop "$m"
}

# pass NAME CHECKS...: the run passed in one configuration named target-*, its kernel command
# line carried hvr.port=com1, and each named host check is stored not run, as impossible.
pass() {
	name=$1
	shift
	rc=$(cat "$T/$name.rc")
	if [ "$rc" = 0 ] && [ "$(jq -r '.run.verdict' "$T/$name.json")" = pass ] &&
	   [ "$(jq '[.configurations[] | select(.verdict == "pass" and (.name | startswith("target-")))] | length' "$T/$name.json")" = 1 ] &&
	   jq -r '.configurations[0].cmdline' "$T/$name.json" | grep -q ' hvr.port=com1$'; then
		ok "serial: $name passes on the VM playing the machine ($(jq '.configurations[0].tests | length' "$T/$name.json") tests)"
	else
		bad "serial: $name" "exit $rc: $(grep -E '^(PASS|FAIL|ERROR) ' "$T/$name.err" | head -c 400)"
	fi
	for c in "$@"; do
		if [ "$(jq --arg c "$c" '[.configurations[0].hostchecks[] | select(.name == $c and (.ran | not) and
			(.message | startswith("not possible on a bare-metal target")))] | length' "$T/$name.json")" = 1 ]; then
			ok "serial: $name: host check $c stored not run (not possible on a bare-metal target)"
		else
			bad "serial: $name: host check $c" "$(jq -c '.configurations[0].hostchecks' "$T/$name.json")"
		fi
	done
}

# error NAME PATTERN: the run is an error whose configuration's reason matches PATTERN.
error() {
	rc=$(cat "$T/$1.rc")
	if [ "$rc" = 2 ] && jq -r '.configurations[0].reason' "$T/$1.json" | grep -Eq -- "$2"; then
		ok "serial: $1 is an error: $(jq -r '.configurations[0].reason' "$T/$1.json" | head -c 120)"
	else
		bad "serial: $1" "exit $rc, reason: $(jq -r '.configurations[0].reason' "$T/$1.json" 2>/dev/null | head -c 300) $(tail -n 1 "$T/$1.err")"
	fi
}

run nic-quick nic --device e1000e --plan nic-quick --soak 1 --link-cmd "$machine link $m"
pass nic-quick nic.mac wire.frames
# over a console server's TCP port; the lab's fault injector: the VM fails the sectors the
# command line names (serial-machine.sh)
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
unix_target=$target
target="serial:tcp:127.0.0.1:$port" CONSOLE="tcp:$port"
run storage-quick storage --device nvme --plan storage-quick
target=$unix_target CONSOLE=
pass storage-quick image.verify qmp.blockstats
grep -q "^target:  serial:tcp:127.0.0.1:$port " "$T/storage-quick.err" && ok "serial: storage-quick ran over tcp:127.0.0.1:$port" ||
	bad "serial: storage-quick over TCP" "$(grep '^target:' "$T/storage-quick.err")"
run silent silent --device e1000e --plan nic-quick --boot-timeout 8
error silent "^harness: silent machine: nothing on serial:.* within [0-9]+ s of the power cycle"
run garbage garbage --device e1000e --plan nic-quick --boot-timeout 30
error garbage "^result channel: garbage on serial:.* bytes outside text before GRUB's ready line"
run wrongcmd wrongcmd --device e1000e --plan nic-quick --boot-timeout 30
error wrongcmd "another command line than certify typed at GRUB's prompt: from byte [0-9]+ it reads ' pci.irq=intx'"
run badcrc badcrc --device e1000e --plan nic-quick --boot-timeout 30
error badcrc "^result channel: serial line: a frame whose CRC-32 is 71a19c2d, not 12345678"
# A kernel that hangs in a test is the driver's failure, as under QEMU: within the plan's
# timeout (a copy of nic-quick with 15 s), the test it was in blamed with its last log line;
# a machine that reboots in a test fails as a reset.
mkdir -p "$T/plans"
sed 's/^timeout = .*/timeout = 15/; s/^name = .*/name = nic-hang/' "$plans/nic-quick.plan" > "$T/plans/nic-hang.plan"
plans_q=$plans plans=$T/plans
run hang hang --device e1000e --plan nic-hang
run reboot reboot --device e1000e --plan nic-hang
plans=$plans_q
rc=$(cat "$T/hang.rc")
if [ "$rc" = 1 ] && [ "$(jq -r '.configurations[0].reason' "$T/hang.json")" = "timeout: timeout: no end within 15 s" ] &&
   jq -r '.configurations[0].tests[] | select(.name == "integrity" and .status == "fail") | .message' "$T/hang.json" |
   grep -q "^hung: no result within the plan's timeout of 15 s, .*its last log line: \[  1.000001\] nic.integrity: round 2$"; then
	ok "serial: a kernel hung in a test fails it within the plan's timeout"
else
	bad "serial: a hung kernel" "exit $rc, reason: $(jq -r '.configurations[0].reason' "$T/hang.json" 2>/dev/null | head -c 300)"
fi
rc=$(cat "$T/reboot.rc")
if [ "$rc" = 1 ] && [ "$(jq -r '.configurations[0].outcome' "$T/reboot.json")" = reset ] &&
   jq -r '.configurations[0].tests[] | select(.name == "integrity" and .status == "fail") | .message' "$T/reboot.json" |
   grep -q "^the machine reset itself in this test: the machine rebooted: GRUB's ready line again after the kernel's hello$"; then
	ok "serial: a machine that reboots in a test fails (reset)"
else
	bad "serial: a rebooting machine" "exit $rc, reason: $(jq -r '.configurations[0].reason' "$T/reboot.json" 2>/dev/null | head -c 300)"
fi
# the lab's power control failing is an error before anything boots
"$CERTIFY" run --plans "$plans" --target "$target" --power-cycle "echo relay 3 unreachable >&2; exit 3" \
	--device e1000e --plan nic-quick --json > "$T/power.json" 2> "$T/power.err"
echo $? > "$T/power.rc"
error power "^harness: --power-cycle 'echo relay 3 unreachable >&2; exit 3' failed \(wait status 768\): relay 3 unreachable"

# usage: one line naming the bad input, nothing stored
expect "serial: --power-cycle without --target" 2 "$CERTIFY" run --device e1000e --power-cycle true
has "serial: --power-cycle without --target: message" "$T/err" "^certify: --power-cycle: only with --target serial:PATH$"
expect "serial: a bad baud rate" 2 "$CERTIFY" run --device e1000e --target serial:/dev/ttyS0,12345
has "serial: a bad baud rate: message" "$T/err" "^certify: --target serial:/dev/ttyS0,12345: baud '12345' is not one of"
expect "serial: --jobs 2 on one machine" 2 "$CERTIFY" run --device e1000e --target serial:/dev/ttyS0 --jobs 2
has "serial: --jobs 2 on one machine: message" "$T/err" "^certify: --jobs 2: a bare-metal target is one machine"
expect "serial: submit refuses a target" 2 "$CERTIFY" submit --device e1000e --target serial:/dev/ttyS0
has "serial: submit refuses a target: message" "$T/err" "^certify: submit --target: "
if [ "$(q 'select count(*) from runs' 2>/dev/null || echo 0)" = 9 ]; then ok "serial: usage errors stored nothing"
else bad "serial: usage errors stored nothing" "$(q 'select count(*) from runs' 2>&1) runs, expected 9"; fi
exit "$failed"
