/*
 * DDK register access through BAR handles (hv/io.h, hv_pci_bar in hv/pci.h): a driver
 * names the BAR and an offset into it, as with OpenBSD's bus_space or Linux's iomap, and
 * never holds a raw pointer or port. So the kernel knows every register access's device,
 * BAR and offset, and with verifier=1 it refuses an access that does not lie wholly inside
 * the BAR (reads return all ones, as a master abort does; writes are dropped) and reports
 * it with the offset and the driver's call site.
 */
#include <arch/cpu.h>
#include <hv/io.h>
#include <hv/pci.h>
#include <kern/contain.h>
#include <kern/ddkvrf.h>
#include <kern/pci.h>
#include <lib/fmt.h>

#define DDK_BAR(b)	((struct pci_ddkbar *)(b))

struct hv_bar *hv_pci_bar(struct hv_pci_dev *hd, int n)
{
	struct pci_dev *d = (struct pci_dev *)hd;
	struct pci_ddkbar *b;

	if (n < 0 || n > 5 || !d->bar[n].size)
		return 0;
	b = &d->ddkbar[n];
	if (b->ready)
		return (struct hv_bar *)b;
	if (d->bar[n].io) {
		/* Ports are 16 bits: a BAR beyond them cannot be reached with in/out. */
		if (d->bar[n].base + d->bar[n].size > 0x10000)
			return 0;
		b->port = (uint16_t)d->bar[n].base;
		b->io = 1;
	} else {
		b->va = pci_bar_map(d, n);
		if (!b->va)
			return 0;
	}
	b->dev = d;
	b->size = d->bar[n].size;
	b->n = (uint8_t)n;
	b->ready = 1;
	return (struct hv_bar *)b;
}

uint64_t hv_bar_size(const struct hv_bar *hb)
{
	return ((const struct pci_ddkbar *)hb)->size;
}

/* True when the verifier refuses the access (off, width) to b. */
static bool ddk_bar_refused(const struct pci_ddkbar *b, uint64_t off, unsigned width,
			    const char *op, const void *site)
{
	char msg[96];

	if (!ddkvrf_on() || (off < b->size && b->size - off >= width))
		return false;
	fmt_snprintf(msg, sizeof(msg), "%s of %u bytes at offset 0x%llx of BAR%u (%s, 0x%llx bytes)",
		     op, width, (unsigned long long)off, b->n, b->io ? "I/O" : "memory",
		     (unsigned long long)b->size);
	ddkvrf_violation("bar_overrun", b->dev, site, off, width, msg);
	return true;
}

/* The accessors are CONTAIN_SAFE (kern/contain.h): a driver polling a register forever
 * spends most of its time in them, and they take no lock and change no kernel state; the
 * verifier's report (ddkvrf_violation) is a function of its own, not in that section. */
#define DDK_BAR_READ(bits, inop)							\
CONTAIN_SAFE uint##bits##_t hv_bar_read##bits(struct hv_bar *hb, uint64_t off)			\
{											\
	const struct pci_ddkbar *b = DDK_BAR(hb);					\
											\
	if (ddk_bar_refused(b, off, bits / 8, "read", __builtin_return_address(0)))	\
		return (uint##bits##_t)~0ull;						\
	if (b->io)									\
		return (uint##bits##_t)inop;						\
	cpu_exits.mmio++;								\
	return *(const volatile uint##bits##_t *)(b->va + off);				\
}

#define DDK_BAR_WRITE(bits, outop)							\
CONTAIN_SAFE void hv_bar_write##bits(struct hv_bar *hb, uint64_t off, uint##bits##_t v)		\
{											\
	const struct pci_ddkbar *b = DDK_BAR(hb);					\
											\
	if (ddk_bar_refused(b, off, bits / 8, "write", __builtin_return_address(0)))	\
		return;									\
	if (b->io)									\
		outop;									\
	else if (++cpu_exits.mmio)							\
		*(volatile uint##bits##_t *)(b->va + off) = v;				\
}

/* A 64-bit register in I/O space is two 32-bit ports, low first. */
CONTAIN_SAFE static uint64_t ddk_inq(uint16_t port)
{
	uint64_t lo = inl(port);

	return lo | (uint64_t)inl((uint16_t)(port + 4)) << 32;
}

CONTAIN_SAFE static void ddk_outq(uint16_t port, uint64_t v)
{
	outl(port, (uint32_t)v);
	outl((uint16_t)(port + 4), (uint32_t)(v >> 32));
}

DDK_BAR_READ(8, inb((uint16_t)(b->port + off)))
DDK_BAR_READ(16, inw((uint16_t)(b->port + off)))
DDK_BAR_READ(32, inl((uint16_t)(b->port + off)))
DDK_BAR_READ(64, ddk_inq((uint16_t)(b->port + off)))
DDK_BAR_WRITE(8, outb((uint16_t)(b->port + off), v))
DDK_BAR_WRITE(16, outw((uint16_t)(b->port + off), v))
DDK_BAR_WRITE(32, outl((uint16_t)(b->port + off), v))
DDK_BAR_WRITE(64, ddk_outq((uint16_t)(b->port + off), v))
