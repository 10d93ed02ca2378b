/*
 * Polled 16550 UART. Interrupts stay off: the console must work from the first line of
 * kmain to the last line of a panic, with or without a working interrupt controller.
 */
#include <arch/cpu.h>
#include <arch/uartreg.h>
#include <kern/uart.h>

/* Bytes that may follow one look at THRE, per port: COM1, COM2, any other. */
static uint8_t uart_bursts[3] = { 1, 1, 1 };

static uint8_t *uart_burst(uint16_t base)
{
	return &uart_bursts[base == UART_COM1 ? 0 : base == UART_COM2 ? 1 : 2];
}

void uart_init(uint16_t base)
{
	outb(base + UART_IER, 0);
	outb(base + UART_LCR, UART_LCR_DLAB);
	outb(base + UART_DLL, 1);	/* 115200 baud */
	outb(base + UART_DLM, 0);
	outb(base + UART_LCR, UART_LCR_8N1);
	outb(base + UART_FCR, UART_FCR_ENABLE);
	outb(base + UART_MCR, UART_MCR_DTR_RTS);
	/* A 16550A reports its FIFOs on in IIR bits 7:6; an 8250 or 16450 has none and
	 * holds one byte (PC16550D datasheet, 8.6 and 8.4). */
	*uart_burst(base) = (inb(base + UART_IIR) & UART_IIR_FIFO) == UART_IIR_FIFO ?
			    UART_FIFO_DEPTH : 1;
}

/*
 * Waits for THRE before every burst, for as long as it takes up to UART_STUCK_TSC. With the
 * FIFOs on, THRE means the transmit FIFO is empty (PC16550D datasheet, 8.4, LSR bit 5), so
 * a burst is up to 16 bytes and costs one status read instead of sixteen, and goes out with
 * one string instruction: each port access is a VM exit under a hypervisor, a string one
 * exit for the whole burst, and the boot log is several kilobytes. A real
 * 16550 shifts its bytes out at the baud rate whether anyone listens or not; an emulated
 * one holds THRE clear while its backend is full (QEMU's socket to a host that is not
 * reading), and a byte written then overwrites one still queued: the host loses it. A
 * loaded host once missed bytes of the result channel after the old cap of 100 000 reads
 * (tens of milliseconds). An absent UART reads 0xff, THRE included, so it never waits; a
 * broken one that never sets THRE costs each byte the cap, not the machine.
 */
#define UART_STUCK_TSC	(30ull * 1000 * 1000 * 1000)	/* 10 s at 3 GHz, before calibration too */

uint64_t uart_bytes;

void uart_write(uint16_t base, const char *s, unsigned long n)
{
	unsigned long burst = *uart_burst(base);

	uart_bytes += n;
	for (unsigned long i = 0; i < n; i += burst) {
		if (!(inb(base + UART_LSR) & UART_LSR_THRE)) {
			uint64_t t0 = rdtsc();

			while (!(inb(base + UART_LSR) & UART_LSR_THRE) && rdtsc() - t0 < UART_STUCK_TSC)
				cpu_pause();
		}
		outsb(base + UART_THR, s + i, n - i < burst ? n - i : burst);
	}
}

void uart_drain(uint16_t base)
{
	uint64_t t0 = rdtsc();

	/* An absent UART reads 0xff, TEMT included. QEMU's 16550 keeps in its FIFO what its
	 * backend did not take yet, and an exit (isa-debug-exit) would drop it: the result
	 * channel's last record came out cut ('HVR1 end passed=8 ... err') once the writes
	 * became 16-byte bursts. */
	while (!(inb(base + UART_LSR) & UART_LSR_TEMT) && rdtsc() - t0 < UART_STUCK_TSC)
		cpu_pause();
}

int uart_getc(uint16_t base)
{
	uint8_t lsr = inb(base + UART_LSR);

	if (lsr == 0xff || !(lsr & UART_LSR_DR))
		return -1;
	return inb(base + UART_RBR);
}
