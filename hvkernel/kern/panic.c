/*
 * Panic: the end of every unrecoverable error. It prints the message, the registers of a
 * trap, a frame-pointer backtrace with symbol names, sends a `panic` record on the result
 * channel and leaves QEMU with HV_EXIT_PANIC. It never returns and never reboots.
 */
#include <stdarg.h>
#include <arch/cpu.h>
#include <arch/trap.h>
#include <arch/uartreg.h>
#include <kern/hvr.h>
#include <kern/ksym.h>
#include <kern/log.h>
#include <kern/panic.h>
#include <kern/uart.h>
#include <lib/fmt.h>

static int panic_depth;

void kexit(int code)
{
	cpu_cli();
	uart_drain(UART_COM1);	/* the console and, on COM2, the result channel */
	uart_drain(UART_COM2);
	outl(0xf4, (uint32_t)code);	/* isa-debug-exit: QEMU exits with (code << 1) | 1 */
	for (;;)
		cpu_hlt();
}

static const char *panic_vector_name(unsigned v)
{
	static const char *const names[32] = {
		"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
		"#BR bound range", "#UD invalid opcode", "#NM device not available",
		"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
		"#NP segment not present", "#SS stack fault", "#GP general protection",
		"#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
		"#MC machine check", "#XF SIMD error", "#VE", "#CP control protection",
		"reserved", "reserved", "reserved", "reserved", "reserved", "reserved",
		"#HV", "#VC", "#SX security", "reserved",
	};
	return v < 32 ? names[v] : "interrupt";
}

static void panic_print_addr(int i, uint64_t addr)
{
	uint64_t off;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		kprintf("  #%-2d 0x%016llx %s+0x%llx\n", i, (unsigned long long)addr, name,
			(unsigned long long)off);
	else
		kprintf("  #%-2d 0x%016llx\n", i, (unsigned long long)addr);
}

/* Walk saved frame pointers. Every frame must lie inside identity-mapped low memory and
 * move up the stack, so a corrupt chain ends the walk instead of faulting again. */
static void panic_backtrace(uint64_t rip, uint64_t rbp)
{
	kprintf(" backtrace:\n");
	panic_print_addr(0, rip);
	for (int i = 1; i < 24 && rbp; i++) {
		if (rbp & 7 || rbp < 0x1000 || rbp >= 0x100000000ull)
			break;
		uint64_t *frame = (uint64_t *)rbp;
		uint64_t ret = frame[1];
		if (!ret)
			break;
		panic_print_addr(i, ret - 1);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
}

static __attribute__((noreturn)) void panic_finish(const char *msg, unsigned vector, uint64_t rip)
{
	hvr_begin("panic");
	hvr_str("msg", msg);
	hvr_u64("vector", vector);
	hvr_hex("rip", rip, 16);
	hvr_end();
	kexit(HV_EXIT_PANIC);
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	uint64_t rbp;

	cpu_cli();
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (panic_depth++)
		kexit(HV_EXIT_PANIC);	/* panicked while panicking: just leave */
	kprintf("\nPANIC: %s\n", msg);
	__asm__ volatile("movq %%rbp, %0" : "=r"(rbp));
	panic_backtrace((uint64_t)__builtin_return_address(0), rbp ? *(uint64_t *)rbp : 0);
	panic_finish(msg, 256, (uint64_t)__builtin_return_address(0));
}

void panic_trap(struct trapframe *tf)
{
	char msg[128];
	unsigned v = (unsigned)tf->vector;

	cpu_cli();
	if (panic_depth++)
		kexit(HV_EXIT_PANIC);
	fmt_snprintf(msg, sizeof(msg), "%s (vector %u) at 0x%llx", panic_vector_name(v), v,
		     (unsigned long long)tf->rip);
	kprintf("\nPANIC: %s\n", msg);
	kprintf(" error 0x%llx  cr2 0x%016llx  cr3 0x%016llx\n", (unsigned long long)tf->error,
		(unsigned long long)read_cr2(), (unsigned long long)read_cr3());
	kprintf(" rip 0x%016llx  cs 0x%llx  rflags 0x%llx  rsp 0x%016llx  ss 0x%llx\n",
		(unsigned long long)tf->rip, (unsigned long long)tf->cs,
		(unsigned long long)tf->rflags, (unsigned long long)tf->rsp,
		(unsigned long long)tf->ss);
	kprintf(" rax 0x%016llx  rbx 0x%016llx  rcx 0x%016llx\n", (unsigned long long)tf->rax,
		(unsigned long long)tf->rbx, (unsigned long long)tf->rcx);
	kprintf(" rdx 0x%016llx  rsi 0x%016llx  rdi 0x%016llx\n", (unsigned long long)tf->rdx,
		(unsigned long long)tf->rsi, (unsigned long long)tf->rdi);
	kprintf(" rbp 0x%016llx  r8  0x%016llx  r9  0x%016llx\n", (unsigned long long)tf->rbp,
		(unsigned long long)tf->r8, (unsigned long long)tf->r9);
	kprintf(" r10 0x%016llx  r11 0x%016llx  r12 0x%016llx\n", (unsigned long long)tf->r10,
		(unsigned long long)tf->r11, (unsigned long long)tf->r12);
	kprintf(" r13 0x%016llx  r14 0x%016llx  r15 0x%016llx\n", (unsigned long long)tf->r13,
		(unsigned long long)tf->r14, (unsigned long long)tf->r15);
	panic_backtrace(tf->rip, tf->rbp);
	panic_finish(msg, v, tf->rip);
}
