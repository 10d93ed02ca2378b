/*
 * DDK: device interrupts. MSI-X, MSI or legacy INTx, chosen by the driver or, with
 * HV_IRQ_AUTO, the best the device offers (MSI-X, then MSI, then INTx). The command line
 * can force a mode for certification runs ("pci.irq=msix|msi|intx"). Handlers run in
 * interrupt context with interrupts off; INTx lines may be shared, so a handler must
 * check that its device raised the interrupt.
 */
#ifndef HV_IRQ_H
#define HV_IRQ_H

#include <hv/pci.h>

#define HV_IRQ_AUTO	0
#define HV_IRQ_INTX	1
#define HV_IRQ_MSI	2
#define HV_IRQ_MSIX	3

/* handler(arg, index) is called for interrupt vector index (0..nvec-1). */
typedef void (*hv_irq_handler_t)(void *arg, unsigned index);

/* Set up to nvec vectors (MSI and INTx give one) in mode. Returns the number of vectors
 * (>= 1) and stores the mode used in *mode_out, or -HV_Exxx. */
int hv_pci_irq_alloc(struct hv_pci_dev *d, int mode, unsigned nvec, hv_irq_handler_t handler,
		     void *arg, int *mode_out);
/* Disable and free the device's interrupts. */
void hv_pci_irq_free(struct hv_pci_dev *d);
/* "msix", "msi" or "intx" for a mode hv_pci_irq_alloc returned, "none" before (for log lines). */
const char *hv_pci_irq_mode_name(int mode);

#endif
