#!/bin/sh
# A QEMU VM playing a physical machine for certify's bare-metal target (serial-test.sh):
# certify only sees the console socket and runs these commands as the lab's power and link
# control. The VM boots the hvkit ISO with no isa-debug-exit, like a real machine, and its
# COM1 is the Unix socket DIR/console.sock.
# usage: serial-machine.sh start DIR KIND ISO   (re)start; KIND nic | storage | silent | garbage
#        | wrongcmd (boots another command line than the one typed) | badcrc (a garbled record)
#        | hang (stops after its first test) | reboot (GRUB again in the middle of a test)
#        serial-machine.sh link DIR             HVKIT_LINK=up|down HVKIT_MAC=...: set the link
#        serial-machine.sh stop DIR
set -eu
cmd=$1 dir=$2
# the system's python3 starts in a tenth of the time a pyenv shim takes
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
stop() {
	if [ -f "$dir/vm.pid" ]; then
		kill "$(cat "$dir/vm.pid")" 2>/dev/null || true
		i=0
		while kill -0 "$(cat "$dir/vm.pid")" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$(cat "$dir/vm.pid")" 2>/dev/null || true
		rm -f "$dir/vm.pid"
	fi
	rm -f "$dir/console.sock" "$dir/qmp.sock"
}
# The value of KEY= in the command line certify is about to type (HVKIT_CMDLINE).
word() { printf '%s\n' "${HVKIT_CMDLINE:-}" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }
case $cmd in
stop) stop; exit 0 ;;
link)
	case ${HVKIT_MAC:-} in
	52:54:00:aa:00:02) nd=nb ;;
	*) nd=na ;;
	esac
	[ "${HVKIT_LINK:-}" = up ] && up=true || up=false
	exec "$PY" - "$dir/qmp.sock" "$nd" "$up" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1]); f = s.makefile('rw')
def cmd(c):
    f.write(json.dumps(c) + '\n'); f.flush()
    while True:
        r = json.loads(f.readline())
        if 'return' in r: return
        if 'error' in r: sys.exit('set_link: %s' % r['error'])
json.loads(f.readline())
cmd({'execute': 'qmp_capabilities'})
cmd({'execute': 'set_link', 'arguments': {'name': sys.argv[2], 'up': sys.argv[3] == 'true'}})
PY
	;;
start) ;;
*) echo "serial-machine.sh: unknown command '$cmd'" >&2; exit 2 ;;
esac
kind=$3 iso=$4
stop
mkdir -p "$dir"
# CONSOLE=tcp:PORT: COM1 on a TCP port of 127.0.0.1 (a console server's raw port), else the
# Unix socket DIR/console.sock
case ${CONSOLE:-unix} in
tcp:*) serial="-serial tcp:127.0.0.1:${CONSOLE#tcp:},server=on,wait=on"; tcp=1 ;;
*) serial="-serial unix:$dir/console.sock,server=on,wait=on"; tcp= ;;
esac
base="-nodefaults -no-user-config -display none -machine pc -accel tcg -cpu max -smp 1 -m 256"
base="$base -qmp unix:$dir/qmp.sock,server=on,wait=off"
case $kind in
nic)
	dev="-cdrom $iso -boot d"
	dev="$dev -netdev hubport,id=na,hubid=1 -device e1000e,netdev=na,id=na,mac=52:54:00:aa:00:01,romfile="
	dev="$dev -netdev hubport,id=nb,hubid=1 -device e1000e,netdev=nb,id=nb,mac=52:54:00:aa:00:02,romfile="
	;;
