/*
 * Application-processor start-up code. A started AP begins in real mode at the page the
 * SIPI names (Intel SDM vol. 3, 8.4.4 "MP initialization example"; AMD APM vol. 2, 16.5):
 * we copy this blob to SMP_TRAMPOLINE (0x8000) and patch the parameters at its end. It goes
 * to protected mode, then long mode on the kernel's page tables, and calls the entry with
 * the CPU index. Everything here is addressed relative to the load address.
 */
#include <arch/bootdefs.h>

#define SMP_TRAMPOLINE	0x8000
#define T(x)		((x) - ap_tramp_start + SMP_TRAMPOLINE)

	.section .rodata.apboot, "a"
	.globl	ap_tramp_start, ap_tramp_end, ap_tramp_params
	.code16
ap_tramp_start:
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds
	lgdtl	T(ap_gdt_ptr)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $T(ap_pm32)

	.code32
ap_pm32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	%cr4, %eax
	orl	$(CR4_PAE | CR4_PGE), %eax
	movl	%eax, %cr4
	movl	T(ap_cr3), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	T(ap_efer), %eax	/* LME, and NXE when the boot CPU uses it */
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_WP), %eax
	movl	%eax, %cr0
	ljmpl	$0x18, $T(ap_lm64)

	.code64
ap_lm64:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movq	T(ap_stack), %rsp
	movl	T(ap_cpu), %edi
	xorq	%rbp, %rbp
	movq	T(ap_entry), %rax
	call	*%rax
1:	cli
	hlt
	jmp	1b

	.align 8
ap_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.quad	0x00af9a000000ffff	/* 0x18: 64-bit code */
ap_gdt_ptr:
	.short	ap_gdt_ptr - ap_gdt - 1
	.long	T(ap_gdt)
	.align 8
ap_tramp_params:			/* struct smp_tramp_params in smp.c */
ap_cr3:		.quad 0
ap_stack:	.quad 0
ap_entry:	.quad 0
ap_cpu:		.long 0
ap_efer:	.long 0
ap_tramp_end:
