/*
 * The kernel's side of the DDK (hvkernel/ddk/): what the module loader and the driver core
 * need of it. The DDK's own functions are declared in the hv/ headers.
 */
#ifndef KERN_DDK_H
#define KERN_DDK_H

struct hv_spinlock;
struct module;

/* Address of the exported symbol name (ddk_export.c), or NULL: the only symbols a module
 * resolves against. */
const void *ddk_export_lookup(const char *name);
/* Number of exported symbols. */
int ddk_export_count(void);
/* Unregister every PCI driver module m registered (before it is unloaded). */
void ddk_pci_drop_module(struct module *m);

/* The DDK's lock functions (ddk_lock.c), exported as hv_spin_init,
 * hv_spin_lock_irqsave and hv_spin_unlock_irqrestore. */
void ddk_spin_init(struct hv_spinlock *l);
unsigned long ddk_spin_lock_irqsave(struct hv_spinlock *l);
void ddk_spin_unlock_irqrestore(struct hv_spinlock *l, unsigned long flags);

#endif
