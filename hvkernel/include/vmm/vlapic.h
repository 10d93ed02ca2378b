/* The emulated local APIC's state, shared by vmm/vlapic.c and vmm/vlapic_timer.c. */
#ifndef VMM_VLAPIC_H
#define VMM_VLAPIC_H

#include <stdint.h>
#include <hv/lock.h>
#include <hv/time.h>
#include <lib/fmt.h>

struct vm;

#define VLAPIC_NLVT	6	/* timer, thermal, perf, LINT0, LINT1, error: 320h..370h */

struct vlapic {
	struct vm *vm;
	uint32_t id;			/* APIC ID: the index of its vCPU */
	uint32_t irr[8];		/* atomics: set from anywhere, cleared by the vCPU */
	uint32_t isr[8];
	uint32_t tpr, svr, ldr, dfr, esr, esr_pending;
	uint32_t icr_lo, icr_hi;	/* the last interprocessor interrupt sent (vlapic_ipi.c) */
	uint32_t lvt[VLAPIC_NLVT];
	/* The timer (vlapic_timer.c), under lock: its host timer callback runs in
	 * interrupt context. */
	struct hv_spinlock lock;
	uint32_t timer_init, timer_div;
	uint64_t deadline_tsc;		/* next expiry, 0 when not counting */
	uint64_t period_tsc;		/* periodic mode, else 0 */
	struct hv_timer host_timer;
	struct hv_timer kick;		/* an exit soon, for an interrupt held by a shadow */
};

/* A write of ICR low: send an IPI to the VM's vCPUs (vmm/vlapic_ipi.c). */
void vlapic_ipi(struct vlapic *l, uint32_t icr_lo);

/* Count a refused or ignored guest access and log it (the first few per VM). */
void vlapic_refuse(struct vlapic *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void vlapic_timer_set_lvt(struct vlapic *l, uint32_t v);
void vlapic_timer_set_init(struct vlapic *l, uint32_t count);
void vlapic_timer_set_div(struct vlapic *l, uint32_t v);
uint32_t vlapic_timer_current(struct vlapic *l);
/* Fire the timer when its deadline has passed (the vCPU calls it before each entry, so
 * a guest that exits often does not wait for the host's tick). */
void vlapic_timer_poll(struct vlapic *l);
void vlapic_timer_stop(struct vlapic *l);
#define VLAPIC_TIMER_TSC_DEADLINE	(2u << 17)	/* LVT timer mode 10b */
/* IA32_TSC_DEADLINE (MSR 0x6e0): arm at a TSC value (0 disarms) / read it back. */
void vlapic_timer_set_deadline(struct vlapic *l, uint64_t tsc);
uint64_t vlapic_timer_get_deadline(struct vlapic *l);

#endif