storage)
	# the lab's fault injector: the sectors and flush the command line asks to fail
	rm -f "$dir/disk.img"
	truncate -s "$(word blk.bytes)" "$dir/disk.img"
	drv="if=none,id=d0,format=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$dir/disk.img"
	n=0
	if [ -n "$(word blk.eio_lba)" ]; then
		drv="$drv,file.inject-error.$n.event=read_aio,file.inject-error.$n.errno=5,file.inject-error.$n.sector=$(word blk.eio_lba)"
		n=$((n + 1))
	fi
	if [ -n "$(word blk.eio_wlba)" ]; then
		drv="$drv,file.inject-error.$n.event=write_aio,file.inject-error.$n.iotype=write,file.inject-error.$n.errno=5,file.inject-error.$n.sector=$(word blk.eio_wlba)"
		n=$((n + 1))
	fi
	if [ "$(word blk.eio_flush)" = 1 ]; then
		drv="$drv,file.inject-error.$n.event=flush_to_os,file.inject-error.$n.iotype=flush,file.inject-error.$n.errno=5,file.inject-error.$n.once=on"
	fi
	dev="-cdrom $iso -boot d -drive $drv -device nvme,serial=hvkserial0,drive=d0"
	;;
silent)
	dev=""		# no boot medium: SeaBIOS says nothing on the serial port
	;;
garbage)
	# not a VM: a console that sends random bytes, as a line at the wrong baud rate does
	setsid timeout 300 "$PY" - "$dir/console.sock" > "$dir/vm.log" 2>&1 <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
while True:
    c.sendall(os.urandom(512)); time.sleep(0.01)
PY
	echo $! > "$dir/vm.pid"
	i=0
	while [ ! -S "$dir/console.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	exit 0
	;;
wrongcmd|badcrc|hang|reboot)
	# not a VM: a console playing GRUB and a kernel that misbehaves on the line
	setsid timeout 300 "$PY" - "$dir/console.sock" "$kind" > "$dir/vm.log" 2>&1 <<'PY' &
import socket, sys, zlib
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
f = c.makefile('rwb', buffering=0)
def until(b):
    got = b''
    while not got.endswith(b):
        ch = f.read(1)
        if not ch: sys.exit(0)
        got += ch
    return got[:-len(b)]
def frame(rec, crc=None):
    f.write(b'@hvr %08x %s\n' % (zlib.crc32(rec) if crc is None else crc, rec))
f.write(b'GRUB\r\nhvkit-grub-ready: press x\r\n'); until(b'x')
f.write(b'hvkit-cmdline>\r\n'); typed = until(b'\r').decode()
if sys.argv[2] == 'wrongcmd': typed += ' pci.irq=intx'
esc = typed.replace('%', '%25').replace(' ', '%20')
f.write(b'[  0.000100] hvkernel\n')
frame(b'HVR1 hello release=0.1.0 arch=x86_64 cmdline=/boot/hvkernel.elf%20' + esc.encode())
frame(b'HVR1 selected tests=nic.integrity', 0x12345678 if sys.argv[2] == 'badcrc' else None)
if sys.argv[2] == 'reboot':
    f.write(b'[  1.000000] nic.integrity: round 1\nGRUB\r\nhvkit-grub-ready: press x\r\n')
if sys.argv[2] in ('hang', 'reboot'):
    f.write(b'[  1.000001] nic.integrity: round 2\n')
    until(b'never')
frame(b'HVR1 end passed=0 failed=0 skipped=0 errors=0 status=pass')
until(b'never')
PY
	echo $! > "$dir/vm.pid"
	i=0
	while [ ! -S "$dir/console.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	exit 0
	;;
*) echo "serial-machine.sh: unknown machine kind '$kind'" >&2; exit 2 ;;
esac
# certify kills what the power-cycle command leaves in its process group when it exits: the
# VM gets a session of its own (setsid), as a lab's long-lived helper must
# shellcheck disable=SC2086
setsid timeout 600 qemu-system-x86_64 $base $serial $dev > "$dir/vm.log" 2>&1 < /dev/null &
echo $! > "$dir/vm.pid"
if [ -n "$tcp" ]; then
	i=0
	while ! grep -q "waiting for connection" "$dir/vm.log" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	exit 0
fi
i=0
while [ ! -S "$dir/console.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$dir/console.sock" ] || { echo "serial-machine.sh: the VM did not start:" >&2; cat "$dir/vm.log" >&2; exit 1; }
