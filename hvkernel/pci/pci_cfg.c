/*
 * PCI configuration space access. ECAM (PCIe base 4.0, 7.2.2) where ACPI MCFG describes the
 * segment and bus, the legacy CF8/CFC mechanism (PCI Local Bus 3.0, 3.2.2.3.2) otherwise.
 */
#include <arch/cpu.h>
#include <kern/acpi.h>
#include <kern/mem.h>
#include <kern/pci.h>

#define PCI_CF8_ADDR	0xcf8
#define PCI_CF8_DATA	0xcfc

static uintptr_t pci_ecam_addr(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	for (int i = 0; i < acpi.nmcfg; i++) {
		const struct acpi_mcfg *m = &acpi.mcfg[i];
		if (m->segment != seg || bus < m->bus_start || bus > m->bus_end)
			continue;
		uint64_t a = m->base + (((uint64_t)bus << 20) | ((uint64_t)dev << 15) |
					((uint64_t)fn << 12) | off);
		return mem_map_mmio(a, 4);
	}
	return 0;
}

const char *pci_cfg_mechanism(uint16_t seg, uint8_t bus)
{
	return pci_ecam_addr(seg, bus, 0, 0, 0) ? "ecam" : "cf8";
}

uint32_t pci_cfg_raw_read32(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	uintptr_t a = pci_ecam_addr(seg, bus, dev, fn, off & 0xffc);

	if (a)
		return mmio_read32(a);
	if (seg != 0 || off >= 256)
		return 0xffffffffu;
	int on = cpu_irq_save();
	outl(PCI_CF8_ADDR, 0x80000000u | ((uint32_t)bus << 16) | ((uint32_t)dev << 11) |
			   ((uint32_t)fn << 8) | (off & 0xfc));
	uint32_t v = inl(PCI_CF8_DATA);
	cpu_irq_restore(on);
	return v;
}

void pci_cfg_raw_write32(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v)
{
	uintptr_t a = pci_ecam_addr(seg, bus, dev, fn, off & 0xffc);

	if (a) {
		mmio_write32(a, v);
		return;
	}
	if (seg != 0 || off >= 256)
		return;
	int on = cpu_irq_save();
	outl(PCI_CF8_ADDR, 0x80000000u | ((uint32_t)bus << 16) | ((uint32_t)dev << 11) |
			   ((uint32_t)fn << 8) | (off & 0xfc));
	outl(PCI_CF8_DATA, v);
	cpu_irq_restore(on);
}

uint32_t pci_cfg_read32(const struct pci_dev *d, uint16_t off)
{
	return pci_cfg_raw_read32(d->seg, d->bus, d->dev, d->fn, off);
}

uint16_t pci_cfg_read16(const struct pci_dev *d, uint16_t off)
{
	return (uint16_t)(pci_cfg_read32(d, off & ~3) >> ((off & 2) * 8));
}

uint8_t pci_cfg_read8(const struct pci_dev *d, uint16_t off)
{
	return (uint8_t)(pci_cfg_read32(d, off & ~3) >> ((off & 3) * 8));
}

void pci_cfg_write32(const struct pci_dev *d, uint16_t off, uint32_t v)
{
	pci_cfg_raw_write32(d->seg, d->bus, d->dev, d->fn, off, v);
}

/* Sub-dword writes are read-modify-write of the dword. That is safe for the registers we
 * write this way (command, MSI control, bus numbers): none has write-1-to-clear bits in
 * the same dword that we could clear by accident, except the status register, which we
 * mask out below. */
void pci_cfg_write16(const struct pci_dev *d, uint16_t off, uint16_t v)
{
	uint32_t old = pci_cfg_read32(d, off & ~3);
	unsigned shift = (off & 2) * 8;

	if ((off & ~3) == 0x04)
		old &= 0x0000ffffu;	/* never write back status (RW1C) bits */
	pci_cfg_write32(d, off & ~3, (old & ~(0xffffu << shift)) | ((uint32_t)v << shift));
}

void pci_cfg_write8(const struct pci_dev *d, uint16_t off, uint8_t v)
{
	uint32_t old = pci_cfg_read32(d, off & ~3);
	unsigned shift = (off & 3) * 8;

	if ((off & ~3) == 0x04)
		old &= 0x0000ffffu;
	pci_cfg_write32(d, off & ~3, (old & ~(0xffu << shift)) | ((uint32_t)v << shift));
}
