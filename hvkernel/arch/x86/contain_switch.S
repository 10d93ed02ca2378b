/*
 * The stack switch of kern/contain.c.
 *
 * int contain_switch(struct contain_call *c, int (*fn)(void *), void *arg, void *stack_top)
 *
 * Saves the callee-saved registers on the caller's stack and that stack pointer in
 * c->boot_rsp (the first member), then runs fn(arg) on stack_top (16-byte aligned). A
 * normal return comes back through contain_resume with fn's result. An abandoned call comes
 * back the same way from a trap handler: it rewrites the trap frame so that iretq lands on
 * contain_resume with rsp = c->boot_rsp and rax = the error (kern/contain.c). The driver's
 * stack is never returned to. iretq also ends the NMI-blocked state when the handler was
 * an NMI (APM vol. 2, 8.2.2).
 */
	.text
	.code64
	.globl	contain_switch
	.globl	contain_resume
contain_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rdi, %rbx
	movq	%rcx, %rsp
	xorl	%ebp, %ebp		/* backtraces of the driver stop at its stack's base */
	movq	%rdx, %rdi
	call	*%rsi
	movq	(%rbx), %rsp
contain_resume:
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
