/*
 * PCI interrupt setup: MSI-X (PCI 3.0, 6.8.2), MSI (6.8.1) and INTx through the IOAPIC.
 * Messages target the boot CPU's LAPIC with fixed delivery, edge trigger: address
 * FEEx_xxxxh with the destination APIC ID in bits 19:12, data = vector (APM vol. 2, 16.5
 * and the "MSI address/data" layout shared by Intel and AMD chipsets).
 *
 * INTx routing would need the ACPI _PRT, which lives in AML; we do not interpret AML.
 * Instead we know the two chipsets we certify on: i440FX/PIIX, whose firmware writes the
 * routed ISA IRQ into the Interrupt Line register, and Q35/ICH9, which in APIC mode sends
 * PIRQ A-H to IOAPIC inputs 16-23 (ICH9 datasheet 5.8 and 13.1.x D31IR..D25IR).
 */
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>
#include <hv/errno.h>
#include <kern/acpi.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/time.h>
#include <lib/pcicap.h>
#include <lib/pcireg.h>

#define MSI_ADDR_BASE		0xfee00000u
#define MSIX_ENTRY_SIZE		16
#define MSIX_ENTRY_ADDR_LO	0
#define MSIX_ENTRY_ADDR_HI	4
#define MSIX_ENTRY_DATA		8
#define MSIX_ENTRY_CTRL		12
#define MSIX_ENTRY_MASKED	1u

static const char *const pci_irq_names[] = { "none", "intx", "msi", "msix" };

const char *pci_irq_mode_name(enum pci_irq_mode m)
{
	return m <= PCI_IRQ_MSIX ? pci_irq_names[m] : "?";
}

int pci_irq_mode_parse(const char *s, enum pci_irq_mode *m)
{
	if (strcmp(s, "msix") == 0 || strcmp(s, "auto") == 0)
		*m = PCI_IRQ_MSIX;
	else if (strcmp(s, "msi") == 0)
		*m = PCI_IRQ_MSI;
	else if (strcmp(s, "intx") == 0)
		*m = PCI_IRQ_INTX;
	else
		return -HV_EINVAL;
	return 0;
}

static uint32_t pci_irq_cap_read32(void *ctx, uint16_t off)
{
	return pci_cfg_read32(ctx, off);
}

static uint32_t pci_msi_addr(void)
{
	return MSI_ADDR_BASE | (lapic_id() << 12);
}

static void pci_free_vectors(struct pci_dev *d)
{
	for (unsigned i = 0; i < d->nvec; i++)
		irq_free_vector(d->vectors[i]);
	d->nvec = 0;
}

static int pci_alloc_vectors(struct pci_dev *d, unsigned n, trap_handler_t fn, void *arg)
{
	d->nvec = 0;
	for (unsigned i = 0; i < n; i++) {
		int v = irq_alloc_vector(fn, arg);
		if (v < 0) {
			pci_free_vectors(d);
			return v;
		}
		d->vectors[d->nvec++] = (uint8_t)v;
	}
	return 0;
}

