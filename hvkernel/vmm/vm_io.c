/*
 * A VM's port I/O (vmm/vm.c hands every IOIO exit here): COM1 as a 16550 (National
 * Semiconductor PC16550D datasheet, "Registers"; without FIFOs, i.e. what a driver's
 * probe calls a 16450), and the two 8259 mask registers. Every other port reads as
 * all-ones and ignores writes, as an empty ISA bus does, including the host's
 * isa-debug-exit port. The UART transmits at once: LSR always says THR empty; its
 * interrupt (IER.ETBEI, gated by MCR.OUT2 as on a PC) goes to I/O APIC input 4.
 */
#include <kern/string.h>
#include <vmm/linuxboot.h>
#include <vmm/vm.h>
#include <vmm/vm_io.h>

#define COM1		0x3f8
#define COM1_IRQ	4
#define UART_RBR_THR	0	/* DLAB=0 */
#define UART_IER	1
#define UART_IIR	2	/* read; FCR on write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7
#define UART_LCR_DLAB	0x80
#define UART_IER_ETBEI	0x02	/* THR-empty interrupt */
#define UART_MCR_OUT2	0x08	/* the PC's interrupt enable */
#define UART_IIR_NONE	0x01
#define UART_IIR_THRE	0x02
#define UART_LSR_IDLE	0x60	/* THRE | TEMT */
#define UART_MSR_LINES	0xb0	/* DCD, DSR, CTS: a terminal is there */

/* ACPI fixed hardware (ACPI 6.4, 4.8.3.1 PM1 event and 4.8.3.2 PM1 control registers),
 * as the FADT places it (vacpi.c): status reads 0 (no event ever happens), enable reads
 * back, control reads back with SCI_EN set (the machine is in ACPI mode: there is no SMI
 * to switch it). The SCI is never raised. */
#define PM1_BASE	VACPI_PM1_EVT
#define PM1_LEN		6
#define PM1_SCI_EN	0x01

#define PIC1_IMR	0x21
#define PIC2_IMR	0xa1

static void vm_uart_irq(struct vm *vm)
{
	struct vm_uart *u = &vm->uart;

	vioapic_set_line(vm, COM1_IRQ, u->thre_pending && (u->ier & UART_IER_ETBEI) && (u->mcr & UART_MCR_OUT2));
}

static uint8_t vm_uart_in(struct vm *vm, unsigned reg)
{
	struct vm_uart *u = &vm->uart;
	uint8_t v;

	switch (reg) {
	case UART_RBR_THR:
		return u->lcr & UART_LCR_DLAB ? u->dll : 0;	/* nothing is ever received */
	case UART_IER:
		return u->lcr & UART_LCR_DLAB ? u->dlm : u->ier;
	case UART_IIR:
		v = u->thre_pending && (u->ier & UART_IER_ETBEI) ? UART_IIR_THRE : UART_IIR_NONE;
		if (v == UART_IIR_THRE) {	/* reading IIR clears a THRE interrupt */
			u->thre_pending = false;
			vm_uart_irq(vm);
		}
		return v;
	case UART_LCR: return u->lcr;
	case UART_MCR: return u->mcr;
	case UART_LSR: return UART_LSR_IDLE;
	case UART_MSR: return UART_MSR_LINES;
	default: return u->scr;
	}
}

static void vm_uart_out(struct vm *vm, unsigned reg, uint8_t v)
{
	struct vm_uart *u = &vm->uart;

	switch (reg) {
	case UART_RBR_THR:
		if (u->lcr & UART_LCR_DLAB) {
			u->dll = v;
			return;
		}
		vm_console_putc(vm, (char)v);
		/* Sent at once: THR is empty again, a new THRE interrupt (a fresh edge). */
		u->thre_pending = false;
		vm_uart_irq(vm);
		u->thre_pending = true;
		break;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB) {
			u->dlm = v;
			return;
		}
		/* Enabling ETBEI with THR empty raises the interrupt at once (a 16550 does). */
		if ((v & UART_IER_ETBEI) && !(u->ier & UART_IER_ETBEI))
			u->thre_pending = true;
		u->ier = v & 0x0f;
		break;
	case UART_IIR: return;		/* FCR: no FIFOs to enable */
	case UART_LCR: u->lcr = v; return;
	case UART_MCR: u->mcr = v & 0x1f; break;
	case UART_SCR: u->scr = v; return;
	default: return;
	}
	vm_uart_irq(vm);
}

uint32_t vm_io_in(struct vm *vm, uint16_t port, unsigned size)
{
	uint32_t v = 0xffffffffu;

	if (size == 1 && port >= COM1 && port < COM1 + 8) {
		vm_lock(vm);
		v = vm_uart_in(vm, port - COM1);
		vm_unlock(vm);
	} else if (size == 1 && vm->linux_guest && (port == PIC1_IMR || port == PIC2_IMR)) {
		v = vm->pic_imr[port == PIC2_IMR];
	} else if (vm->linux_guest && port >= PM1_BASE && port + size <= PM1_BASE + PM1_LEN) {
		v = 0;
		for (unsigned i = 0; i < size; i++) {
			unsigned r = port - PM1_BASE + i;
			uint8_t b = r < 2 ? 0 : vm->pm1[r];
			if (r == 4)
				b |= PM1_SCI_EN;
			v |= (uint32_t)b << (8 * i);
		}
	}
	return v;
}

void vm_io_out(struct vm *vm, uint16_t port, unsigned size, uint32_t v)
{
	if (size == 1 && port >= COM1 && port < COM1 + 8) {
		vm_lock(vm);	/* one console line buffer for all the vCPUs */
		vm_uart_out(vm, port - COM1, (uint8_t)v);
		vm_unlock(vm);
	} else if (size == 1 && vm->linux_guest && (port == PIC1_IMR || port == PIC2_IMR)) {
		/* The 8259s: the mask reads back (how Linux finds a PIC, and keeps the ISA IRQs
		 * identity-mapped); they never raise an interrupt, the I/O APIC does. */
		vm->pic_imr[port == PIC2_IMR] = (uint8_t)v;
	} else if (vm->linux_guest && port >= PM1_BASE && port + size <= PM1_BASE + PM1_LEN) {
		for (unsigned i = 0; i < size; i++)
			vm->pm1[port - PM1_BASE + i] = (uint8_t)(v >> (8 * i));
	}
}
