/*
 * Misbehaviour on purpose, so the host side can prove it copes: a kernel that hangs with
 * interrupts off, one that triple-faults, and one that writes garbage on the result
 * channel. Manual tests: they run only when named ("test=harness.hang").
 */
#include <arch/cpu.h>
#include <arch/uartreg.h>
#include <kern/ktest.h>
#include <kern/uart.h>

KTEST_MANUAL(harness, hang)
{
	(void)t;
	cpu_cli();
	for (;;)
		cpu_hlt();
	return KTEST_FAIL;
}

/* An empty IDT turns the breakpoint into #GP, #DF, then a triple fault: the CPU resets
 * (APM vol. 2, 8.2.9), which QEMU with -no-reboot turns into an exit. */
KTEST_MANUAL(harness, reset)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) empty = { 0, 0 };

	(void)t;
	__asm__ volatile("lidt %0; int3" :: "m"(empty));
	return KTEST_FAIL;
}

KTEST_MANUAL(harness, garbage)
{
	static const char junk[] = "\x01\xff this is not a result line\nHVR9 nonsense\n";

	(void)t;
	uart_write(UART_COM2, junk, sizeof(junk) - 1);
	return KTEST_PASS;
}
