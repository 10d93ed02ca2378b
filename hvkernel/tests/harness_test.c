/*
 * Misbehaviour on purpose, so the host side can prove it copes: a kernel that hangs with
 * interrupts off, one that triple-faults, one that writes garbage on the result channel,
 * one that floods it, one that cuts a record short and one whose end record lies about its
 * counts, one that leaves a selected test unreported and one that reports a test it never
 * selected. Each must give the host an error or a failure, never a pass. Manual tests: they
 * run only when named ("test=harness.hang").
 */
#include <arch/cpu.h>
#include <arch/uartreg.h>
#include <kern/ktest.h>
#include <kern/panic.h>
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

/* Passing test records without end, faster than any suite writes them: the host must stop
 * reading (its record limit) and call the run an error, not grow until it runs out. */
KTEST_MANUAL(harness, flood)
{
	static const char rec[] = "HVR1 test suite=harness name=flood status=pass us=1 msg=\n";

	(void)t;
	for (;;)
		uart_write(UART_COM2, rec, sizeof(rec) - 1);
	return KTEST_FAIL;
}

/* A record cut off mid-line, then the exit code of a clean pass with no end record. */
KTEST_MANUAL(harness, truncate)
{
	static const char part[] = "HVR1 test suite=harness name=truncate sta";

	(void)t;
	uart_write(UART_COM2, part, sizeof(part) - 1);
	kexit(HV_EXIT_PASS);
	return KTEST_FAIL;
}

/* An end record claiming four passed tests when none was reported, and the exit code of a
 * pass: the counts disagree with the records, so the host must not believe either. */
KTEST_MANUAL(harness, lie)
{
	static const char end[] = "HVR1 end passed=4 failed=0 skipped=0 errors=0 status=pass\n";

	(void)t;
	uart_write(UART_COM2, end, sizeof(end) - 1);
	kexit(HV_EXIT_PASS);
	return KTEST_FAIL;
}

/* The exit code of a clean pass with no end record and no test record at all. */
KTEST_MANUAL(harness, silent)
{
	(void)t;
	kexit(HV_EXIT_PASS);
	return KTEST_FAIL;
}

/* A clean-looking end (counts that match the records: none) and the exit code of a pass,
 * before this selected test ever reports: the host must miss its test record. */
KTEST_MANUAL(harness, unreported)
{
	static const char end[] = "HVR1 end passed=0 failed=0 skipped=0 errors=0 status=pass\n";

	(void)t;
	uart_write(UART_COM2, end, sizeof(end) - 1);
	kexit(HV_EXIT_PASS);
	return KTEST_FAIL;
}

/* A passing record of a test the kernel never selected (nor has) in place of this one's,
 * summed up by a matching end and the exit code of a pass: a result from nowhere. */
KTEST_MANUAL(harness, unselected)
{
	static const char rec[] = "HVR1 test suite=harness name=ghost status=pass us=1 msg=\n"
				  "HVR1 end passed=1 failed=0 skipped=0 errors=0 status=pass\n";

	(void)t;
	uart_write(UART_COM2, rec, sizeof(rec) - 1);
	kexit(HV_EXIT_PASS);
	return KTEST_FAIL;
}
