/*
 * Interrupts for guests: an emulated local APIC (vmm/vlapic.c, its timer in
 * vmm/vlapic_timer.c) and I/O APIC (vmm/vioapic.c) per VM, and the glue that turns a
 * pending vector into an injection when the guest can take it (vmm/virq.c). Each vCPU has
 * its own local APIC (APIC ID = vCPU index) behind the one LAPIC page: an access goes to
 * the LAPIC of the vCPU that made it, as on hardware. The I/O APIC delivers to APIC ID 0
 * (vCPU 0). Opt-in: a VM without virq_attach() has no interrupt controller at all
 * (its LAPIC page is not mapped, HLT ends it, as before).
 *
 * Local APIC at 0xfee00000, xAPIC MMIO, aligned 32-bit accesses only (SDM vol. 3, 10.4.1;
 * APM vol. 2, 16.3). The subset:
 *   020 ID (reads 0)            030 version (0x00050014)   080 TPR          0A0 PPR (ro)
 *   0B0 EOI (wo)                0D0 LDR, 0E0 DFR (stored)  0F0 SVR (vector, bit 8 enable)
 *   100-170 ISR, 200-270 IRR (ro), 180-1F0 TMR (reads 0)    280 ESR (write latches errors)
 *   320 LVT timer: vector, mask (16), mode (17-18: one-shot, periodic; TSC-deadline refused)
 *   330/340/350/360/370 LVT thermal/perf/LINT0/LINT1/error: stored, never fire
 *   380 timer initial count, 390 current count (ro), 3E0 divide configuration
 * The timer counts at VLAPIC_TIMER_HZ before the divider; CPUID 4000_0010h reports it (EBX,
 * kHz) with the TSC rate (EAX, kHz). 300/310 ICR: fixed IPIs between the VM's vCPUs
 * (physical destination or a shorthand, vmm/vlapic_ipi.c). Anything else (other IPIs,
 * x2APIC, NMI/SMI/INIT delivery, a vector below 16, a periodic period under VLAPIC_MIN_PERIOD_US) is refused
 * or ignored with a log line; the guest goes on.
 *
 * I/O APIC at 0xfec00000: IOREGSEL (00h), IOWIN (10h); registers ID, version (24 inputs),
 * arbitration and 24 redirection entries with fixed or lowest-priority delivery, edge or
 * level trigger (remote IRR cleared by the matching EOI), mask. Input 16 + n is the n-th
 * virtio-mmio device attached to the VM (its InterruptStatus, VIRTIO 1.1 4.2.2, is the line).
 */
#ifndef VMM_VIRQ_H
#define VMM_VIRQ_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vm_vcpu;
struct vlapic;

#define VLAPIC_BASE		0xfee00000ull
#define VIOAPIC_BASE		0xfec00000ull
#define VIOAPIC_PINS		24
#define VIRQ_VIO_GSI_BASE	16
#define VLAPIC_TIMER_HZ		1000000000ull	/* 1 ns per count at divide 1 */
#define VLAPIC_MIN_PERIOD_US	100

/* Give vm a local APIC per vCPU and an I/O APIC. 0, or -HV_ENOMEM / -HV_ENOSPC. */
int virq_attach(struct vm *vm);
/* A local APIC for a vCPU added after virq_attach (vm_add_vcpu calls it). */
int virq_attach_vcpu(struct vm_vcpu *vc);
/* Free them (vm_destroy calls it). */
void virq_detach(struct vm *vm);
/* Before each entry of vc: inject the highest deliverable vector when the guest can take
 * it, else ask for the interrupt window. */
void virq_prepare(struct vm_vcpu *vc);
/* Would an interrupt wake the halted vCPU now? */
bool virq_wake(struct vm_vcpu *vc);
/* Log the controllers' state (a guest that seems stuck). */
void virq_log_state(struct vm *vm);
void vioapic_log_state(struct vm *vm);

/* Local APIC (vmm/vlapic.c). vlapic_raise may be called from interrupt context and from
 * other VMs' exits. */
/* id: the APIC ID (the vCPU's index); only APIC ID 0's creation maps the LAPIC page. */
struct vlapic *vlapic_create(struct vm *vm, unsigned id);
void vlapic_destroy(struct vlapic *l);
bool vlapic_raise(struct vlapic *l, uint8_t vector);	/* false: dropped, or already pending */
/* Highest vector in IRR above the processor priority, or -1. */
int vlapic_pending(struct vlapic *l);
/* The vCPU takes vector: IRR to ISR. */
void vlapic_accept(struct vlapic *l, uint8_t vector);

/* I/O APIC (vmm/vioapic.c). */
struct vioapic *vioapic_create(struct vm *vm);
void vioapic_destroy(struct vioapic *io);
/* Input gsi is now at level (high when asserted). */
void vioapic_set_line(struct vm *vm, unsigned gsi, bool level);
/* The local APIC retired vector: level-triggered entries with it may deliver again. */
void vioapic_eoi(struct vm *vm, uint8_t vector);

/* Counters, per VM (struct vm points at one). */
struct virq_stats {
	uint64_t injected;	/* vectors delivered through EVENTINJ */
	uint64_t windows;	/* interrupt windows asked for (guest had IF=0 or a shadow) */
	uint64_t timer_fired;		/* expiries */
	uint64_t timer_delivered;	/* expiries that made their vector newly pending */
	uint64_t timer_coalesced;	/* deadlines passed unseen, or merged into a pending vector */
	uint64_t timer_late_ns_max;	/* latest expiry after its deadline, host side */
	uint64_t refused;	/* guest programming refused or ignored (each logged) */
	uint64_t dropped;	/* interrupts raised while the APIC was software-disabled */
	uint64_t shadow_held;	/* interrupts held until the shadow's instruction ran */
	uint64_t halts;		/* HLT with IF=1: the vCPU blocked */
	uint64_t halt_us;	/* time spent blocked */
	uint64_t ipis;		/* IPIs between its vCPUs that made their vector newly pending */
};

#endif
