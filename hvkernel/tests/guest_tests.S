/*
 * Tiny test guests, 32-bit protected mode with paging off, loaded at guest-physical
 * 0x1000 (GUEST_LOAD) and entered with ESI = ((count << 8) | program). They are data to
 * the hypervisor (copied into guest memory), hence .rodata. Addresses inside the blob are
 * computed relative to its start so they are right at the guest's load address.
 */
#define GUEST_LOAD	0x1000
#define GADDR(x)	((x) - guest_tests_start + GUEST_LOAD)
#define HC_NOP		0
#define HC_EXIT		1

	.section .rodata.guest, "a"
	.code32
	.globl	guest_tests_start, guest_tests_end
guest_tests_start:
	movl	%esi, %ebx
	andl	$0xff, %ebx
	shrl	$8, %esi			/* ESI = count for the loops */
	cmpl	$11, %ebx
	jae	bad_program
	jmp	*GADDR(programs)(, %ebx, 4)

	.align 4
programs:
	.long	GADDR(p_hello), GADDR(p_vmmcall), GADDR(p_read_out), GADDR(p_write_out)
	.long	GADDR(p_msr), GADDR(p_io), GADDR(p_triple), GADDR(p_fill)
	.long	GADDR(p_hlt), GADDR(p_cpuid), GADDR(p_spin)

/* Exit with code EBX. */
exit_ebx:
	movl	$HC_EXIT, %eax
	vmmcall
	jmp	exit_ebx

bad_program:
	movl	$0xbad, %ebx
	jmp	exit_ebx

/* 0: print a line on the VM's 16550, polling LSR like a real driver. */
p_hello:
	movl	$GADDR(hello_msg), %edi
1:	movb	(%edi), %al
	testb	%al, %al
	jz	3f
	movw	$0x3fd, %dx
2:	inb	%dx, %al
	testb	$0x20, %al
	jz	2b
	movw	$0x3f8, %dx
	movb	(%edi), %al
	outb	%al, %dx
	incl	%edi
	jmp	1b
3:	xorl	%ebx, %ebx
	jmp	exit_ebx

/* 1: ESI no-op hypercalls: the round-trip benchmark. */
p_vmmcall:
	movl	%esi, %ecx
1:	testl	%ecx, %ecx
	jz	2f
	movl	$HC_NOP, %eax
	vmmcall
	decl	%ecx
	jmp	1b
2:	xorl	%ebx, %ebx
	jmp	exit_ebx

/* 2: read far outside guest RAM. */
p_read_out:
	movl	0x40000000, %eax
	movl	$1, %ebx
	jmp	exit_ebx

/* 3: write where the host's local APIC lives (an attempt on the host). */
p_write_out:
	movl	$0xdead, 0xfee00000
	movl	$1, %ebx
	jmp	exit_ebx

/* 4: read the host's SVM save-area MSR; exit code = what we got (must be 0). */
p_msr:
	movl	$0xc0010117, %ecx
	rdmsr
	orl	%edx, %eax
	movl	%eax, %ebx
	movl	$0xc0000080, %ecx	/* and try to turn off EFER.SVME */
	xorl	%eax, %eax
	xorl	%edx, %edx
	wrmsr
	jmp	exit_ebx

/* 5: poke the host's isa-debug-exit port and PCI config ports; exit code = what 0xcfc read. */
p_io:
	movw	$0xf4, %dx
	movl	$0x1f, %eax
	outl	%eax, %dx
	movw	$0xcf8, %dx
	movl	$0x80000000, %eax
	outl	%eax, %dx
	movw	$0xcfc, %dx
	inl	%dx, %eax
	movl	%eax, %ebx
	jmp	exit_ebx

/* 6: a breakpoint with no IDT: #GP, #DF, then shutdown. */
p_triple:
	int3
	movl	$1, %ebx
	jmp	exit_ebx

/* 7: fill all of guest RAM above the first 64 KiB with a pattern (ESI = RAM size). */
p_fill:
	movl	$0x10000, %edi
1:	cmpl	%esi, %edi
	jae	2f
	movl	%edi, (%edi)
	addl	$4, %edi
	jmp	1b
2:	xorl	%ebx, %ebx
	jmp	exit_ebx

/* 8: halt with interrupts off. */
p_hlt:
	cli
	hlt
	movl	$1, %ebx
	jmp	exit_ebx

/* 9: exit code = CPUID 8000_0001h ECX bit 2 (SVM), which the VMM must hide. */
p_cpuid:
	movl	$0x80000001, %eax
	cpuid
	movl	%ecx, %ebx
	andl	$4, %ebx
	jmp	exit_ebx

/* 10: busy guest: ESI rounds of 2^20 loop iterations with no exit at all in between,
 * printing '.' on the console after each round via the PUTC hypercall, then exit. Only
 * the scheduler's timer can take the CPU from it. */
p_spin:
1:	testl	%esi, %esi
	jz	3f
	movl	$0x100000, %ecx
2:	decl	%ecx
	jnz	2b
	movl	$2, %eax
	movl	$'.', %ebx
	vmmcall
	decl	%esi
	jmp	1b
3:	movl	$2, %eax
	movl	$10, %ebx
	vmmcall
	xorl	%ebx, %ebx
	jmp	exit_ebx

hello_msg:
	.asciz	"hello from the guest\n"
guest_tests_end:
