#!/bin/sh
# /init of the Linux guest's initramfs (scripts/linux-guest.sh). What it prints on the
# console the VM configuration's `expect` lines check; its verdict leaves through
# hvkguest's exit hypercall (0: every step passed), never through its own word alone.
export PATH=/bin
mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "hvk-linux: init reached: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpus, uptime $(cut -d' ' -f1 /proc/uptime) s"
RC=0
HVK_DISK=; HVK_SEED=0; HVK_SECTORS=256
for a in $(cat /proc/cmdline); do
	case "$a" in
	hvk.disk=*) HVK_DISK=${a#*=} ;;
	hvk.seed=*) HVK_SEED=${a#*=} ;;
	hvk.sectors=*) HVK_SECTORS=${a#*=} ;;
	esac
done
for m in $(cat /lib/modules/load.list); do
	insmod "/lib/modules/$m" || { echo "hvk-linux: insmod $m failed"; RC=1; }
done
if [ -n "$HVK_DISK" ]; then
	i=0
	while [ ! -b "/dev/$HVK_DISK" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	hvkguest disk "/dev/$HVK_DISK" "$HVK_SEED" "$HVK_SECTORS" || RC=1
fi
echo "hvk-linux: done rc=$RC"
hvkguest exit $RC
poweroff -f
