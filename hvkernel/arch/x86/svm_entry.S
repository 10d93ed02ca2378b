/*
 * Enter a guest with VMRUN and come back (APM vol. 2, 15.5 "VMRUN instruction").
 * VMRUN switches only RAX, RSP, RIP, RFLAGS, segments and control registers; the other
 * general-purpose registers we swap by hand, and VMSAVE/VMLOAD swap the hidden state of
 * FS, GS, TR, LDTR and the syscall MSRs (15.5.2).
 *
 * void svm_vmrun(uint64_t vmcb_pa, struct vcpu_regs *regs, uint64_t host_vmcb_pa);
 * Called with GIF = 0 (CLGI) so no host interrupt lands between the swaps.
 */
#define R_RBX	8
#define R_RCX	16
#define R_RDX	24
#define R_RSI	32
#define R_RDI	40
#define R_RBP	48
#define R_R8	64
#define R_R9	72
#define R_R10	80
#define R_R11	88
#define R_R12	96
#define R_R13	104
#define R_R14	112
#define R_R15	120

	.text
	.code64
	.globl	svm_vmrun
svm_vmrun:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rsi			/* 16(%rsp): regs */
	pushq	%rdi			/* 8(%rsp): guest VMCB */
	pushq	%rdx			/* 0(%rsp): host save VMCB */
	movq	%rdx, %rax
	vmsave	%rax

	movq	%rsi, %rax
	movq	R_RBX(%rax), %rbx
	movq	R_RCX(%rax), %rcx
	movq	R_RDX(%rax), %rdx
	movq	R_RBP(%rax), %rbp
	movq	R_R8(%rax), %r8
	movq	R_R9(%rax), %r9
	movq	R_R10(%rax), %r10
	movq	R_R11(%rax), %r11
	movq	R_R12(%rax), %r12
	movq	R_R13(%rax), %r13
	movq	R_R14(%rax), %r14
	movq	R_R15(%rax), %r15
	movq	R_RSI(%rax), %rsi
	movq	R_RDI(%rax), %rdi

	movq	8(%rsp), %rax
	vmload	%rax
	vmrun	%rax
	vmsave	%rax

	movq	16(%rsp), %rax
	movq	%rbx, R_RBX(%rax)
	movq	%rcx, R_RCX(%rax)
	movq	%rdx, R_RDX(%rax)
	movq	%rbp, R_RBP(%rax)
	movq	%r8, R_R8(%rax)
	movq	%r9, R_R9(%rax)
	movq	%r10, R_R10(%rax)
	movq	%r11, R_R11(%rax)
	movq	%r12, R_R12(%rax)
	movq	%r13, R_R13(%rax)
	movq	%r14, R_R14(%rax)
	movq	%r15, R_R15(%rax)
	movq	%rsi, R_RSI(%rax)
	movq	%rdi, R_RDI(%rax)

	popq	%rax			/* host save VMCB */
	vmload	%rax
	addq	$16, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
