/*
 * Minimal ACPI table reader (ACPI 6.4 section 5.2): RSDP -> XSDT/RSDT -> MADT, MCFG, FADT, DMAR.
 * Every table is checksummed and every length bounded before it is trusted.
 */
#include <hv/errno.h>
#include <kern/acpi.h>
#include <kern/log.h>
#include <kern/string.h>

struct acpi_info acpi;

struct acpi_sdt {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

static int acpi_checksum_ok(const void *p, size_t n)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += ((const uint8_t *)p)[i];
	return sum == 0;
}

static uint64_t acpi_scan_rsdp(uint64_t start, uint64_t len)
{
	for (uint64_t p = start; p + 20 <= start + len; p += 16)
		if (memcmp((const void *)p, "RSD PTR ", 8) == 0 && acpi_checksum_ok((const void *)p, 20))
			return p;
	return 0;
}

static const struct acpi_sdt *acpi_table(uint64_t addr)
{
	if (!addr || addr >= 0x100000000ull)
		return 0;
	const struct acpi_sdt *t = (const struct acpi_sdt *)addr;
	if (t->length < sizeof(*t) || t->length > (1u << 20) || !acpi_checksum_ok(t, t->length))
		return 0;
	return t;
}

/* MADT entry types (ACPI 6.4, table 5.45). */
#define MADT_LAPIC	0
#define MADT_IOAPIC	1
#define MADT_ISO	2

static void acpi_parse_madt(const struct acpi_sdt *t)
{
	const uint8_t *p = (const uint8_t *)t + sizeof(*t) + 8, *end = (const uint8_t *)t + t->length;

	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		switch (p[0]) {
		case MADT_LAPIC:
			if (p[1] >= 8 && (p[4] & 1) && acpi.ncpus < ACPI_MAX_CPUS)
				acpi.cpu_apic_ids[acpi.ncpus++] = p[3];
			break;
		case MADT_IOAPIC:
			if (p[1] >= 12 && acpi.nioapics < ACPI_MAX_IOAPICS) {
				struct acpi_ioapic *io = &acpi.ioapics[acpi.nioapics++];
				io->id = p[2];
				memcpy(&io->addr, p + 4, 4);
				memcpy(&io->gsi_base, p + 8, 4);
			}
			break;
		case MADT_ISO:
			if (p[1] >= 10 && acpi.nisos < ACPI_MAX_ISOS) {
				struct acpi_iso *iso = &acpi.isos[acpi.nisos++];
				iso->bus_irq = p[3];
				memcpy(&iso->gsi, p + 4, 4);
				memcpy(&iso->flags, p + 8, 2);
			}
			break;
		}
		p += p[1];
	}
}

static void acpi_parse_mcfg(const struct acpi_sdt *t)
{
	const uint8_t *p = (const uint8_t *)t + sizeof(*t) + 8, *end = (const uint8_t *)t + t->length;

	for (; p + 16 <= end && acpi.nmcfg < ACPI_MAX_MCFG; p += 16) {
		struct acpi_mcfg *m = &acpi.mcfg[acpi.nmcfg++];
		memcpy(&m->base, p, 8);
		memcpy(&m->segment, p + 8, 2);
		m->bus_start = p[10];
		m->bus_end = p[11];
	}
}

/* FADT fields (ACPI 6.4, table 5.9): PM_TMR_BLK at byte 76, PM_TMR_LEN at 91, Flags at 112
 * with TMR_VAL_EXT (a 32-bit timer) as bit 8. Only a timer in I/O space is used. */
#define FADT_PM_TMR_BLK		76
#define FADT_PM_TMR_LEN		91
#define FADT_FLAGS		112
#define FADT_TMR_VAL_EXT	(1u << 8)

