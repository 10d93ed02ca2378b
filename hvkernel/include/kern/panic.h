/* Fatal errors: print what is known, report it on the result channel, leave QEMU. */
#ifndef KERN_PANIC_H
#define KERN_PANIC_H

/* The exit codes kexit writes to isa-debug-exit: HV_EXIT_*, shared with the host. */
#include <lib/hvexit.h>

struct trapframe;

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void panic_trap(struct trapframe *tf) __attribute__((noreturn));
/* Leave QEMU through isa-debug-exit; on hardware without it, halt for good. */
void kexit(int code) __attribute__((noreturn));

#define KASSERT(cond) \
	do { if (!(cond)) panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); } while (0)

#endif
