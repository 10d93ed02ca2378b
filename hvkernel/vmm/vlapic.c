/*
 * The emulated local APIC of a VM (the register subset is listed in include/vmm/virq.h):
 * IRR and ISR as 256-bit sets, the task and processor priorities, EOI, and the spurious
 * vector register; the timer is in vlapic_timer.c. IRR may be set from interrupt context
 * or by another VM's exit (a frame through the virtual switch), so it is updated with
 * atomics; ISR, TPR and the rest belong to the vCPU's own exits.
 */
#include <arch/lapicreg.h>
#include <hv/errno.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/timer.h>
#include <vmm/virq.h>
#include <vmm/vlapic.h>
#include <vmm/vm.h>

#define VLAPIC_VERSION		0x00050014u	/* integrated APIC, 6 LVT entries (max index 5) */
#define VLAPIC_LOG_MAX		16		/* log lines per VM before going quiet */

void vlapic_refuse(struct vlapic *l, const char *fmt, ...)
{
	va_list ap;
	char msg[96];

	l->vm->irq.refused++;
	if (l->vm->irq.refused > VLAPIC_LOG_MAX)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	klog("vm %s: %s", l->vm->name, msg);
}

/* Highest vector in a set, or -1. */
static int vlapic_highest(const uint32_t *set)
{
	for (int w = 7; w >= 0; w--) {
		uint32_t bits = __atomic_load_n(&set[w], __ATOMIC_ACQUIRE);
		if (bits)
			return w * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

/* SDM vol. 3, 10.8.3.1: PPR is TPR, or the class of the highest in-service vector when
 * that is higher. */
static uint32_t vlapic_ppr(const struct vlapic *l)
{
	int isrv = vlapic_highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

bool vlapic_raise(struct vlapic *l, uint8_t vector)
{
	if (vector < 16) {
		__atomic_fetch_or(&l->esr_pending, LAPIC_ESR_RX_ILLEGAL, __ATOMIC_RELAXED);
		return false;
	}
	if (!(l->svr & LAPIC_SVR_ENABLE)) {
		__atomic_fetch_add(&l->vm->irq.dropped, 1, __ATOMIC_RELAXED);
		return false;
	}
	uint32_t bit = 1u << (vector % 32);
	return !(__atomic_fetch_or(&l->irr[vector / 32], bit, __ATOMIC_RELEASE) & bit);
}

int vlapic_pending(struct vlapic *l)
{
	int v = vlapic_highest(l->irr);

	if (v < 0 || ((uint32_t)v & 0xf0) <= (vlapic_ppr(l) & 0xf0))
		return -1;
	return v;
}

void vlapic_accept(struct vlapic *l, uint8_t vector)
{
	__atomic_fetch_and(&l->irr[vector / 32], ~(1u << (vector % 32)), __ATOMIC_ACQ_REL);
	l->isr[vector / 32] |= 1u << (vector % 32);
}

/* EOI retires the highest in-service vector (10.8.5); the I/O APIC hears of it for
 * level-triggered inputs. */
static void vlapic_eoi(struct vlapic *l)
{
	int v = vlapic_highest(l->isr);

	if (v < 0)
		return;
	l->isr[v / 32] &= ~(1u << (v % 32));
	vioapic_eoi(l->vm, (uint8_t)v);
}

/*
 * The LAPIC page is registered once (by APIC ID 0's LAPIC) but each vCPU sees its own
 * APIC there, as on hardware: the access belongs to the vCPU this physical CPU is running.
 */
static struct vlapic *vlapic_of_access(struct vm *vm, void *dev)
{
	struct vm_vcpu *vc = vm_vcpu_current();

	return vc && vc->vm == vm && vc->lapic ? vc->lapic : dev;
}

static uint32_t vlapic_read(struct vm *vm, void *dev, uint64_t off, unsigned size)
{
	struct vlapic *l = vlapic_of_access(vm, dev);

	if (size != 4 || off & 0xf) {
		vlapic_refuse(l, "lapic: %u-byte read at 0x%llx refused (aligned 32-bit only)", size,
			      (unsigned long long)off);
		return 0;
	}
	if (off >= LAPIC_ISR && off < LAPIC_ISR + 0x80)
		return l->isr[(off - LAPIC_ISR) / 16];
	if (off >= LAPIC_TMR && off < LAPIC_TMR + 0x80)
		return 0;
	if (off >= LAPIC_IRR && off < LAPIC_IRR + 0x80) {
		vlapic_timer_poll(l);	/* IRR as of now, not as of the host's last tick */
		return __atomic_load_n(&l->irr[(off - LAPIC_IRR) / 16], __ATOMIC_ACQUIRE);
	}
	if (off >= LAPIC_LVT_TIMER && off <= LAPIC_LVT_ERROR)
		return l->lvt[(off - LAPIC_LVT_TIMER) / 16];
	switch (off) {
	case LAPIC_ID: return l->id << 24;	/* 10.4.6: the ID in bits 31:24 */
	case LAPIC_VERSION: return VLAPIC_VERSION;
	case LAPIC_TPR: return l->tpr;
	case LAPIC_APR: return 0;
	case LAPIC_PPR: return vlapic_ppr(l);
	case LAPIC_LDR: return l->ldr;
	case LAPIC_DFR: return l->dfr;
	case LAPIC_SVR: return l->svr;
	case LAPIC_ESR: return l->esr;
	case LAPIC_ICR_LO: return l->icr_lo;	/* delivery status: always sent */
	case LAPIC_ICR_HI: return l->icr_hi;
	case LAPIC_TIMER_INIT: return l->timer_init;
	case LAPIC_TIMER_CUR: return vlapic_timer_current(l);
	case LAPIC_TIMER_DIV: return l->timer_div;
	case LAPIC_EOI: return 0;
	default:
		vlapic_refuse(l, "lapic: read of register 0x%llx, not emulated, reads 0", (unsigned long long)off);
		return 0;
	}
}

/* An LVT entry other than the timer's: stored so the guest reads back what it wrote,
 * never fires (no thermal, performance, LINT or error interrupts here). */
static void vlapic_write_lvt(struct vlapic *l, uint64_t off, uint32_t v)
{
	if (!(v & LAPIC_LVT_MASKED) && (v & 0xff) < 16 && ((v >> 8) & 7) == 0) {
		__atomic_fetch_or(&l->esr_pending, LAPIC_ESR_RX_ILLEGAL, __ATOMIC_RELAXED);
		vlapic_refuse(l, "lapic: LVT 0x%llx vector %u refused (0-15 are reserved)",
			      (unsigned long long)off, v & 0xff);
		return;
	}
	l->lvt[(off - LAPIC_LVT_TIMER) / 16] = v & 0x1f7ff;
}

static void vlapic_write(struct vm *vm, void *dev, uint64_t off, unsigned size, uint32_t v)
{
	struct vlapic *l = vlapic_of_access(vm, dev);

	if (size != 4 || off & 0xf) {
		vlapic_refuse(l, "lapic: %u-byte write at 0x%llx refused (aligned 32-bit only)", size,
			      (unsigned long long)off);
		return;
	}
	switch (off) {
	case LAPIC_TPR: l->tpr = v & 0xff; break;
	case LAPIC_EOI: vlapic_eoi(l); break;
	case LAPIC_LDR: l->ldr = v & 0xff000000u; break;
	case LAPIC_DFR: l->dfr = v | 0x0fffffffu; break;
	case LAPIC_SVR:
		l->svr = v & 0x3ff;
		if (!(v & LAPIC_SVR_ENABLE))	/* 10.4.7.2: disabling masks every LVT entry */
			for (unsigned i = 0; i < VLAPIC_NLVT; i++)
				l->lvt[i] |= LAPIC_LVT_MASKED;
		break;
	case LAPIC_ESR: l->esr = __atomic_exchange_n(&l->esr_pending, 0, __ATOMIC_RELAXED); break;
	case LAPIC_LVT_TIMER: vlapic_timer_set_lvt(l, v); break;
	case LAPIC_LVT_THERMAL: case LAPIC_LVT_PERF: case LAPIC_LVT_LINT0: case LAPIC_LVT_LINT1:
	case LAPIC_LVT_ERROR:
		vlapic_write_lvt(l, off, v);
		break;
	case LAPIC_TIMER_INIT: vlapic_timer_set_init(l, v); break;
	case LAPIC_TIMER_DIV: vlapic_timer_set_div(l, v); break;
	case LAPIC_ICR_HI: l->icr_hi = v & 0xff000000u; break;
	case LAPIC_ICR_LO: vlapic_ipi(l, v); break;
	default:
		vlapic_refuse(l, "lapic: write of 0x%x to register 0x%llx ignored (read-only or not "
			      "emulated)", v, (unsigned long long)off);
		break;
	}
}

static const struct vm_mmio_ops vlapic_ops = { vlapic_read, vlapic_write };

struct vlapic *vlapic_create(struct vm *vm, unsigned id)
{
	struct vlapic *l = kzalloc(sizeof(*l));

	if (!l)
		return 0;
	l->vm = vm;
	l->id = id;
	/* Reset state (10.4.7.1): software-disabled, spurious vector FFh, LVTs masked. */
	l->svr = 0xff;
	l->dfr = 0xffffffffu;
	for (unsigned i = 0; i < VLAPIC_NLVT; i++)
		l->lvt[i] = LAPIC_LVT_MASKED;
	if (id == 0 && vm_add_mmio(vm, VLAPIC_BASE, PAGE_SIZE, &vlapic_ops, l) < 0) {
		kfree(l);
		return 0;
	}
	return l;
}

void vlapic_destroy(struct vlapic *l)
{
	if (!l)
		return;
	vlapic_timer_stop(l);
	timer_cancel(&l->kick);
	kfree(l);
}
