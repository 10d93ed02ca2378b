#!/bin/sh
# The Linux guest's files, from Debian's packages only (issue 19; docs/linux-guest.md):
#   OUT/vmlinuz            Debian's stock kernel (package linux-image-amd64's dependency)
#   OUT/initramfs.cpio.gz  busybox-static, the virtio-mmio modules of that kernel, and our
#                          init (tests/linux/init.sh) and test program (tests/linux/hvkguest.c)
# Usage: scripts/linux-guest.sh [OUT]   (default build/linux)
# Cached: the .debs stay in OUT/debs, so a second run neither downloads nor unpacks.
# Exit 0 with both files present; 2 when the packages cannot be had (no mirror, no
# apt-get): the tests that need them then SKIP with the reason in OUT/fetch.log.
set -eu
HERE=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$HERE/build/linux}
mkdir -p "$OUT/debs"
OUT=$(cd "$OUT" && pwd)
LOG=$OUT/fetch.log
cd "$OUT"

cannot() {
	echo "linux-guest: $*" | tee "$LOG" >&2
	exit 2
}

# 1. Debian packages: download only, nothing is installed. The kernel is whatever the
#    mirror's linux-image-amd64 depends on today, remembered in debs/kpkg so later runs
#    (and an unreachable mirror) keep using the cached one.
command -v apt-get >/dev/null 2>&1 || cannot "no apt-get on this host: cannot fetch Debian's linux-image-amd64"
if [ ! -s debs/kpkg ]; then
	K=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
	[ -n "$K" ] || cannot "apt-cache knows no linux-image-amd64 (run apt-get update?)"
	echo "$K" > debs/kpkg
fi
KPKG=$(cat debs/kpkg)
KV=${KPKG#linux-image-}
if ! ls debs/"${KPKG}"_*.deb >/dev/null 2>&1; then
	(cd debs && apt-get download "$KPKG" >/dev/null 2>&1) ||
		cannot "apt-get download $KPKG failed (no Debian mirror reachable?)"
fi
if ! ls debs/busybox-static_*.deb >/dev/null 2>&1; then
	(cd debs && apt-get download busybox-static >/dev/null 2>&1) ||
		cannot "apt-get download busybox-static failed (no Debian mirror reachable?)"
fi
if [ ! -f kpkg/boot/vmlinuz-"$KV" ]; then
	rm -rf kpkg && mkdir kpkg && dpkg-deb -x debs/"${KPKG}"_*.deb kpkg
fi
if [ ! -x bbpkg/bin/busybox ]; then
	rm -rf bbpkg && mkdir bbpkg && dpkg-deb -x debs/busybox-static_*.deb bbpkg
fi
BB=$OUT/bbpkg/bin/busybox
cp kpkg/boot/vmlinuz-"$KV" vmlinuz.tmp && mv vmlinuz.tmp vmlinuz

# 2. our test program, static
SRCS="$HERE/tests/linux/hvkguest.c $HERE/tests/linux/hvknet.c $HERE/hvkernel/lib/blkpat.c $HERE/hvkernel/lib/nicframe.c"
NEW=
for s in $SRCS "$HERE/tests/linux/hvknet.h"; do [ "$s" -nt hvkguest ] && NEW=1; done
if [ ! -x hvkguest ] || [ -n "$NEW" ]; then
	# shellcheck disable=SC2086
	gcc -static -O2 -Wall -Wextra -Werror -I"$HERE/hvkernel/include" -o hvkguest.tmp $SRCS
	mv hvkguest.tmp hvkguest
fi

# 3. the initramfs: rebuilt when an input is newer
if [ ! -f initramfs.cpio.gz ] || [ "$HERE/tests/linux/init.sh" -nt initramfs.cpio.gz ] ||
   [ hvkguest -nt initramfs.cpio.gz ] || [ vmlinuz -nt initramfs.cpio.gz ]; then
	R=$OUT/root
	rm -rf "$R" && mkdir -p "$R/bin" "$R/dev" "$R/proc" "$R/sys" "$R/tmp" "$R/lib/modules"
	ln -s bin "$R/sbin"
	cp "$BB" "$R/bin/busybox"
	for a in $("$BB" --list); do [ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"; done
	cp hvkguest "$R/bin/hvkguest"
	cp "$HERE/tests/linux/init.sh" "$R/init" && chmod 755 "$R/init"
	# virtio-mmio and the virtio block and net drivers, in dependency order: Debian builds
	# them as modules (modules.dep lists each one's dependencies)
	M=kpkg/lib/modules/$KV
	[ -f "$M/modules.dep" ] || "$BB" depmod -b kpkg "$KV"	# made by the package's postinst
	: > "$R/lib/modules/load.list"
	for want in virtio_mmio virtio_blk virtio_net; do
		for p in $(awk -v w="/$want.ko" 'index($1, w ":") || index($1, w ".xz:") || index($1, w ".zst:") {
			n = split($0, f, /[: ]+/); for (i = n; i >= 2; i--) if (f[i] != "") print f[i]; print f[1] }' "$M/modules.dep"); do
			p=${p%:}
			grep -qx "$p" "$R/lib/modules/load.list" && continue
			mkdir -p "$R/lib/modules/$(dirname "$p")"
			cp "$M/$p" "$R/lib/modules/$p"
			echo "$p" >> "$R/lib/modules/load.list"
		done
	done
	[ -s "$R/lib/modules/load.list" ] || cannot "no virtio modules found in $KPKG"
	(cd "$R" && find . | LC_ALL=C sort | "$BB" cpio -o -H newc 2>/dev/null) | gzip -9 > initramfs.tmp
	mv initramfs.tmp initramfs.cpio.gz
fi
rm -f "$LOG"
echo "$KPKG" > kernel.txt
