/* What the kernel needs from the ACPI tables: CPUs and IOAPICs (MADT), ECAM (MCFG), the
 * power-management timer (FADT), a clock independent of the TSC and the PIT, and the
 * IOMMU (DMAR). */
#ifndef KERN_ACPI_H
#define KERN_ACPI_H

#include <stdint.h>

#define ACPI_MAX_IOAPICS	8
#define ACPI_MAX_ISOS		16
#define ACPI_MAX_MCFG		4
#define ACPI_MAX_CPUS		64

struct acpi_ioapic { uint8_t id; uint32_t addr; uint32_t gsi_base; };
struct acpi_iso { uint8_t bus_irq; uint32_t gsi; uint16_t flags; };
struct acpi_mcfg { uint64_t base; uint16_t segment; uint8_t bus_start, bus_end; };

struct acpi_info {
	int found;			/* an RSDP with a valid checksum was found */
	char oem[7];
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	int nioapics;
	struct acpi_iso isos[ACPI_MAX_ISOS];
	int nisos;
	struct acpi_mcfg mcfg[ACPI_MAX_MCFG];
	int nmcfg;
	uint8_t cpu_apic_ids[ACPI_MAX_CPUS];
	int ncpus;
	uint16_t pm_timer_port;		/* FADT PM_TMR_BLK (I/O space); 0 when there is none */
	uint8_t pm_timer_bits;		/* 24 or 32 (FADT flag TMR_VAL_EXT) */
	/* DMAR (Intel VT-d 3.4, 8.3): the first DMA-remapping unit, taken for every device
	 * of its segment; 0 when there is none. */
	uint64_t dmar_base;
	uint16_t dmar_segment;
	uint8_t dmar_haw;		/* host address width, bits */
};

#define ACPI_PM_TIMER_HZ	3579545	/* ACPI 6.4, 4.8.3.3 */

extern struct acpi_info acpi;

/* Find and parse the tables. rsdp is the loader's copy or 0 to search the BIOS areas.
 * Returns 0, or -HV_ENOENT when there is no ACPI (then defaults are used). */
int acpi_init(uint64_t rsdp);
/* The GSI and polarity/trigger flags (MADT ISO, ACPI 6.4 5.2.12.5) of an ISA IRQ. */
uint32_t acpi_isa_irq_to_gsi(uint8_t irq, uint16_t *flags);

#endif
