/*
 * The driver verifier (hvkernel/verifier/, kernel command line verifier=1; docs/ddk.md,
 * "Verifier"). It sits behind the DDK's exported functions, so every module gets it
 * without a rebuild: a checked allocator (vf_mem.c), context and lock checks (vf_ctx.c,
 * vf_lock.c) and what must be gone when a driver's remove returns (vf_remove.c). Each
 * violation is one `violation` record on the result channel (docs/result-channel.md) and
 * one log line; the DDK refuses the offending call where refusing is safe.
 */
#ifndef KERN_VERIFIER_H
#define KERN_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hv_spinlock;
struct hv_timer;
struct module;
struct pci_dev;

/* Set once at boot from verifier=1; never changes afterwards. */
extern bool vf_on;

/* Reads verifier= from the command line (after cmdline_init, before modules load). */
void vf_init(void);

/* This CPU's index, without touching the local APIC when there is one CPU: every driver
 * lock operation asks, and under TCG an APIC read in a poll loop takes QEMU's big lock
 * from the device models (the first measurement of the verifier's cost was a fifth of
 * the storage throughput). */
unsigned vf_cpu(void);

/* The loaded module whose image holds addr, or NULL (the kernel). */
struct module *vf_module_at(uintptr_t addr);

/* Reports one violation: kind (a word of docs/result-channel.md), the call site it is
 * charged to, the address and size involved, the device when known, and a message. */
void vf_report(const char *kind, uintptr_t site, uintptr_t addr, uint64_t size,
	       const struct pci_dev *dev, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The same, charged to module (a name) when site is in no module: a device's fault the
 * kernel saw with no driver code running (an IOMMU fault), charged to the device's driver.
 * msg is a finished line. (ddk_vrf.c reports the device-access and DMA rules so.) */
void vf_report_for(const char *kind, const char *module, uintptr_t site, uint64_t addr,
		   uint64_t size, const struct pci_dev *dev, const char *msg);
/* Violations reported since boot. */
unsigned vf_violations(void);
/* The first violation's kind since the count was n ("" when none). */
const char *vf_first_kind_since(unsigned n);

/* The in-kernel test runner names the test that is running (NULL between tests). */
void vf_set_test(const char *id);

/* Per-CPU context. A driver entry point (probe, remove, an interrupt handler, open,
 * stop, xmit, submit) runs between enter and exit: allocations are charged to dev, and a
 * driver lock still held at exit is a violation. */
struct vf_entry {
	struct pci_dev *prev_dev;
	unsigned depth;		/* driver locks held at entry */
	bool active;
};
void vf_entry_enter(struct vf_entry *e, struct pci_dev *dev);
void vf_entry_exit(struct vf_entry *e, const char *what);
/* Hardware interrupt dispatch (arch/x86/idt.c), around the handler. */
void vf_irq_enter(struct vf_entry *e);
void vf_irq_exit(struct vf_entry *e);
bool vf_in_irq(void);
/* The device of the entry point running on this CPU, or NULL. */
struct pci_dev *vf_current_dev(void);
/* A DDK call that may sleep or wait, from site: 0 to go on, -1 when it is refused
 * (interrupt context; reported). */
int vf_may_sleep(const char *what, uintptr_t site);

/* Checked memory (vf_mem.c): what hv_malloc/hv_free/hv_dma_alloc_coherent/_free do under
 * the verifier. site is the caller's return address. */
void *vf_malloc(size_t size, bool zero, uintptr_t site);
void vf_free(void *p, uintptr_t site);
/* dev: the device the memory is for (hv_dma_alloc_coherent), NULL for the entry point's. */
void *vf_dma_alloc(size_t size, uint64_t *bus, uintptr_t site, const struct pci_dev *dev);
void vf_dma_free(void *p, size_t size, uintptr_t site);
/* Check every redzone and every quarantined block now; drain also releases the
 * quarantine (the test runner does it around each test, so its leak counters hold). */
void vf_mem_check(void);
void vf_mem_drain(void);
/* At remove: the device's allocations still live (all of the module's when last). */
void vf_mem_device_gone(const struct pci_dev *d, const struct module *m, bool last);

/* Lock checks (vf_lock.c), from the DDK's lock functions. */
void vf_lock_init(struct hv_spinlock *l, uintptr_t site);
void vf_lock_acquired(struct hv_spinlock *l, uintptr_t site);
void vf_lock_released(struct hv_spinlock *l, uintptr_t site);
/* Driver locks this CPU holds, and where the top one was taken. */
unsigned vf_locks_held(uintptr_t *site);

/* Timers (vf_remove.c): hv_timer_start records which device armed t. */
void vf_timer_started(struct hv_timer *t, uintptr_t site);
/* After a driver's remove returned for d: everything of d must be gone. */
void vf_device_removed(struct pci_dev *d);

#endif