static void acpi_parse_fadt(const struct acpi_sdt *t)
{
	const uint8_t *p = (const uint8_t *)t;
	uint32_t blk, flags = 0;

	if (t->length < FADT_PM_TMR_LEN + 1)
		return;
	memcpy(&blk, p + FADT_PM_TMR_BLK, 4);
	if (t->length >= FADT_FLAGS + 4)
		memcpy(&flags, p + FADT_FLAGS, 4);
	if (!blk || blk > 0xfffc || p[FADT_PM_TMR_LEN] != 4)
		return;
	acpi.pm_timer_port = (uint16_t)blk;
	acpi.pm_timer_bits = flags & FADT_TMR_VAL_EXT ? 32 : 24;
}

/* DMAR (Intel VT-d 3.4, 8.1): a 48-byte header (the SDT, host address width, flags,
 * reserved), then remapping structures. The first DRHD (type 0, 8.3) is taken as the unit
 * of every device of its segment: that is so with INCLUDE_PCI_ALL (flag bit 0), and with
 * QEMU's q35, whose one unit lists the devices of the root bus as scopes instead. A
 * machine with several units per segment is not supported. */
static void acpi_parse_dmar(const struct acpi_sdt *t)
{
	const uint8_t *p = (const uint8_t *)t + 48, *end = (const uint8_t *)t + t->length;

	if (t->length < 48)
		return;
	for (; p + 16 <= end; ) {
		uint16_t type, len;
		memcpy(&type, p, 2);
		memcpy(&len, p + 2, 2);
		if (len < 4 || p + len > end)
			return;
		if (type == 0 && len >= 16 && !acpi.dmar_base) {
			memcpy(&acpi.dmar_base, p + 8, 8);
			memcpy(&acpi.dmar_segment, p + 6, 2);
			acpi.dmar_haw = (uint8_t)(((const uint8_t *)t)[36] + 1);
		}
		p += len;
	}
}

int acpi_init(uint64_t rsdp)
{
	memset(&acpi, 0, sizeof(acpi));
	if (!rsdp) {
		uint64_t ebda = (uint64_t)(*(const uint16_t *)0x40e) << 4;
		if (ebda >= 0x80000 && ebda < 0xa0000)
			rsdp = acpi_scan_rsdp(ebda, 1024);
		if (!rsdp)
			rsdp = acpi_scan_rsdp(0xe0000, 0x20000);
	}
	if (!rsdp || memcmp((const void *)rsdp, "RSD PTR ", 8) != 0)
		return -HV_ENOENT;

	const uint8_t *r = (const uint8_t *)rsdp;
	uint32_t rsdt;
	uint64_t xsdt = 0;
	memcpy(&rsdt, r + 16, 4);
	if (r[15] >= 2 && acpi_checksum_ok(r, 36))
		memcpy(&xsdt, r + 24, 8);
	memcpy(acpi.oem, r + 9, 6);

	const struct acpi_sdt *root = acpi_table(xsdt ? xsdt : rsdt);
	if (!root)
		return -HV_ENOENT;
	acpi.found = 1;
	size_t esize = xsdt ? 8 : 4;
	size_t n = (root->length - sizeof(*root)) / esize;
	for (size_t i = 0; i < n; i++) {
		uint64_t addr = 0;
		memcpy(&addr, (const uint8_t *)root + sizeof(*root) + i * esize, esize);
		const struct acpi_sdt *t = acpi_table(addr);
		if (!t)
			continue;
		if (memcmp(t->sig, "APIC", 4) == 0)
			acpi_parse_madt(t);
		else if (memcmp(t->sig, "MCFG", 4) == 0)
			acpi_parse_mcfg(t);
		else if (memcmp(t->sig, "FACP", 4) == 0)
			acpi_parse_fadt(t);
		else if (memcmp(t->sig, "DMAR", 4) == 0)
			acpi_parse_dmar(t);
	}
	return 0;
}

uint32_t acpi_isa_irq_to_gsi(uint8_t irq, uint16_t *flags)
{
	for (int i = 0; i < acpi.nisos; i++) {
		if (acpi.isos[i].bus_irq == irq) {
			*flags = acpi.isos[i].flags;
			return acpi.isos[i].gsi;
		}
	}
	*flags = 0;	/* ISA default: edge, active high */
	return irq;
}
