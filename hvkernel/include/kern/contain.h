/*
 * Containment of driver probe and remove (kern/contain.c; docs/architecture.md,
 * "Containment"). A module driver's probe or remove runs on a stack of its own with a
 * deadline (driver.deadline_ms=, default CONTAIN_DEADLINE_MS). When it does not return in
 * time (the timer tick notices it when interrupts are on, the NMI watchdog when they are
 * off) or it faults in its own code, the kernel switches back to the caller's context from
 * the trap handler and never returns into the driver; the caller gets -HV_ETIMEDOUT or
 * -HV_EFAULT and disables the device (contain_fail_device).
 */
#ifndef KERN_CONTAIN_H
#define KERN_CONTAIN_H

#include <stdint.h>
#include <arch/trap.h>

struct pci_dev;
struct pci_driver;

#define CONTAIN_DEADLINE_MS	5000
#define CONTAIN_STACK_PAGES	8	/* the driver stack: 32 KiB, as the boot stack */

/* Kernel functions a stuck driver may be abandoned in: they hold no lock and leave no
 * kernel state half-changed (delays and clocks). The link puts them between
 * _contain_safe_start and _contain_safe_end. */
#define CONTAIN_SAFE	__attribute__((section(".text.contain_safe"), noinline))

/* What happened to a contained call. */
struct contain_report {
	const char *op;			/* "probe" or "remove" */
	const char *reason;		/* "timeout" or "fault" */
	const char *via;		/* "timer", "interrupt" (another device's, once the
					 * tick marked it expired), "nmi" or the exception */
	unsigned vector;		/* the exception, or the interrupt that regained control */
	uint64_t rip, cr2, us;
	char place[96];			/* "edu_probe+0x2c" (module function), else a hex address */
};

/* Read driver.deadline_ms= and install the NMI handler. Before any probe. */
void contain_init(void);

/*
 * Call drv->probe(d, id) (op "probe") or drv->remove(d) (op "remove") under containment
 * when drv belongs to a module; a kernel driver is called directly. Returns what probe
 * returned (0 for remove), or -HV_ETIMEDOUT / -HV_EFAULT when the call was abandoned, with
 * *rep filled.
 */
int contain_probe(struct pci_driver *drv, struct pci_dev *d, const void *id,
		  struct contain_report *rep);
int contain_remove(struct pci_driver *drv, struct pci_dev *d, struct contain_report *rep);

/* After an abandoned call: unwind what the driver registered for d (interrupts, timers in
 * its module), turn the device off (bus mastering and decode off, INTx disabled, a
 * function-level reset when the device has one), mark d failed, withdraw the driver so it
 * binds nothing more, and report it (log line and `drvfail` record). */
void contain_fail_device(struct pci_driver *drv, struct pci_dev *d, const struct contain_report *rep);

/* Trap hooks (arch/x86/idt.c). contain_trap_enter/exit bracket every trap; exit may
 * redirect the trap's return to the caller of an expired call. contain_fault is asked
 * before an unclaimed exception panics: 1 when it was the contained driver's and the
 * return now goes to the caller. */
int contain_trap_enter(struct trapframe *tf);
void contain_trap_exit(struct trapframe *tf, int nested);
int contain_fault(struct trapframe *tf);

/* Calls abandoned since boot. */
unsigned contain_count(void);

#endif
