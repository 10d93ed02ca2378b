/* I/O APIC programming. Entries stay masked until a driver asks for its line. */
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/ioapicreg.h>
#include <arch/lapic.h>
#include <hv/errno.h>
#include <kern/acpi.h>

struct ioapic {
	uintptr_t base;
	uint32_t gsi_base, nlines;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static int ioapic_count;

static uint32_t ioapic_read(const struct ioapic *io, uint32_t reg)
{
	mmio_write32(io->base + IOAPIC_REGSEL, reg);
	return mmio_read32(io->base + IOAPIC_WINDOW);
}

static void ioapic_write(const struct ioapic *io, uint32_t reg, uint32_t v)
{
	mmio_write32(io->base + IOAPIC_REGSEL, reg);
	mmio_write32(io->base + IOAPIC_WINDOW, v);
}

static struct ioapic *ioapic_for(uint32_t gsi)
{
	for (int i = 0; i < ioapic_count; i++)
		if (gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + ioapics[i].nlines)
			return &ioapics[i];
	return 0;
}

int ioapic_init(void)
{
	ioapic_count = 0;
	for (int i = 0; i < acpi.nioapics; i++) {
		ioapics[ioapic_count].base = acpi.ioapics[i].addr;
		ioapics[ioapic_count].gsi_base = acpi.ioapics[i].gsi_base;
		ioapic_count++;
	}
	if (!ioapic_count) {		/* no MADT: the PC default */
		ioapics[0].base = 0xfec00000;
		ioapics[0].gsi_base = 0;
		ioapic_count = 1;
	}
	for (int i = 0; i < ioapic_count; i++) {
		struct ioapic *io = &ioapics[i];
		io->nlines = ((ioapic_read(io, IOAPIC_REG_VER) >> 16) & 0xff) + 1;
		for (uint32_t l = 0; l < io->nlines; l++) {
			ioapic_write(io, IOAPIC_REG_REDTBL + 2 * l, IOAPIC_RTE_MASKED);
			ioapic_write(io, IOAPIC_REG_REDTBL + 2 * l + 1, 0);
		}
	}
	return 0;
}

int ioapic_route(uint32_t gsi, uint8_t vector, bool level, bool active_low)
{
	struct ioapic *io = ioapic_for(gsi);

	if (!io)
		return -HV_EINVAL;
	uint32_t line = gsi - io->gsi_base;
	uint32_t lo = vector | (level ? IOAPIC_RTE_LEVEL : 0) | (active_low ? IOAPIC_RTE_ACTIVE_LOW : 0);
	ioapic_write(io, IOAPIC_REG_REDTBL + 2 * line + 1, lapic_id() << 24);
	ioapic_write(io, IOAPIC_REG_REDTBL + 2 * line, lo);
	return 0;
}

int ioapic_mask(uint32_t gsi, bool masked)
{
	struct ioapic *io = ioapic_for(gsi);

	if (!io)
		return -HV_EINVAL;
	uint32_t reg = IOAPIC_REG_REDTBL + 2 * (gsi - io->gsi_base);
	uint32_t lo = ioapic_read(io, reg);
	ioapic_write(io, reg, masked ? lo | IOAPIC_RTE_MASKED : lo & ~IOAPIC_RTE_MASKED);
	return 0;
}

int ioapic_route_nmi(uint32_t gsi, bool active_low)
{
	struct ioapic *io = ioapic_for(gsi);

	if (!io)
		return -HV_EINVAL;
	uint32_t line = gsi - io->gsi_base;
	/* 82093AA 3.2.4: NMI delivery is edge-triggered and ignores the vector (0). */
	uint32_t lo = IOAPIC_RTE_MASKED | IOAPIC_RTE_DELMODE_NMI | (active_low ? IOAPIC_RTE_ACTIVE_LOW : 0);
	ioapic_write(io, IOAPIC_REG_REDTBL + 2 * line + 1, lapic_id() << 24);
	ioapic_write(io, IOAPIC_REG_REDTBL + 2 * line, lo);
	return 0;
}
