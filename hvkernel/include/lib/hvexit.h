/*
 * The kernel's exit codes and the QEMU exit status each becomes: the one definition the
 * kernel (which writes them to isa-debug-exit) and the host (which reads QEMU's status)
 * share. docs/result-channel.md, "Exit codes", documents them.
 */
#ifndef LIB_HVEXIT_H
#define LIB_HVEXIT_H

#define HV_EXIT_PASS	0x10	/* ran to the end; every test passed (or there were none) */
#define HV_EXIT_FAIL	0x11	/* at least one test failed */
#define HV_EXIT_ERROR	0x12	/* a test had an error, or the command line was bad */
#define HV_EXIT_POLICY	0x13	/* the hardware policy refused to boot */
#define HV_EXIT_PANIC	0x1f	/* exception or failed assertion */

/* The I/O port of QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4). */
#define HV_EXIT_PORT	0xf4

/* QEMU's exit status for code written to isa-debug-exit (hw/misc/debugexit.c). */
#define HV_EXIT_QEMU_STATUS(code)	(((code) << 1) | 1)

/* QEMU's exit status when the guest reset itself under -no-reboot (a triple fault). */
#define HV_EXIT_QEMU_RESET	0

#endif
