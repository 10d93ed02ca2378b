#!/bin/sh
# Build a GRUB ISO (BIOS and UEFI) that boots hvkernel with Multiboot 2 and its modules.
# usage: mkiso.sh OUT.iso STAGING-DIR KERNEL.elf MODULES-DIR CMDLINE [HCL.bin]
set -eu
out=$1 dir=$2 kernel=$3 mods=$4 cmdline=$5 hcl=${6:-}
for tool in grub-mkrescue xorriso mformat; do
	command -v "$tool" >/dev/null || { echo "mkiso: $tool is missing (sh scripts/deps.sh installs it)" >&2; exit 1; }
done
[ -d /usr/lib/grub/i386-pc ] || { echo "mkiso: GRUB for BIOS (grub-pc-bin) is missing" >&2; exit 1; }
[ -d /usr/lib/grub/x86_64-efi ] || { echo "mkiso: GRUB for UEFI (grub-efi-amd64-bin) is missing" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir/boot/grub" "$dir/boot/modules"
cp "$kernel" "$dir/boot/hvkernel.elf"
cp "$mods"/*.hvm "$dir/boot/modules/"
[ -n "$hcl" ] && cp "$hcl" "$dir/boot/hcl.bin"
# The boot modules of a menu entry.
modlines() {
	for m in "$dir"/boot/modules/*.hvm; do
		b=$(basename "$m")
		echo "	module2 /boot/modules/$b $b"
	done
	[ -n "$hcl" ] && echo "	module2 /boot/hcl.bin hcl.bin"
	echo "	boot"
}
# The second entry is certify's on a serial target (docs/certify.md, "Bare-metal target"):
# certify sees the ready line, presses the entry's hotkey 'x' within the hidden timeout, and
# types the configuration's kernel command line at the prompt; without it the first entry
# boots after the timeout.
{
	echo "# hvkit: boots hvkernel with Multiboot 2 (BIOS and UEFI)."
	echo "set timeout=${MKISO_PROMPT_S:-3}"
	echo "set timeout_style=hidden"
	echo "serial --unit=0 --speed=115200"
	echo "terminal_input serial console"
	echo "terminal_output serial console"
	echo "echo \"hvkit-grub-ready: press x to type a kernel command line\""
	echo "menuentry \"hvkernel $(cat hvkernel/RELEASE)\" {"
	echo "	multiboot2 /boot/hvkernel.elf $cmdline"
	modlines
	echo "}"
	echo "menuentry \"hvkernel, the command line typed on the serial line\" --hotkey=x {"
	echo "	echo \"hvkit-cmdline>\""
	echo "	read hvkit_cmdline"
	echo "	multiboot2 /boot/hvkernel.elf \$hvkit_cmdline"
	modlines
	echo "}"
} > "$dir/boot/grub/grub.cfg"
# grub-mkrescue writes progress to stderr; keep it quiet unless it fails.
if ! grub-mkrescue -o "$out" "$dir" > "$dir.log" 2>&1; then
	cat "$dir.log" >&2
	exit 1
fi
echo "mkiso: $out ($(du -k "$out" | cut -f1) KiB): hvkernel, $(ls "$dir"/boot/modules | wc -l) modules${hcl:+, hcl.bin}"
