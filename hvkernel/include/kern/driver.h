/*
 * The driver core: drivers declare PCI ID tables; each function is bound to the driver
 * whose table matches it most specifically (lib/pcimatch.c decides, the same code the host
 * tools use). The command line can force or forbid a binding for one slot:
 *   pci.bind=BB:DD.F=NAME   bind NAME to that slot whatever the ID tables say
 *   pci.nobind=BB:DD.F      never bind anything to that slot
 */
#ifndef KERN_DRIVER_H
#define KERN_DRIVER_H

#include <hv/pciid.h>
#include <kern/pci.h>

struct module;

struct pci_driver {
	const char *name;
	const char *version;
	const struct hv_pci_id *ids;	/* terminated by HV_PCI_ID_END */
	/* Map, reset and identify the function. 0 on success; the device stays unbound else. */
	int (*probe)(struct pci_dev *d, const struct hv_pci_id *id);
	/* Undo probe: quiesce the device, free everything. */
	void (*remove)(struct pci_dev *d);
	struct pci_driver *next;	/* registry, owned by the core */
	int priority;			/* breaks score ties: higher wins */
	void *ctx;			/* the DDK's struct hv_pci_driver for module drivers */
	struct module *owner;		/* module that registered it, or NULL for the kernel */
};

/* Until driver_core_start(), registering a driver only records it: at boot every module
 * registers first, then driver_bind_all() decides each function once among all of them. */
void driver_core_start(void);

/* Add a driver and (after driver_core_start) bind it to every unbound function it matches best. Returns the number
 * of functions bound, -HV_EINVAL for a malformed ID table, -HV_EEXIST for a name in use. */
int driver_register(struct pci_driver *drv);
/* Unbind the driver from every function and forget it. */
void driver_unregister(struct pci_driver *drv);
/* Bind every unbound function to its best driver. Returns how many got one. */
int driver_bind_all(void);
/* Take a driver whose probe or remove was abandoned out of the registry and unbind it from
 * every function it still drives (kern/contain.c); it stays allocated. */
void driver_withdraw(struct pci_driver *drv);
/* Unbind one function (remove is called, under containment for a module driver). */
void driver_unbind(struct pci_dev *d);
/* The driver that should drive d, and the ID entry that matched (NULL for a forced bind).
 * Returns NULL when nothing matches or the slot is forbidden. */
struct pci_driver *driver_choose(struct pci_dev *d, const struct hv_pci_id **id, int *score);
int driver_bound_count(void);
/* The registry, in registration order. */
struct pci_driver *driver_first(void);

#endif
