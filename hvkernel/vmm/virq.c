/*
 * Interrupt delivery to a VM's vCPU (include/vmm/virq.h). Before each entry the highest
 * vector the local APIC would deliver is injected through the backend (EVENTINJ, APM
 * vol. 2, 15.20) when the guest can take it; when it cannot (RFLAGS.IF clear, an
 * interrupt shadow, an event already being injected) the backend is asked for the
 * interrupt window (15.21.4) and the vector waits in IRR. A vector leaves IRR only when it
 * is injected, and an injection the exit interrupted is re-injected by the backend, so
 * none is lost or delivered twice.
 */
#include <hv/errno.h>
#include <kern/vcpu.h>
#include <vmm/virq.h>
#include <vmm/vlapic.h>
#include <vmm/vm.h>

int virq_attach(struct vm *vm)
{
	if (vm->lapic)
		return 0;
	vm->lapic = vlapic_create(vm);
	if (!vm->lapic)
		return -HV_ENOSPC;
	vm->ioapic = vioapic_create(vm);
	if (!vm->ioapic) {
		vlapic_destroy(vm->lapic);
		vm->lapic = 0;
		return -HV_ENOSPC;
	}
	return 0;
}

void virq_detach(struct vm *vm)
{
	vlapic_destroy(vm->lapic);	/* stops the timer first */
	vioapic_destroy(vm->ioapic);
	vm->lapic = 0;
	vm->ioapic = 0;
}

void virq_prepare(struct vm *vm)
{
	struct vlapic *l = vm->lapic;
	struct vcpu *v = vm->vcpu;

	vlapic_timer_poll(l);
	int vec = vlapic_pending(l);
	if (vec >= 0 && vcpu_irq_ready(v)) {
		vlapic_accept(l, (uint8_t)vec);
		vcpu_inject_irq(v, (uint8_t)vec);
		vm->irq.injected++;
		vec = vlapic_pending(l);	/* a higher one may follow once the guest allows */
	}
	if (vec >= 0)
		vm->irq.windows++;
	vcpu_irq_window(v, vec >= 0);
}

bool virq_wake(struct vm *vm)
{
	vlapic_timer_poll(vm->lapic);
	return vlapic_pending(vm->lapic) >= 0;
}
