/*
 * Interprocessor interrupts between a VM's vCPUs through the emulated local APIC's ICR
 * (SDM vol. 3, 10.6.1): fixed delivery of a vector to the APIC whose ID (its vCPU's index)
 * is in ICR high 31:24 (physical destination), or to a shorthand's set: self, all
 * including self, all excluding self. The vector lands in the target's IRR (atomic, as
 * for any source); a halted target is then runnable, a running one takes it at its next
 * entry (no cross-CPU kick: within its CPU's next tick). INIT and start-up IPIs, NMI, SMI,
 * lowest priority and logical destinations are refused with a log line: secondary vCPUs
 * start by the VM_HC_VCPU_START hypercall. Called from a vCPU's MMIO exit (vm->lock held).
 */
#include <arch/lapicreg.h>
#include <vmm/virq.h>
#include <vmm/vlapic.h>
#include <vmm/vm.h>

static bool vlapic_ipi_hits(const struct vlapic *from, const struct vlapic *to, unsigned shorthand)
{
	switch (shorthand) {
	case LAPIC_ICR_SELF: return to == from;
	case LAPIC_ICR_ALL: return true;
	case LAPIC_ICR_OTHERS: return to != from;
	default: return to->id == from->icr_hi >> 24;
	}
}

void vlapic_ipi(struct vlapic *l, uint32_t v)
{
	struct vm *vm = l->vm;
	unsigned vec = v & 0xff, mode = (v >> LAPIC_ICR_DELMODE_SHIFT) & 7;
	unsigned shorthand = (v >> LAPIC_ICR_SHORTHAND_SHIFT) & 3;
	int sent = 0;

	l->icr_lo = v & ~LAPIC_ICR_PENDING;
	if (mode != 0 || (v & LAPIC_ICR_LOGICAL && !shorthand)) {
		vlapic_refuse(l, "lapic: IPI 0x%x refused (fixed delivery to a physical APIC ID or a "
			      "shorthand only; vCPUs start by hypercall)", v);
		return;
	}
	if (vec < 16) {
		__atomic_fetch_or(&l->esr_pending, LAPIC_ESR_TX_ILLEGAL, __ATOMIC_RELAXED);
		vlapic_refuse(l, "lapic: IPI vector %u refused (0-15 are reserved)", vec);
		return;
	}
	for (int i = 0; i < vm->nvcpus; i++) {
		struct vlapic *t = vm->vcpus[i].lapic;
		if (!t || !vlapic_ipi_hits(l, t, shorthand))
			continue;
		if (vlapic_raise(t, (uint8_t)vec))	/* else it merges into the pending one */
			__atomic_fetch_add(&vm->irq.ipis, 1, __ATOMIC_RELAXED);
		sent++;
	}
	if (!sent && !shorthand)
		vlapic_refuse(l, "lapic: IPI to APIC ID %u: no such vCPU", l->icr_hi >> 24);
}
