/* 16550 UART registers (PC16550D datasheet, table 2). Offsets from the port base. */
#ifndef ARCH_UARTREG_H
#define ARCH_UARTREG_H

#define UART_COM1	0x3f8
#define UART_COM2	0x2f8

#define UART_RBR	0	/* receive buffer (read, DLAB=0) */
#define UART_THR	0	/* transmit holding (write, DLAB=0) */
#define UART_DLL	0	/* divisor latch low (DLAB=1) */
#define UART_IER	1	/* interrupt enable (DLAB=0) */
#define UART_DLM	1	/* divisor latch high (DLAB=1) */
#define UART_IIR	2	/* interrupt identification (read) */
#define UART_FCR	2	/* FIFO control (write) */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define UART_SCR	7	/* scratch */

#define UART_LCR_8N1	0x03
#define UART_LCR_DLAB	0x80
#define UART_FCR_ENABLE	0x07	/* enable and clear both FIFOs */
#define UART_IIR_FIFO	0xc0	/* both set: the FIFOs are enabled (a 16550A) */
#define UART_FIFO_DEPTH	16	/* transmit FIFO bytes of a 16550A */
#define UART_MCR_DTR_RTS 0x03
#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_THRE	0x20	/* transmit holding register empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty: FIFO and shift register */

#endif
