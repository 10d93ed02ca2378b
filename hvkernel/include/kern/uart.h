/* Polled 16550 UART access for the console (COM1) and the result channel (COM2). */
#ifndef KERN_UART_H
#define KERN_UART_H

#include <stdint.h>
#include <stdbool.h>

void uart_init(uint16_t base);
/* Bytes uart_write wrote since boot, on every port (the boot breakdown's console cost). */
extern uint64_t uart_bytes;
void uart_write(uint16_t base, const char *s, unsigned long n);
/* Wait until every byte written has left the port (LSR TEMT), for as long as uart_write
 * would wait: before the machine stops, so the last burst is not lost with it. */
void uart_drain(uint16_t base);
/* Return the next received byte, or -1 when none is waiting. */
int uart_getc(uint16_t base);

#endif
