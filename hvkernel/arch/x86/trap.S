/*
 * Interrupt and exception entry stubs. Each vector pushes a dummy error code when the CPU
 * does not (vectors 8, 10-14, 17, 21, 29, 30 push their own: APM vol. 2, 8.2), then its
 * number, and joins trap_common, which saves the general registers as struct trapframe.
 */
	.text
	.code64

	.macro	TRAP_STUB vec
	.align 16
trap_stub_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
	.endm

	.altmacro
	.set	i, 0
	.rept	256
	TRAP_STUB %i
	.set	i, i + 1
	.endr

trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	call	trap_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector and error code */
	iretq

	.macro	TRAP_ADDR vec
	.quad	trap_stub_\vec
	.endm

	.section .rodata
	.align 8
	.globl	trap_stubs
trap_stubs:
	.set	i, 0
	.rept	256
	TRAP_ADDR %i
	.set	i, i + 1
	.endr
