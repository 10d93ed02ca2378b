/* Fatal errors: print what is known, report it on the result channel, leave QEMU. */
#ifndef KERN_PANIC_H
#define KERN_PANIC_H

struct trapframe;

/* Exit codes written to isa-debug-exit (docs/result-channel.md). */
#define HV_EXIT_PASS	0x10
#define HV_EXIT_FAIL	0x11
#define HV_EXIT_ERROR	0x12
#define HV_EXIT_POLICY	0x13
#define HV_EXIT_PANIC	0x1f

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void panic_trap(struct trapframe *tf) __attribute__((noreturn));
/* Leave QEMU through isa-debug-exit; on hardware without it, halt for good. */
void kexit(int code) __attribute__((noreturn));

#define KASSERT(cond) \
	do { if (!(cond)) panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); } while (0)

#endif
