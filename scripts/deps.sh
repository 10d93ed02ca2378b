#!/bin/sh
# Install the Debian packages the build, the tests and the tools need.
# Idempotent and fast when everything is present: one dpkg-query, no apt call.
set -eu

PKGS="gcc make binutils libc6-dev qemu-system-x86 qemu-utils pciutils libpci-dev \
libjson-c-dev libcurl4-openssl-dev libssl-dev libcunit1-dev libsqlite3-dev sqlite3 libsodium-dev \
libxml2-utils chromium nginx jq python3-jsonschema clang libclang-rt-14-dev \
ovmf grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools time \
postgresql postgresql-contrib libpq-dev"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
