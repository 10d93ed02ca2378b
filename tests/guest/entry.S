/* Guest test OS entry: 32-bit protected mode, paging off, ESP at the top of RAM, ESI = the
 * test the hypervisor asks for, EDI = the seed of its tagged disk writes (a VM config's
 * seed = N; 0 otherwise). */
	.section .text.entry, "ax"
	.code32
	.globl	_start
_start:
	pushl	%edi
	pushl	%esi
	call	guest_main
	movl	%eax, %ebx
1:	movl	$1, %eax		/* hypercall EXIT, code in EBX */
	vmmcall
	jmp	1b

/* A secondary vCPU (VM_HC_VCPU_START): same mode, ESP as the starter asked, ESI = its
 * index. Done, it halts with interrupts off: the hypervisor takes it off the CPU. */
	.globl	guest_ap_start
guest_ap_start:
	pushl	%esi
	call	guest_ap_main
	cli
2:	hlt
	jmp	2b
	.section .note.GNU-stack, "", @progbits
