/* The guest test OS image (tests/guest/, built by mk/kernel.mk) as data in the kernel. */
	.section .rodata.guest, "a"
	.balign 16
	.globl	guest_os_start, guest_os_end
guest_os_start:
	.incbin	"build/guest/os.bin"
guest_os_end:
