/*
 * PCI in the kernel: configuration access (CF8/CFC and ECAM), the enumerated functions,
 * and interrupt setup (MSI-X, MSI, INTx). The driver core is in kern/driver.h.
 */
#ifndef KERN_PCI_H
#define KERN_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/trap.h>
#include <kern/ddkdma.h>
#include <lib/pcibar.h>

struct pci_driver;

enum pci_irq_mode { PCI_IRQ_NONE, PCI_IRQ_INTX, PCI_IRQ_MSI, PCI_IRQ_MSIX };

/* Vectors per function: enough for a multiqueue NIC (virtio-net: 1 + 2 * 8 pairs + 1). */
#define PCI_MAX_VECTORS	32

/* One BAR as the DDK hands it to a driver (struct hv_bar, hv/io.h). */
struct pci_ddkbar {
	struct pci_dev *dev;
	uintptr_t va;			/* memory BAR: mapped uncacheable */
	uint64_t size;
	uint16_t port;			/* I/O BAR: first port */
	uint8_t n, io, ready;
};


struct pci_dev {
	uint16_t seg;
	uint8_t bus, dev, fn;
	uint16_t vendor, device, subvendor, subdevice;
	uint32_t class;			/* base << 16 | sub << 8 | prog-if */
	uint8_t rev, hdr_type, irq_pin, irq_line;
	uint16_t cfg_size;		/* 256, or 4096 when reached through ECAM */
	uint16_t cap_msi, cap_msix, cap_pcie, cap_pm;	/* 0 when absent */
	uint8_t sec_bus, sub_bus;	/* bridges */
	struct pcibar bar[6];
	struct pci_dev *parent;		/* upstream bridge, or NULL on a root bus */
	struct pci_dev *next;		/* enumeration order */

	/* driver core */
	struct pci_driver *driver;
	void *drvdata;
	/* interrupts */
	enum pci_irq_mode irq_mode;
	unsigned nvec;
	uint8_t vectors[PCI_MAX_VECTORS];
	uint32_t gsi;
	uintptr_t msix_table;
	void *irq_ctx;			/* the DDK's interrupt trampoline state */
	/* hardware policy (kern/policy.c) */
	int policy_verdict;		/* enum hclpolicy_verdict */
	bool policy_blocked;		/* strict: no driver may bind */
	char policy_driver[24];		/* strict: only this driver ... */
	char policy_version[24];	/* ... at this version may bind */
	char policy_reason[80];
	bool policy_has_sha;		/* the list names the certified build ... */
	uint8_t policy_sha[32];		/* ... with this module sha256 */
	bool policy_build_refused;	/* strict refused a module for it (logged once) */
	/* the DDK's handles to the BARs (ddk/ddk_bar.c) and the device's DMA memory
	 * (ddk/ddk_dma.c) */
	struct pci_ddkbar ddkbar[6];
	struct ddk_dma_dev ddkdma;
	/* its IOMMU domain (dev/vtd.c): second-level page table root and domain ID */
	uint64_t *iommu_root;
	uint16_t iommu_did;
	/* containment (kern/contain.c): a probe or remove was abandoned; never bound again */
	bool failed;
	char failed_driver[24];
	/* what the bound driver read from the device (hv_pci_set_firmware); "" when none */
	char firmware[32];
};

/* Enumerate every segment and bus the firmware set up. Returns the number of functions. */
int pci_init(void);
struct pci_dev *pci_first(void);
int pci_count(void);
/* "SSSS:BB:DD.F" (or "BB:DD.F" on segment 0) into buf of at least 16 bytes. */
const char *pci_slot_name(const struct pci_dev *d, char *buf);
struct pci_dev *pci_find_slot(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn);
/* Parse "[SSSS:]BB:DD.F". 0 or -HV_EINVAL. */
int pci_parse_slot(const char *s, uint16_t *seg, uint8_t *bus, uint8_t *dev, uint8_t *fn);

uint32_t pci_cfg_read32(const struct pci_dev *d, uint16_t off);
uint16_t pci_cfg_read16(const struct pci_dev *d, uint16_t off);
uint8_t pci_cfg_read8(const struct pci_dev *d, uint16_t off);
void pci_cfg_write32(const struct pci_dev *d, uint16_t off, uint32_t v);
void pci_cfg_write16(const struct pci_dev *d, uint16_t off, uint16_t v);
void pci_cfg_write8(const struct pci_dev *d, uint16_t off, uint8_t v);
/* Raw access by address, for enumeration. Returns all-ones for absent functions. */
uint32_t pci_cfg_raw_read32(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
void pci_cfg_raw_write32(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v);
/* Which mechanism reaches (seg, bus): "ecam" or "cf8". */
const char *pci_cfg_mechanism(uint16_t seg, uint8_t bus);

/* Take d (whose predecessor in the list is prev, or NULL) out of the function list. */
void pci_unlink(struct pci_dev *d, struct pci_dev *prev);
/* Set or clear bits of the command register. */
void pci_enable(struct pci_dev *d, uint16_t set_bits);
void pci_disable(struct pci_dev *d, uint16_t clear_bits);
/* Virtual address of a memory BAR (mapped uncacheable), or 0. */
uintptr_t pci_bar_map(struct pci_dev *d, int bar);

/*
 * Interrupts. pci_irq_setup() tries the modes from `want` downwards (MSI-X, then MSI, then
 * INTx) unless `exact` is set, allocates nvec vectors (MSI and INTx get one) and calls
 * fn(tf, arg) for each. Returns the number of vectors, or a negative error.
 */
int pci_irq_setup(struct pci_dev *d, enum pci_irq_mode want, bool exact, unsigned nvec,
		  trap_handler_t fn, void *arg);
void pci_irq_teardown(struct pci_dev *d);
const char *pci_irq_mode_name(enum pci_irq_mode m);
/* Parse "msix", "msi", "intx" (and "auto" -> MSI-X). -HV_EINVAL for anything else. */
int pci_irq_mode_parse(const char *s, enum pci_irq_mode *m);

#endif
