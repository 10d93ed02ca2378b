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
HVK_DISK=; HVK_SEED=0; HVK_SECTORS=256; HVK_FAULT=; HVK_NET=
for a in $(cat /proc/cmdline); do
	case "$a" in
	hvk.disk=*) HVK_DISK=${a#*=} ;;
	hvk.seed=*) HVK_SEED=${a#*=} ;;
	hvk.sectors=*) HVK_SECTORS=${a#*=} ;;
	hvk.fault=*) HVK_FAULT=${a#*=} ;;
	hvk.net=*) HVK_NET=${a#*=} ;;
	esac
done
if [ -n "$HVK_FAULT" ]; then	# a fault test: the VMM must stop us here
	hvkguest fault "$HVK_FAULT"
	echo "hvk-linux: done rc=1 (the fault did not stop the VM)"
	hvkguest exit 1
fi
# Each module gets its MODULE.param=value words of the kernel command line, as modprobe
# would give them (insmod does not): virtio_mmio.device= is how the VMM announces devices.
for m in $(cat /lib/modules/load.list); do
	n=${m##*/}; n=${n%.ko}
	ARGS=
	for a in $(cat /proc/cmdline); do
		case "$a" in "$n".*=*) ARGS="$ARGS ${a#"$n".}" ;; esac
	done
	# shellcheck disable=SC2086
	insmod "/lib/modules/$m" $ARGS || { echo "hvk-linux: insmod $m failed"; RC=1; }
done
if [ -n "$HVK_DISK" ]; then
	i=0
	while [ ! -b "/dev/$HVK_DISK" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	hvkguest disk "/dev/$HVK_DISK" "$HVK_SEED" "$HVK_SECTORS" || RC=1
fi
if [ -n "$HVK_NET" ]; then
	# No IPv6 autoconfiguration: only our test frames leave the NIC.
	echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null
	echo 1 > "/proc/sys/net/ipv6/conf/$HVK_NET/disable_ipv6" 2>/dev/null
	i=0
	while [ ! -e "/sys/class/net/$HVK_NET" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	hvkguest net "$HVK_NET" || RC=1
fi
echo "hvk-linux: done rc=$RC"
hvkguest exit $RC
poweroff -f
