/*
 * ACPI tables for a Linux guest (ACPI 6.4: 5.2.5 RSDP, 5.2.8 XSDT, 5.2.9 FADT, 5.2.10 FACS,
 * 5.2.11.1 DSDT, 5.2.12 MADT): the local APIC of every vCPU and the I/O APIC (MADT); the
 * fixed hardware a non-reduced FADT must name, which vm_io.c emulates minimally (PM1 event
 * and control blocks at ports 0x600 and 0x604, SCI on ISA IRQ 9, never raised; no PM timer,
 * no GPEs, no reset register); and in the DSDT one device per virtio-mmio window, _HID
 * "LNRO0005" (the ID Linux's virtio_mmio driver binds to through ACPI: Debian's kernel is
 * built without CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES, so virtio_mmio.device= does nothing
 * there) with its window and ISA interrupt in _CRS. MADT flag PCAT_COMPAT: the VMM
 * answers the 8259's mask registers (vm_io.c), so the guest keeps the ISA IRQs 0-15
 * identity-mapped onto I/O APIC inputs 0-15.
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

/* AML PkgLength (20.2.4): 1 byte below 64, else 2 bytes (lengths here stay below 4096);
 * the length counts its own bytes. Returns the bytes written. */
static unsigned aml_pkglen(uint8_t *p, unsigned body)
{
	if (body + 1 < 64) {
		p[0] = (uint8_t)(body + 1);
		return 1;
	}
	unsigned len = body + 2;
	p[0] = (uint8_t)(0x40 | (len & 0xf));
	p[1] = (uint8_t)(len >> 4);
	return 2;
}

/* Device(VRnn) { Name(_HID, "LNRO0005") Name(_UID, n) Name(_CRS, ResourceTemplate() {
 * Memory32Fixed(ReadWrite, base, 0x200) Interrupt(ResourceConsumer, Edge, ActiveHigh,
 * Exclusive) { irq } }) } at p; returns its length. */
static unsigned aml_virtio_dev(uint8_t *p, unsigned n, uint64_t base, unsigned irq)
{
	uint8_t body[96], crs[32];
	unsigned b = 0, c = 0;

	/* _CRS resources (6.4.3.4 Memory32Fixed, 6.4.3.6 Extended Interrupt, 6.4.2.9 End Tag) */
	crs[c++] = 0x86, crs[c++] = 9, crs[c++] = 0, crs[c++] = 1;	/* read-write */
	acpi_put(crs + c, 4, base), c += 4;
	acpi_put(crs + c, 4, 0x200), c += 4;
	crs[c++] = 0x89, crs[c++] = 6, crs[c++] = 0;
	crs[c++] = 0x03;		/* consumer, edge, active high, exclusive */
	crs[c++] = 1;
	acpi_put(crs + c, 4, irq), c += 4;
	crs[c++] = 0x79, crs[c++] = 0;
	memcpy(body + b, "VR0", 3), body[b + 3] = (uint8_t)('0' + n), b += 4;
	body[b++] = 0x08, memcpy(body + b, "_HID", 4), b += 4;		/* NameOp */
	body[b++] = 0x0d, memcpy(body + b, "LNRO0005", 9), b += 9;	/* String */
	body[b++] = 0x08, memcpy(body + b, "_UID", 4), b += 4;
	body[b++] = 0x0a, body[b++] = (uint8_t)n;				/* BytePrefix */
	body[b++] = 0x08, memcpy(body + b, "_CRS", 4), b += 4;
	body[b++] = 0x11;						/* BufferOp */
	uint8_t size[2] = { 0x0a, (uint8_t)c };				/* BytePrefix c */
	b += aml_pkglen(body + b, 2 + c);
	memcpy(body + b, size, 2), b += 2;
	memcpy(body + b, crs, c), b += c;
	unsigned k = 0;
	p[k++] = 0x5b, p[k++] = 0x82;					/* DeviceOp */
	k += aml_pkglen(p + k, b);
	memcpy(p + k, body, b);
	return k + b;
}