static int pci_setup_msix(struct pci_dev *d, unsigned nvec, trap_handler_t fn, void *arg)
{
	struct pcicap_cfg cfg = { pci_irq_cap_read32, d, d->cfg_size };
	struct pcicap_msix mx;
	int ret = pcicap_msix_info(&cfg, &mx);

	if (ret < 0)
		return ret;
	uintptr_t bar = pci_bar_map(d, mx.table_bir);
	if (!bar || (uint64_t)mx.table_off + mx.table_size * MSIX_ENTRY_SIZE > d->bar[mx.table_bir].size)
		return -HV_ENODEV;
	if (nvec > mx.table_size)
		nvec = mx.table_size;
	ret = pci_alloc_vectors(d, nvec, fn, arg);
	if (ret < 0)
		return ret;
	d->msix_table = bar + mx.table_off;
	/* Function mask on while we program the table, then enable (PCI 3.0, 6.8.2.3). */
	uint16_t ctrl = pci_cfg_read16(d, mx.off + 2);
	pci_cfg_write16(d, mx.off + 2, ctrl | 0xc000);
	for (unsigned i = 0; i < mx.table_size; i++) {
		uintptr_t e = d->msix_table + i * MSIX_ENTRY_SIZE;
		if (i < nvec) {
			mmio_write32(e + MSIX_ENTRY_ADDR_LO, pci_msi_addr());
			mmio_write32(e + MSIX_ENTRY_ADDR_HI, 0);
			mmio_write32(e + MSIX_ENTRY_DATA, d->vectors[i]);
			mmio_write32(e + MSIX_ENTRY_CTRL, 0);
		} else {
			mmio_write32(e + MSIX_ENTRY_CTRL, MSIX_ENTRY_MASKED);
		}
	}
	pci_enable(d, PCI_COMMAND_MEM | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	pci_cfg_write16(d, mx.off + 2, (ctrl | 0x8000) & ~0x4000);
	d->irq_mode = PCI_IRQ_MSIX;
	return (int)nvec;
}

static int pci_setup_msi(struct pci_dev *d, trap_handler_t fn, void *arg)
{
	struct pcicap_cfg cfg = { pci_irq_cap_read32, d, d->cfg_size };
	struct pcicap_msi msi;
	int ret = pcicap_msi_info(&cfg, &msi);

	if (ret < 0)
		return ret;
	ret = pci_alloc_vectors(d, 1, fn, arg);
	if (ret < 0)
		return ret;
	uint16_t ctrl = pci_cfg_read16(d, msi.off + 2);
	pci_cfg_write16(d, msi.off + 2, ctrl & ~0x0071);	/* disabled, one message */
	pci_cfg_write32(d, msi.off + 4, pci_msi_addr());
	if (msi.is64) {
		pci_cfg_write32(d, msi.off + 8, 0);
		pci_cfg_write16(d, msi.off + 12, d->vectors[0]);
	} else {
		pci_cfg_write16(d, msi.off + 8, d->vectors[0]);
	}
	if (msi.maskable)	/* unmask vector 0 */
		pci_cfg_write32(d, msi.off + (msi.is64 ? 16 : 12), 0);
	pci_enable(d, PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	pci_cfg_write16(d, msi.off + 2, (ctrl & ~0x0070) | 0x0001);
	d->irq_mode = PCI_IRQ_MSI;
	return 1;
}

/* The root-bus slot and pin an INTx arrives on, after the standard bridge swizzle
 * (PCI-to-PCI Bridge Architecture 1.2, 9.1): pin' = (pin + device) mod 4 per bridge. */
static void pci_intx_root(const struct pci_dev *d, unsigned *slot, unsigned *pin)
{
	unsigned p = d->irq_pin - 1u;

	while (d->parent) {
		p = (p + d->dev) % 4;
		d = d->parent;
	}
	*slot = d->dev;
	*pin = p;
}

static int pci_intx_gsi(const struct pci_dev *d, uint32_t *gsi, bool *active_low)
{
	const struct pci_dev *host = pci_find_slot(d->seg, 0, 0, 0);
	unsigned slot, pin;

	if (d->irq_pin < 1 || d->irq_pin > 4)
		return -HV_ENODEV;
	pci_intx_root(d, &slot, &pin);
	if (host && host->vendor == 0x8086 && host->device == 0x29c0) {
		/* Q35: slots 25-31 use the chipset's D25IR-D31IR defaults (INTA->PIRQA ...);
		 * every other slot is wired (slot + pin) mod 4 onto PIRQ E-H. */
		unsigned pirq = slot >= 25 ? pin : (slot + pin) % 4 + 4;
		*gsi = 16 + pirq;
		*active_low = false;
		return 0;
	}
	/* PIIX and others: the firmware routed the pin and wrote the ISA IRQ it chose. */
	if (d->irq_line == 0 || d->irq_line >= 16)
		return -HV_ENODEV;
	uint16_t flags;
	*gsi = acpi_isa_irq_to_gsi(d->irq_line, &flags);
	*active_low = false;
	return 0;
}

static int pci_setup_intx(struct pci_dev *d, trap_handler_t fn, void *arg)
{
	uint32_t gsi;
	bool low;
	int ret = pci_intx_gsi(d, &gsi, &low);

	if (ret < 0)
		return ret;
	ret = pci_alloc_vectors(d, 1, fn, arg);
	if (ret < 0)
		return ret;
	ret = ioapic_route(gsi, d->vectors[0], true, low);
	if (ret < 0) {
		pci_free_vectors(d);
		return ret;
	}
	d->gsi = gsi;
	pci_disable(d, PCI_COMMAND_INTX_DISABLE);
	pci_enable(d, PCI_COMMAND_MASTER);
	d->irq_mode = PCI_IRQ_INTX;
	return 1;
}

int pci_irq_setup(struct pci_dev *d, enum pci_irq_mode want, bool exact, unsigned nvec,
		  trap_handler_t fn, void *arg)
{
	int ret = -HV_ENODEV;

	if (d->irq_mode != PCI_IRQ_NONE)
		return -HV_EBUSY;
	if (nvec == 0)
		return -HV_EINVAL;
	if (nvec > PCI_MAX_VECTORS)
		nvec = PCI_MAX_VECTORS;	/* "up to nvec" (hv/irq.h): the caller gets what we have */
	if (want == PCI_IRQ_MSIX && d->cap_msix)
		ret = pci_setup_msix(d, nvec, fn, arg);
	if (ret >= 0 || (exact && want == PCI_IRQ_MSIX))
		return ret;
	if (want >= PCI_IRQ_MSI && d->cap_msi)
		ret = pci_setup_msi(d, fn, arg);
	if (ret >= 0 || (exact && want == PCI_IRQ_MSI))
		return ret;
	return pci_setup_intx(d, fn, arg);
}

void pci_irq_teardown(struct pci_dev *d)
{
	switch (d->irq_mode) {
	case PCI_IRQ_MSIX: {
		/* Function-mask first and let a device's pending message throttling run out
		 * before MSI-X goes off: QEMU 7.2's e1000e aborts if its throttle timer (at
		 * least 128 us, whatever EITR says) fires with MSI-X disabled. */
		uint16_t ctrl = pci_cfg_read16(d, d->cap_msix + 2);
		pci_cfg_write16(d, d->cap_msix + 2, ctrl | 0x4000);
		udelay(2000);
		pci_cfg_write16(d, d->cap_msix + 2, (ctrl | 0x4000) & ~0x8000);
		break;
	}
	case PCI_IRQ_MSI:
		pci_cfg_write16(d, d->cap_msi + 2, pci_cfg_read16(d, d->cap_msi + 2) & ~1);
		break;
	case PCI_IRQ_INTX:
		ioapic_mask(d->gsi, true);
		pci_enable(d, PCI_COMMAND_INTX_DISABLE);
		break;
	case PCI_IRQ_NONE:
		return;
	}
	pci_free_vectors(d);
	d->irq_mode = PCI_IRQ_NONE;
	d->msix_table = 0;
}
