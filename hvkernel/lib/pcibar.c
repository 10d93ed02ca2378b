/*
 * BAR decoding from sizing results (PCI 3.0, 6.2.5.1). Only the writable address bits tell
 * the size: the lowest writable bit is the size, whatever the upper bits do.
 */
#include <lib/pcibar.h>
#include <lib/pcireg.h>
#include <hv/errno.h>

/* The lowest set bit: robust against devices whose upper address bits are not all writable. */
static uint64_t pcibar_lowest_bit(uint64_t mask)
{
	return mask & (~mask + 1);
}

/* I/O BAR: upper 16 bits reading 0 means a 16-bit decoder (PCI 3.0, 6.2.5.1 note). */
static int pcibar_decode_io(uint32_t orig, uint32_t sized, struct pcibar *out)
{
	uint32_t mask = sized & PCI_BAR_IO_MASK;
	uint32_t base = orig & PCI_BAR_IO_MASK;

	if ((mask & 0xffff) == 0)
		return -HV_EINVAL;
	if ((mask >> 16) == 0)
		base &= 0xffff;
	out->io = true;
	out->base = base;
	out->size = pcibar_lowest_bit(mask);
	return 1;
}

static int pcibar_decode_mem(uint32_t orig_lo, uint32_t orig_hi, uint32_t sized_lo,
			     uint32_t sized_hi, struct pcibar *out)
{
	uint32_t type = orig_lo & PCI_BAR_MEM_TYPE_MASK;
	uint64_t mask = sized_lo & PCI_BAR_MEM_MASK;
	uint64_t base = orig_lo & PCI_BAR_MEM_MASK;

	/* Type and prefetch bits are read-only; if sizing changed them the reads are garbage. */
	if ((sized_lo & 0xf) != (orig_lo & 0xf))
		return -HV_EINVAL;
	if (type != PCI_BAR_MEM_TYPE_32 && type != PCI_BAR_MEM_TYPE_64)
		return -HV_EINVAL;	/* 01b (below 1 MiB, PCI 2.x) and 11b are reserved */
	if (type == PCI_BAR_MEM_TYPE_64) {
		mask |= (uint64_t)sized_hi << 32;
		base |= (uint64_t)orig_hi << 32;
	}
	if (mask == 0)
		return -HV_EINVAL;
	out->base = base;
	out->size = pcibar_lowest_bit(mask);
	out->mem64 = type == PCI_BAR_MEM_TYPE_64;
	out->prefetch = (orig_lo & PCI_BAR_MEM_PREFETCH) != 0;
	return out->mem64 ? 2 : 1;
}

int pcibar_decode(uint32_t orig_lo, uint32_t orig_hi, uint32_t sized_lo, uint32_t sized_hi,
		  struct pcibar *out)
{
	int rc;

	*out = (struct pcibar){ 0 };
	if (sized_lo == 0)
		return 0;
	if (orig_lo & PCI_BAR_IO)
		rc = pcibar_decode_io(orig_lo, sized_lo, out);
	else
		rc = pcibar_decode_mem(orig_lo, orig_hi, sized_lo, sized_hi, out);
	if (rc <= 0)
		*out = (struct pcibar){ 0 };
	return rc;
}