/* DSDT: Scope(\_SB) { the virtio-mmio devices }. Returns its length. */
static uint32_t vacpi_dsdt(uint8_t *t, const struct lb_devs *devs)
{
	uint8_t body[512];
	unsigned b = 0;

	memcpy(body, "\\_SB_", 5), b = 5;
	for (int i = 0; i < devs->n; i++)
		b += aml_virtio_dev(body + b, (unsigned)i, devs->base[i], devs->irq[i]);
	unsigned k = ACPI_HDR;
	t[k++] = 0x10;							/* ScopeOp */
	k += aml_pkglen(t + k, b);
	memcpy(t + k, body, b);
	k += b;
	acpi_header(t, "DSDT", k, 2);
	return k;
}

/* FADT (5.2.9, the ACPI 2.0 layout, revision 3): FACS, DSDT, SCI 9, PM1 blocks. */
static void vacpi_fadt(uint8_t *f, uint64_t facs, uint64_t dsdt)
{
	memset(f, 0, VACPI_FADT_LEN);
	acpi_put(f + 36, 4, facs);
	acpi_put(f + 40, 4, dsdt);
	acpi_put(f + 46, 2, VACPI_SCI_IRQ);
	acpi_put(f + 56, 4, VACPI_PM1_EVT);
	acpi_put(f + 64, 4, VACPI_PM1_CNT);
	f[88] = 4;				/* PM1_EVT_LEN */
	f[89] = 2;				/* PM1_CNT_LEN */
	acpi_put(f + 96, 2, 101);		/* P_LVL2_LAT > 100: no C2 */
	acpi_put(f + 98, 2, 1001);		/* P_LVL3_LAT > 1000: no C3 */
	acpi_put(f + 109, 2, 1u << 2 | 1u << 5);	/* IAPC_BOOT_ARCH: no VGA, no CMOS RTC */
	/* WBINVD, PROC_C1, power and sleep buttons not fixed features */
	acpi_put(f + 112, 4, 1u << 0 | 1u << 2 | 1u << 4 | 1u << 5);
	acpi_put(f + 132, 8, facs);
	acpi_put(f + 140, 8, dsdt);
	acpi_header(f, "FACP", VACPI_FADT_LEN, 3);
}

uint64_t vacpi_build(struct vm *vm, uint64_t gpa, int nvcpus, const struct lb_devs *devs)
{
	uint64_t rsdp = gpa, xsdt = gpa + 0x40, madt = gpa + 0x80, facs = gpa + 0x100, fadt = gpa + 0x140,
		 dsdt = gpa + 0x240;
	uint32_t madt_len = ACPI_HDR + 8 + 8 * (uint32_t)nvcpus + 12;
	uint8_t *r = vm_gpa(vm, rsdp, 36), *x = vm_gpa(vm, xsdt, ACPI_HDR + 16), *m = vm_gpa(vm, madt, madt_len);
	uint8_t *fc = vm_gpa(vm, facs, 64), *fa = vm_gpa(vm, fadt, VACPI_FADT_LEN), *ds = vm_gpa(vm, dsdt, 1024);

	if (!r || !x || !m || !fc || !fa || !ds || madt + madt_len > facs || devs->n > 4)
		return 0;
	/* FACS (5.2.10): signature, length, no waking vector, no global lock. */
	memset(fc, 0, 64);
	memcpy(fc, "FACS", 4);
	acpi_put(fc + 4, 4, 64);
	fc[32] = 1;				/* version */
	memset(ds, 0, 1024);
	vacpi_dsdt(ds, devs);
	vacpi_fadt(fa, facs, dsdt);
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
	/* XSDT: MADT and FADT. */
	memset(x, 0, ACPI_HDR + 16);
	acpi_put(x + ACPI_HDR, 8, madt);
	acpi_put(x + ACPI_HDR + 8, 8, fadt);
	acpi_header(x, "XSDT", ACPI_HDR + 16, 1);
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
