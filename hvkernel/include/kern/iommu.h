/*
 * The IOMMU (hvkernel/dev/vtd.c, Intel VT-d as QEMU's intel-iommu emulates it): every PCI
 * function gets a domain of its own that holds exactly the DMA regions the DDK tracks for
 * it (kern/ddkdma.h), so a device reaches only the memory its driver allocated for it and
 * the buffers of its requests in flight; anything else is a DMA fault, reported with the
 * device, the address and the direction.
 */
#ifndef KERN_IOMMU_H
#define KERN_IOMMU_H

#include <stdbool.h>
#include <stdint.h>

struct pci_dev;

/* Find the remapping unit (ACPI DMAR), give every enumerated function an empty domain and
 * turn translation on. Off with iommu=off on the command line. 0, -HV_ENODEV without a
 * unit, or another error (then translation stays off and the boot goes on). */
int iommu_init(void);
bool iommu_on(void);
/* Let d reach [bus, bus + len) (whole pages), or take it away again (the caller knows no
 * other region of d needs those pages). 0 or -HV_ENOMEM. */
int iommu_map(struct pci_dev *d, uint64_t bus, uint64_t len);
void iommu_unmap(struct pci_dev *d, uint64_t bus, uint64_t len);

/* Pages the domains' page tables hold now (they grow and shrink with the DMA regions). */
uint64_t iommu_table_pages(void);

/* One DMA fault, as the fault recording registers hold it. */
struct iommu_fault {
	struct pci_dev *dev;		/* NULL when the source ID names no known function */
	uint16_t sid;			/* bus << 8 | dev << 3 | fn */
	uint64_t addr;			/* the page the device tried */
	bool write;
	uint8_t reason;			/* VT-d 3.4, Appendix A */
};
/* Report and clear every recorded fault (the fault interrupt does this too). Returns the
 * number found. */
int iommu_fault_poll(void);
/* Faults so far, and the last one. */
uint64_t iommu_fault_count(void);
void iommu_last_fault(struct iommu_fault *out);

#endif
