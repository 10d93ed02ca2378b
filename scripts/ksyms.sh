#!/bin/sh
# Emit an assembly file with the kernel's function symbols, sorted by address, for
# backtraces (hvkernel/kern/ksym.c reads the .ksyms section).
# usage: ksyms.sh STAGE1.elf > ksyms.S
set -eu
nm -n --defined-only "$1" | awk '
$2 ~ /^[tT]$/ { addr[n] = $1; name[n] = $3; n++ }
END {
	print "\t.section .ksyms, \"a\""
	print "\t.balign 8"
	for (i = 0; i < n; i++)
		printf "\t.quad 0x%s, .Lksym%d\n", addr[i], i
	print "\t.section .rodata.ksymstr, \"a\""
	for (i = 0; i < n; i++)
		printf ".Lksym%d:\t.asciz \"%s\"\n", i, name[i]
}'
