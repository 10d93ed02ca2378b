/* Interrupt entry stubs for every vector: each pushes its number (in 16 bytes, so the IDT
 * can point at isr_stubs + 16 * vector) and joins isr_common, which saves the registers
 * and calls irq_dispatch(vector). Exceptions with an error code never return (the
 * dispatcher ends the guest), so the stack layout difference does not matter. */
	.text
	.code32
	.globl	isr_stubs
	.balign	16
isr_stubs:
	.set	vec, 0
	.rept	256
	.balign	16
	pushl	$vec
	jmp	isr_common
	.set	vec, vec + 1
	.endr

isr_common:
	pushal
	movl	36(%esp), %eax		/* the interrupted EIP, for the shadow test */
	movl	%eax, irq_frame_eip
	pushl	32(%esp)		/* the vector */
	call	irq_dispatch
	addl	$4, %esp
	popal
	addl	$4, %esp
	iret

	.globl	irq_frame_eip
	.data
	.balign	4
irq_frame_eip:
	.long	0
	.text

/* Load our own GDT (the VMM's points at nothing: the first segment load, an interrupt's
 * CS, would fault) and reload every segment register from it. */
	.globl	gdt_load
gdt_load:
	movl	4(%esp), %eax
	lgdt	(%eax)
	ljmp	$0x08, $1f
1:	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	ret
	.section .note.GNU-stack, "", @progbits
