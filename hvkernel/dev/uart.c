/*
 * Polled 16550 UART. Interrupts stay off: the console must work from the first line of
 * kmain to the last line of a panic, with or without a working interrupt controller.
 */
#include <arch/cpu.h>
#include <arch/uartreg.h>
#include <kern/uart.h>

void uart_init(uint16_t base)
{
	outb(base + UART_IER, 0);
	outb(base + UART_LCR, UART_LCR_DLAB);
	outb(base + UART_DLL, 1);	/* 115200 baud */
	outb(base + UART_DLM, 0);
	outb(base + UART_LCR, UART_LCR_8N1);
	outb(base + UART_FCR, UART_FCR_ENABLE);
	outb(base + UART_MCR, UART_MCR_DTR_RTS);
}

void uart_write(uint16_t base, const char *s, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		/* On a real 16550 we must wait for THRE; an absent UART reads 0xff, which
		 * also has THRE set, so this never spins forever. */
		for (int spin = 0; spin < 100000; spin++)
			if (inb(base + UART_LSR) & UART_LSR_THRE)
				break;
		outb(base + UART_THR, (uint8_t)s[i]);
	}
}

int uart_getc(uint16_t base)
{
	uint8_t lsr = inb(base + UART_LSR);

	if (lsr == 0xff || !(lsr & UART_LSR_DR))
		return -1;
	return inb(base + UART_RBR);
}
