/*
 * ACPI tables for a Linux guest (ACPI 6.4: 5.2.5 RSDP, 5.2.8 XSDT, 5.2.12 MADT): the
 * local APIC of every vCPU and the I/O APIC, and nothing else. No FADT: the guest has no
 * ACPI hardware (no PM timer, no SCI) and Linux takes its interrupt topology from the MADT
 * alone. MADT flag PCAT_COMPAT: the VMM answers the 8259's mask registers (vm_io.c), so the
 * guest keeps the ISA IRQs 0-15 identity-mapped onto I/O APIC inputs 0-15, which is how
 * virtio_mmio.device= names its interrupts.
 */
#include <kern/string.h>
#include <vmm/linuxboot.h>
#include <vmm/virq.h>

#define ACPI_HDR	36

static void acpi_put(uint8_t *p, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint8_t acpi_sum(const uint8_t *p, unsigned n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return (uint8_t)(0 - s);
}

/* The common header (5.2.6); the checksum is set once the table is complete. */
static void acpi_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	acpi_put(t + 4, 4, len);
	t[8] = rev;
	memcpy(t + 10, "HVKIT ", 6);		/* OEM ID */
	memcpy(t + 16, "HVKITVM ", 8);		/* OEM table ID */
	acpi_put(t + 24, 4, 1);			/* OEM revision */
	memcpy(t + 28, "HVKT", 4);		/* creator ID */
	acpi_put(t + 32, 4, 1);
	t[9] = acpi_sum(t, len);
}

uint64_t vacpi_build(struct vm *vm, uint64_t gpa, int nvcpus)
{
	uint64_t rsdp = gpa, xsdt = gpa + 0x40, madt = gpa + 0x80;
	uint32_t madt_len = ACPI_HDR + 8 + 8 * (uint32_t)nvcpus + 12;
	uint8_t *r = vm_gpa(vm, rsdp, 36), *x = vm_gpa(vm, xsdt, ACPI_HDR + 8), *m = vm_gpa(vm, madt, madt_len);

	if (!r || !x || !m)
		return 0;
	/* MADT: local APIC address, PCAT_COMPAT, then the entries. */
	memset(m, 0, madt_len);
	acpi_put(m + ACPI_HDR, 4, VLAPIC_BASE);
	acpi_put(m + ACPI_HDR + 4, 4, 1);
	uint8_t *e = m + ACPI_HDR + 8;
	for (int i = 0; i < nvcpus; i++, e += 8) {	/* 5.2.12.2 Processor Local APIC */
		e[0] = 0;
		e[1] = 8;
		e[2] = (uint8_t)i;			/* ACPI processor UID */
		e[3] = (uint8_t)i;			/* APIC ID: the vCPU's index (vlapic.c) */
		acpi_put(e + 4, 4, 1);			/* enabled */
	}
	e[0] = 1;					/* 5.2.12.3 I/O APIC */
	e[1] = 12;
	e[2] = (uint8_t)nvcpus;				/* an ID no local APIC has */
	acpi_put(e + 4, 4, VIOAPIC_BASE);
	acpi_put(e + 8, 4, 0);				/* GSI base */
	acpi_header(m, "APIC", madt_len, 5);
	/* XSDT: one entry. */
	memset(x, 0, ACPI_HDR + 8);
	acpi_put(x + ACPI_HDR, 8, madt);
	acpi_header(x, "XSDT", ACPI_HDR + 8, 1);
	/* RSDP 2.0: the first 20 bytes have their own checksum, all 36 the extended one. */
	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "HVKIT ", 6);
	r[15] = 2;
	acpi_put(r + 20, 4, 36);
	acpi_put(r + 24, 8, xsdt);
	r[8] = acpi_sum(r, 20);
	r[32] = acpi_sum(r, 36);
	return rsdp;
}
