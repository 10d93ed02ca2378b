/*
 * hvkernel entry. Both boot protocols enter here in 32-bit protected mode with paging off:
 *  - Multiboot 1 (QEMU -kernel, GRUB "multiboot"): EAX = 0x2badb002, EBX = info.
 *    The header uses the a.out kludge (flag 16) so QEMU loads this ELF64 file by address
 *    (Multiboot spec 0.6.96, section 3.1.3).
 *  - Multiboot 2 (GRUB "multiboot2"): EAX = 0x36d76289, EBX = info (Multiboot2 spec 3.1.1).
 * We build an identity map of the first 4 GiB with 2 MiB pages, enter long mode
 * (AMD APM vol. 2, 14.6 "Enabling and activating long mode") and call kmain().
 */
#include <arch/bootdefs.h>

	.section .multiboot, "a"
	.align 4
mb1_header:
	.long	MB1_HEADER_MAGIC
	.long	MB1_HEADER_FLAGS
	.long	-(MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)
	.long	mb1_header		/* header_addr */
	.long	_kernel_start		/* load_addr */
	.long	_load_end		/* load_end_addr */
	.long	_kernel_end		/* bss_end_addr */
	.long	boot_entry32		/* entry_addr */

	.align 8
mb2_header:
	.long	MB2_HEADER_MAGIC
	.long	0			/* architecture: i386 protected mode */
	.long	mb2_end - mb2_header
	.long	-(MB2_HEADER_MAGIC + (mb2_end - mb2_header))
	.align 8			/* address tag: load by address, like the a.out kludge */
	.short	2, 0
	.long	24
	.long	mb2_header, _kernel_start, _load_end, _kernel_end
	.align 8			/* entry address tag */
	.short	3, 0
	.long	12
	.long	boot_entry32
	.align 8			/* page-align modules */
	.short	6, 0
	.long	8
	.align 8			/* end tag */
	.short	0, 0
	.long	8
mb2_end:

	.section .text.boot, "ax"
	.code32
	.globl	boot_entry32
boot_entry32:
	cli
	cld
	movl	%eax, boot_mb_magic
	movl	%ebx, boot_mb_info
	/* The first thing we do is read the TSC: boot timestamps are relative to it. */
	rdtsc
	movl	%eax, boot_entry_tsc
	movl	%edx, boot_entry_tsc + 4
	movl	$boot_stack_top, %esp

	/* Long mode present? CPUID 8000_0001h EDX bit 29 (APM vol. 3, appendix E.4.2). */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	btl	$29, %edx
	jnc	no_long_mode
	movl	%edx, %ebp		/* keep bit 20 (NX) for EFER below */

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages. */
	movl	$boot_pdpt, %eax
	orl	$(PTE_P | PTE_W), %eax
	movl	%eax, boot_pml4
	movl	$boot_pd, %eax
	orl	$(PTE_P | PTE_W), %eax
	xorl	%ecx, %ecx
1:	movl	%eax, boot_pdpt(, %ecx, 8)
	addl	$4096, %eax
	incl	%ecx
	cmpl	$4, %ecx
	jb	1b
	/* 2048 entries of 2 MiB cover 4 GiB. Everything is write-back here; paging.c
	 * marks the non-RAM ranges uncacheable once the memory map is known. */
	movl	$(PTE_P | PTE_W | PTE_PS), %eax
	xorl	%ecx, %ecx
2:	movl	%eax, boot_pd(, %ecx, 8)
	addl	$0x200000, %eax
	incl	%ecx
	cmpl	$2048, %ecx
	jb	2b

	movl	%cr4, %eax
	orl	$(CR4_PAE | CR4_PGE), %eax
	movl	%eax, %cr4
	movl	$boot_pml4, %eax
	movl	%eax, %cr3

	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	btl	$20, %ebp
	jnc	3f
	orl	$EFER_NXE, %eax
3:	wrmsr

	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_WP | CR0_PE), %eax
	movl	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$BOOT_CS, $boot_entry64

no_long_mode:
	/* Say why on COM1 and stop: there is nothing else we can do on such a CPU. */
	movl	$no_long_msg, %esi
4:	lodsb
	testb	%al, %al
	jz	5f
	movw	$0x3f8, %dx
	outb	%al, %dx
	jmp	4b
5:	movw	$0xf4, %dx		/* isa-debug-exit under QEMU, harmless elsewhere */
	movl	$0x1f, %eax
	outl	%eax, %dx
6:	hlt
	jmp	6b

	.code64
boot_entry64:
	movw	$BOOT_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs
	movq	$boot_stack_top, %rsp
	xorq	%rbp, %rbp		/* terminates backtraces */
	movl	boot_mb_magic(%rip), %edi
	movl	boot_mb_info(%rip), %esi
	call	kmain
7:	cli
	hlt
	jmp	7b

	.section .rodata
no_long_msg:
	.asciz	"hvkernel: this CPU has no long mode (x86_64); stopping\n"

	.align 8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff	/* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
	.short	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt

	.section .data
	.align 8
	.globl	boot_entry_tsc, boot_mb_magic, boot_mb_info
boot_entry_tsc:	.quad 0
boot_mb_magic:	.long 0
boot_mb_info:	.long 0

	.section .bss
	.align 4096
	.globl	boot_pml4, boot_pdpt, boot_pd
boot_pml4:	.space 4096
boot_pdpt:	.space 4096
boot_pd:	.space 4 * 4096
	.globl	boot_stack_top
boot_stack:	.space BOOT_STACK_SIZE
boot_stack_top:
