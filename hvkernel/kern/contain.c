/*
 * Containment of a module driver's probe and remove (kern/contain.h; the design is in
 * docs/architecture.md, "Containment of driver probe and remove").
 *
 * One call at a time runs on the driver stack, a stack of its own; contain_switch
 * (arch/x86/contain_switch.S) saved the caller's registers on the caller's stack. The call
 * is abandoned, from a trap handler, when
 *   - its deadline passed and a timer tick interrupts it (interrupts on), or the NMI
 *     watchdog does (arch/x86/nmiwd.c: interrupts off, or the tick did not get it); or
 *   - it takes an exception in its own module's code.
 * Abandoning rewrites the trap frame: iretq "returns" to contain_resume on the caller's
 * stack with the caller's flags and an error in rax, so no handler returns into the driver
 * and an NMI's iretq still ends NMI blocking. It happens only at a safe point: the
 * interrupted code ran on the driver stack, not inside another trap handler, and in the
 * module's image or in a CONTAIN_SAFE kernel function (no kernel lock held, no kernel
 * state half-changed). Elsewhere the next tick or NMI tries again. The driver stack is
 * never reused after an abandoned call (a new one is allocated; the driver may have left
 * pointers into it).
 */
#include <arch/cpu.h>
#include <arch/nmiwd.h>
#include <arch/trap.h>
#include <hv/errno.h>
#include <hv/irq.h>
#include <kern/blkdev.h>
#include <kern/cmdline.h>
#include <kern/contain.h>
#include <kern/driver.h>
#include <kern/hvr.h>
#include <kern/ksym.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/module.h>
#include <kern/netdev.h>
#include <kern/panic.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/time.h>
#include <kern/timer.h>
#include <lib/elfmod.h>
#include <lib/fmt.h>

#define CONTAIN_RETRY_US	1000		/* tick while the deadline passed */
#define CONTAIN_NMI_GRACE_US	5000000		/* interrupts on: the tick's turn, unless it is dead */
#define RFLAGS_IF		0x200ull

struct contain_call {
	uint64_t boot_rsp;		/* first: contain_switch.S stores it here */
	uint64_t boot_rflags;
	uintptr_t stack_lo, stack_hi;	/* the driver stack */
	uintptr_t img_lo, img_hi;	/* the module's image */
	uint64_t start_us, deadline_us;
	volatile int expired;		/* the deadline timer fired */
	volatile int depth;		/* traps in progress on the driver stack */
	volatile int abandoned;
	uint64_t stuck_rbp, stuck_rsp;	/* the frame chain and stack where it was left */
	struct hv_timer timer;
	struct contain_report *rep;
	struct pci_driver *drv;
	struct pci_dev *dev;
	const void *id;
	int remove;
};

int contain_switch(struct contain_call *c, int (*fn)(void *), void *arg, void *stack_top);
void contain_resume(void);
extern const char _contain_safe_start[], _contain_safe_end[];

static struct contain_call *volatile contain_cur;
static uint8_t *contain_stack;
static uint64_t contain_deadline_us = CONTAIN_DEADLINE_MS * 1000ull;
static unsigned contain_abandoned;
static uint64_t contain_stray_nmis;

unsigned contain_count(void)
{
	return contain_abandoned;
}

static void contain_nmi(struct trapframe *tf, void *arg);

/* One driver.deadline_ms= value, "MS" or "NAME:MS": 1 and *us when it applies to name (a
 * NAME:MS for it, or MS for everyone when name is NULL), 0 when not, -1 when malformed. */
static int contain_deadline_word(const char *v, const char *name, uint64_t *us)
{
	const char *colon = strchr(v, ':'), *num = colon ? colon + 1 : v;
	uint64_t ms;

	if (str_to_u64(num, strlen(num), &ms) < 0 || ms == 0 || ms > 600000)
		return -1;
	if (colon ? !name || strlen(name) != (size_t)(colon - v) || strncmp(v, name, (size_t)(colon - v))
		  : name != 0)
		return 0;
	*us = ms * 1000;
	return 1;
}

/* The deadline for drv: its own NAME:MS, else the global MS, else the default. */
static uint64_t contain_deadline_for(const char *name)
{
	const char *v;
	uint64_t us;

	for (int i = 0; (v = cmdline_get_nth("driver.deadline_ms", i)); i++)
		if (contain_deadline_word(v, name, &us) == 1)
			return us;
	return contain_deadline_us;
}

void contain_init(void)
{
	const char *v;
	uint64_t us;

	for (int i = 0; (v = cmdline_get_nth("driver.deadline_ms", i)); i++) {
		int r = contain_deadline_word(v, 0, &us);
		if (r < 0)
			klog("driver: driver.deadline_ms=%s: expected MS or NAME:MS with MS in 1..600000; ignored", v);
		else if (r == 1)
			contain_deadline_us = us;
	}
	trap_set_handler(TRAP_NMI, contain_nmi, 0);
}

/* The interrupted code may be left for good: see the top of the file. */
static int contain_safe_point(const struct contain_call *c, const struct trapframe *tf, int fault)
{
	int own = (uintptr_t)tf >= c->stack_lo && (uintptr_t)tf < c->stack_hi;

	if (tf->rsp < c->stack_lo || tf->rsp > c->stack_hi || c->depth - own != 0)
		return 0;
	if (tf->rip >= c->img_lo && tf->rip < c->img_hi)
		return 1;
	/* A fault in kernel code is the kernel's: it panics. A delay is only waiting. */
	return !fault && tf->rip >= (uintptr_t)_contain_safe_start &&
	       tf->rip < (uintptr_t)_contain_safe_end;
}

static void contain_abandon(struct contain_call *c, struct trapframe *tf, int err,
			    const char *reason, const char *via)
{
	struct contain_report *r = c->rep;

	r->reason = reason;
	r->via = via;
	r->vector = (unsigned)tf->vector;
	r->rip = tf->rip;
	c->stuck_rbp = tf->rbp;
	c->stuck_rsp = tf->rsp;
	r->cr2 = tf->vector == TRAP_PF ? read_cr2() : 0;
	r->us = time_us() - c->start_us;
	c->abandoned = 1;
	tf->rip = (uint64_t)contain_resume;
	tf->rsp = c->boot_rsp;
	tf->rflags = c->boot_rflags;
	tf->rax = (uint32_t)err;
}

int contain_trap_enter(struct trapframe *tf)
{
	struct contain_call *c = contain_cur;

	if (!c || (uintptr_t)tf < c->stack_lo || (uintptr_t)tf >= c->stack_hi)
		return 0;
	c->depth++;
	return 1;
}

void contain_trap_exit(struct trapframe *tf, int nested)
{
	struct contain_call *c = contain_cur;

	if (!c)
		return;
	/* The tick, or any device interrupt that comes first once the tick marked it. */
	if (c->expired && !c->abandoned && tf->vector >= 32 && contain_safe_point(c, tf, 0))
		contain_abandon(c, tf, -HV_ETIMEDOUT, "timeout",
				tf->vector == IRQ_VEC_TIMER ? "timer" : "interrupt");
	if (nested)
		c->depth--;
}

static const char *contain_fault_name(unsigned v)
{
	switch (v) {
	case TRAP_DE: return "#DE divide error";
	case TRAP_BP: return "#BP breakpoint";
	case 4: return "#OF overflow";
	case 5: return "#BR bound range";
	case TRAP_UD: return "#UD invalid opcode";
	case 11: return "#NP segment not present";
	case 12: return "#SS stack fault";
	case TRAP_GP: return "#GP general protection";
	case TRAP_PF: return "#PF page fault";
	case 16: return "#MF x87 error";
	case 17: return "#AC alignment check";
	case 19: return "#XF SIMD error";
	default: return 0;	/* #DB, NMI, #DF, #MC...: never the driver's to answer for */
	}
}

int contain_fault(struct trapframe *tf)
{
	struct contain_call *c = contain_cur;
	const char *name = contain_fault_name((unsigned)tf->vector);

	if (!c || !name || c->abandoned || !contain_safe_point(c, tf, 1))
		return 0;
	contain_abandon(c, tf, -HV_EFAULT, "fault", name);
	return 1;
}

static void contain_nmi(struct trapframe *tf, void *arg)
{
	struct contain_call *c = contain_cur;
	uint64_t now = time_us();

	(void)arg;
	if (!c) {
		/* The watchdog's last period can still arrive after a call ended. */
		if (!nmiwd_started())
			panic_trap(tf);
		contain_stray_nmis++;
		return;
	}
	if (c->abandoned || now < c->deadline_us)
		return;
	/* Interrupts on: the first tick past the deadline regains it (a loaded host can
	 * slow the tick down; it still comes). The NMI takes over when that tick found no
	 * safe point, or when no tick came at all for CONTAIN_NMI_GRACE_US. */
	if ((tf->rflags & RFLAGS_IF) && !c->expired && now < c->deadline_us + CONTAIN_NMI_GRACE_US)
		return;
	if (contain_safe_point(c, tf, 0))
		contain_abandon(c, tf, -HV_ETIMEDOUT, "timeout", "nmi");
}

/* Runs in timer_tick: mark the call expired and keep the tick going until it is left. */
static void contain_deadline(void *arg)
{
	struct contain_call *c = arg;

	c->expired = 1;
	timer_start(&c->timer, CONTAIN_RETRY_US, contain_deadline, c);
}

static int contain_run(void *arg)
{
	struct contain_call *c = arg;

	if (c->remove) {
		c->drv->remove(c->dev);
		return 0;
	}
	return c->drv->probe(c->dev, c->id);
}

/* Left in a CONTAIN_SAFE kernel function: the driver's call into it, or 0. Those are leaf
 * functions or tail calls without a frame of their own, so the return address is on top
 * of the stack; else the saved frame pointers lead there. The driver stack is kept, never
 * reused, so it can be read after the call was left. */
static uint64_t contain_caller(const struct contain_call *c)
{
	uint64_t rbp = c->stuck_rbp, top;

	if (c->stuck_rsp >= c->stack_lo && c->stuck_rsp + 8 <= c->stack_hi) {
		top = *(uint64_t *)c->stuck_rsp;
		if (top - 1 >= c->img_lo && top - 1 < c->img_hi)
			return top - 1;
	}
	for (int i = 0; i < 8; i++) {
		if (rbp & 7 || rbp < c->stack_lo || rbp + 16 > c->stack_hi)
			return 0;
		uint64_t ret = ((uint64_t *)rbp)[1];
		if (ret - 1 >= c->img_lo && ret - 1 < c->img_hi)
			return ret - 1;
		rbp = ((uint64_t *)rbp)[0];
	}
	return 0;
}

/* The function of the module (or the kernel) at rip, for the report. */
static void contain_symbolize(const struct module *m, uint64_t rip, char *out, size_t n)
{
	struct elfmod em;
	struct elfmod_layout *lo = kzalloc(sizeof(*lo));
	const char *name;
	uint64_t off;

	fmt_snprintf(out, n, "0x%llx", (unsigned long long)rip);
	if (!lo)
		return;
	if (m && rip >= (uint64_t)m->base && rip < (uint64_t)m->base + m->npages * PAGE_SIZE &&
	    elfmod_parse(&em, m->image, m->image_size, 0) == 0 && elfmod_layout(&em, lo) == 0 &&
	    elfmod_symbolize(&em, lo, (uint64_t)m->base, rip, &name, &off) == 0)
		fmt_snprintf(out, n, "%s+0x%llx", name, (unsigned long long)off);
	else if ((name = ksym_lookup(rip, &off)))
		fmt_snprintf(out, n, "%s+0x%llx", name, (unsigned long long)off);
	kfree(lo);
}

static int contain_call_one(struct contain_call *c)
{
	struct module *m = c->drv->owner;
	int ret;

	if (!m || contain_cur)
		return contain_run(c);	/* the kernel's own drivers, and nested calls */
	if (!contain_stack && !(contain_stack = page_alloc(CONTAIN_STACK_PAGES)))
		return contain_run(c);	/* no memory for a stack: as before containment */
	c->stack_lo = (uintptr_t)contain_stack;
	c->stack_hi = c->stack_lo + CONTAIN_STACK_PAGES * PAGE_SIZE;
	c->img_lo = (uintptr_t)m->base;
	c->img_hi = c->img_lo + m->npages * PAGE_SIZE;
	c->boot_rflags = cpu_flags();
	c->start_us = time_us();
	uint64_t deadline = contain_deadline_for(c->drv->name);
	c->deadline_us = c->start_us + deadline;
	c->rep->reason = 0;
	c->rep->op = c->remove ? "remove" : "probe";
	timer_start(&c->timer, deadline, contain_deadline, c);
	nmiwd_start();
	contain_cur = c;
	ret = contain_switch(c, contain_run, c, (void *)c->stack_hi);
	contain_cur = 0;
	nmiwd_stop();
	timer_cancel(&c->timer);
	if (c->abandoned) {
		contain_abandoned++;
		contain_stack = 0;	/* kept, never reused: the driver may point into it */
		uint64_t caller = c->rep->rip - c->img_lo < c->img_hi - c->img_lo ? 0 : contain_caller(c);
		char in[64];

		contain_symbolize(m, c->rep->rip, c->rep->place, sizeof(c->rep->place));
		if (caller) {
			/* "edu_probe+0x1c0 in udelay+0x42": the driver's line matters most. */
			strlcpy(in, c->rep->place, sizeof(in));
			contain_symbolize(m, caller, c->rep->place, sizeof(c->rep->place));
			fmt_snprintf(c->rep->place + strlen(c->rep->place),
				     sizeof(c->rep->place) - strlen(c->rep->place), " in %s", in);
		}
	}
	return ret;
}

