/*
 * Interrupt delivery to a VM's vCPUs (include/vmm/virq.h), each through its own local APIC. Before each entry the highest
 * vector the local APIC would deliver is injected through the backend (EVENTINJ, APM
 * vol. 2, 15.20) when the guest can take it; when it cannot (RFLAGS.IF clear, an
 * interrupt shadow, an event already being injected) the backend is asked for the
 * interrupt window (15.21.4) and the vector waits in IRR. A vector leaves IRR only when it
 * is injected, and an injection the exit interrupted is re-injected by the backend, so
 * none is lost or delivered twice.
 */
#include <hv/errno.h>
#include <kern/log.h>
#include <kern/timer.h>
#include <kern/vcpu.h>
#include <vmm/virq.h>
#include <vmm/vlapic.h>
#include <vmm/vm.h>

int virq_attach_vcpu(struct vm_vcpu *vc)
{
	vc->lapic = vlapic_create(vc->vm, (unsigned)vc->index);
	return vc->lapic ? 0 : -HV_ENOSPC;
}

int virq_attach(struct vm *vm)
{
	if (vm->lapic)
		return 0;
	for (int i = 0; i < vm->nvcpus; i++)
		if (virq_attach_vcpu(&vm->vcpus[i]) < 0)
			goto free_lapics;
	vm->lapic = vm->vcpus[0].lapic;
	vm->ioapic = vioapic_create(vm);
	if (!vm->ioapic)
		goto free_lapics;
	return 0;

free_lapics:
	for (int i = 0; i < vm->nvcpus; i++) {
		vlapic_destroy(vm->vcpus[i].lapic);
		vm->vcpus[i].lapic = 0;
	}
	vm->lapic = 0;
	return -HV_ENOSPC;
}

void virq_detach(struct vm *vm)
{
	for (int i = 0; i < vm->nvcpus; i++) {
		vlapic_destroy(vm->vcpus[i].lapic);	/* stops the timer first */
		vm->vcpus[i].lapic = 0;
	}
	vioapic_destroy(vm->ioapic);
	vm->lapic = 0;
	vm->ioapic = 0;
}

static void virq_kick(void *arg)
{
	(void)arg;	/* the tick's interrupt itself makes the exit */
}

/*
 * A vector is pending but the last exit left the guest inside an interrupt shadow (a host
 * interrupt arrived right after its STI). QEMU's SVM before 9.1 does not reload the shadow
 * on VMRUN (VMCB int_state), so an interrupt window asked for now would open at once, one
 * instruction early: a guest idling with STI;HLT would handle its interrupt, then halt and
 * sleep forever. So the window stays shut and the shadow's instruction runs first; the
 * interrupt waits for the next exit, which a host timer brings within a millisecond (a HLT
 * exits at once, and wakes on the pending vector).
 */
/* The VM's counters are shared by its vCPUs, which may run at once: atomic adds. */
#define virq_count(vm, field)	__atomic_fetch_add(&(vm)->irq.field, 1, __ATOMIC_RELAXED)

static void virq_hold_for_shadow(struct vm_vcpu *vc)
{
	virq_count(vc->vm, shadow_held);
	timer_start(&vc->lapic->kick, 1000, virq_kick, 0);
	vcpu_irq_window(vc->hw, false);
}

void virq_prepare(struct vm_vcpu *vc)
{
	struct vlapic *l = vc->lapic;
	struct vcpu *v = vc->hw;

	vlapic_timer_poll(l);
	int vec = vlapic_pending(l);
	if (vec >= 0 && vcpu_irq_shadow(v)) {
		virq_hold_for_shadow(vc);
		return;
	}
	if (vec >= 0 && vcpu_irq_ready(v)) {
		vlapic_accept(l, (uint8_t)vec);
		vcpu_inject_irq(v, (uint8_t)vec);
		virq_count(vc->vm, injected);
		vec = vlapic_pending(l);	/* a higher one may follow once the guest allows */
	}
	if (vec >= 0)
		virq_count(vc->vm, windows);
	vcpu_irq_window(v, vec >= 0);
}

bool virq_wake(struct vm_vcpu *vc)
{
	vlapic_timer_poll(vc->lapic);
	return vlapic_pending(vc->lapic) >= 0;
}

/* One log line of the interrupt state, for a guest that seems stuck. */
void virq_log_state(struct vm *vm)
{
	struct vlapic *l = vm->lapic;
	struct vcpu_regs *r = vcpu_regs(vm->vcpu);

	if (!l)
		return;
	int irr = -1, isr = -1;
	for (int w = 7; w >= 0 && (irr < 0 || isr < 0); w--) {
		if (irr < 0 && l->irr[w])
			irr = w * 32 + 31 - __builtin_clz(l->irr[w]);
		if (isr < 0 && l->isr[w])
			isr = w * 32 + 31 - __builtin_clz(l->isr[w]);
	}
	klog("vm %s: irq state: irr %d isr %d tpr 0x%x svr 0x%x lvt 0x%x pending %d halted %d rip 0x%llx "
	     "rflags 0x%llx ready %d", vm->name, irr, isr, l->tpr, l->svr, l->lvt[0], vlapic_pending(l),
	     vm->vcpus[0].halted, (unsigned long long)r->rip, (unsigned long long)r->rflags, vcpu_irq_ready(vm->vcpu));
	vioapic_log_state(vm);
}