int contain_probe(struct pci_driver *drv, struct pci_dev *d, const void *id,
		  struct contain_report *rep)
{
	struct contain_call c = { .rep = rep, .drv = drv, .dev = d, .id = id };

	rep->reason = 0;
	return contain_call_one(&c);
}

int contain_remove(struct pci_driver *drv, struct pci_dev *d, struct contain_report *rep)
{
	struct contain_call c = { .rep = rep, .drv = drv, .dev = d, .remove = 1 };

	rep->reason = 0;
	return contain_call_one(&c);
}

/* Class devices the driver registered for d before it was abandoned. */
static void contain_unregister_classes(struct pci_dev *d)
{
	struct hv_netdev *nd;
	struct hv_blkdev *bd;

	do {
		for (nd = netdev_first(); nd && nd->pci != (struct hv_pci_dev *)d; nd = netdev_next(nd))
			;
		if (nd)
			netdev_remove(nd);
	} while (nd);
	do {
		for (bd = blkdev_first(); bd && (bd->pci != (struct hv_pci_dev *)d || blkdev_parent(bd));
		     bd = blkdev_next(bd))
			;
		if (bd)
			blkdev_remove_disk(bd);
	} while (bd);
}

/* Bus mastering, decode and INTx off, then a function-level reset when the device
 * advertises one (PCIe 6.0, 7.5.3.3 Device Capabilities bit 28; 6.6.2: wait 100 ms). */
static const char *contain_disable_device(struct pci_dev *d)
{
	uint16_t cmd = pci_cfg_read16(d, 0x04);

	pci_cfg_write16(d, 0x04, (uint16_t)((cmd & ~0x0007u) | 0x0400u));
	if (d->cap_pcie && (pci_cfg_read32(d, d->cap_pcie + 0x04) & (1u << 28))) {
		uint16_t ctl = pci_cfg_read16(d, d->cap_pcie + 0x08);
		pci_cfg_write16(d, d->cap_pcie + 0x08, ctl | 0x8000u);
		udelay(100000);
		return "flr";
	}
	return "off";
}

void contain_fail_device(struct pci_driver *drv, struct pci_dev *d, const struct contain_report *rep)
{
	struct module *m = drv->owner;
	char slot[16], detail[64] = "";

	if (d->irq_mode != PCI_IRQ_NONE)
		hv_pci_irq_free((struct hv_pci_dev *)d);
	if (m)
		timer_cancel_in(m->base, m->npages * PAGE_SIZE);
	contain_unregister_classes(d);
	const char *reset = contain_disable_device(d);
	d->driver = 0;
	d->drvdata = 0;
	d->firmware[0] = 0;	/* the next driver reads its own */
	d->failed = 1;
	strlcpy(d->failed_driver, drv->name, sizeof(d->failed_driver));
	if (m)
		m->failed = 1;
	if (rep->vector == TRAP_PF)
		fmt_snprintf(detail, sizeof(detail), ", address 0x%llx", (unsigned long long)rep->cr2);
	klog("driver: %s %s of %s abandoned: %s (%s%s) at %s after %llu ms; device %s, driver withdrawn",
	     drv->name, rep->op, pci_slot_name(d, slot), rep->reason, rep->via, detail, rep->place,
	     (unsigned long long)rep->us / 1000, reset);
	hvr_begin("drvfail");
	hvr_str("module", m ? m->info.name : "-");
	hvr_str("driver", drv->name);
	hvr_str("slot", pci_slot_name(d, slot));
	hvr_hex("vid", d->vendor, 4);
	hvr_hex("did", d->device, 4);
	hvr_str("op", rep->op);
	hvr_str("reason", rep->reason);
	hvr_str("via", rep->via);
	hvr_hex("rip", rep->rip, 16);
	hvr_str("place", rep->place);
	hvr_hex("addr", rep->cr2, 16);
	hvr_str("reset", reset);
	hvr_u64("us", rep->us);
	hvr_end();
	driver_withdraw(drv);
}
