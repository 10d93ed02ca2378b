/*
 * Capability list walking (PCI 3.0, 6.7; PCIe base 4.0, 7.6). Config space contents come
 * from hardware or from a dump a user gave us, so every pointer is checked before use.
 */
#include <lib/pcicap.h>
#include <hv/errno.h>

/* Config space size actually addressable: a caller's size above 4096 is not believed. */
static uint32_t pcicap_size(const struct pcicap_cfg *c)
{
	return c->size > PCI_CFG_SIZE_EXT ? PCI_CFG_SIZE_EXT : c->size;
}

uint8_t pcicap_read8(const struct pcicap_cfg *c, uint16_t off)
{
	if (off >= pcicap_size(c))
		return 0xff;
	return (uint8_t)(c->read32(c->ctx, off & ~3u) >> ((off & 3u) * 8));
}

uint16_t pcicap_read16(const struct pcicap_cfg *c, uint16_t off)
{
	if ((off & 3u) == 3 || off >= pcicap_size(c))
		return (uint16_t)(pcicap_read8(c, off) | pcicap_read8(c, off + 1) << 8);
	return (uint16_t)(c->read32(c->ctx, off & ~3u) >> ((off & 3u) * 8));
}

/* Where the head pointer lives: CardBus bridges keep it at 0x14 (PCI 3.0, 6.7). */
static uint16_t pcicap_head_reg(const struct pcicap_cfg *c)
{
	uint8_t type = pcicap_read8(c, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK;

	return type == PCI_HEADER_TYPE_CARDBUS ? 0x14 : PCI_CAP_PTR;
}

/* Standard capability after the one at cur (0 = head): offset, 0 at the end, <0 malformed. */
static int pcicap_std_next(const struct pcicap_cfg *c, uint16_t cur)
{
	uint16_t ptr_reg = cur + 1;
	uint8_t next;

	if (cur == 0) {
		if (!(pcicap_read16(c, PCI_STATUS) & PCI_STATUS_CAP_LIST))
			return 0;
		ptr_reg = pcicap_head_reg(c);
	}
	next = pcicap_read8(c, ptr_reg) & 0xfc;	/* bits 1:0 are reserved */
	if (next == 0)
		return 0;
	if (next < PCI_STD_HEADER_SIZE || next + 2u > pcicap_size(c))
		return -HV_EINVAL;
	return next;
}

/* Extended capability after the one at cur (0 = first at 0x100): offset, 0 at end, <0 malformed. */
static int pcicap_ext_next(const struct pcicap_cfg *c, uint16_t cur)
{
	uint32_t hdr;
	uint16_t next;

	if (cur == 0) {
		/* No extended space, or a device that leaves 0x100 empty or unimplemented. */
		if (pcicap_size(c) < PCI_CFG_SIZE_EXT)
			return 0;
		hdr = c->read32(c->ctx, PCI_EXT_CAP_START);
		return hdr == 0 || hdr == 0xffffffffu ? 0 : PCI_EXT_CAP_START;
	}
	hdr = c->read32(c->ctx, cur);
	next = (hdr >> 20) & 0xffc;		/* bits 1:0 are reserved (PCIe 4.0, 7.6.3) */
	if (next == 0)
		return 0;
	if (next < PCI_EXT_CAP_START || next + 4u > pcicap_size(c))
		return -HV_EINVAL;
	return next;
}

static uint32_t pcicap_std_id(const struct pcicap_cfg *c, uint16_t off)
{
	return pcicap_read8(c, off);
}

static uint32_t pcicap_ext_id(const struct pcicap_cfg *c, uint16_t off)
{
	return c->read32(c->ctx, off) & 0xffff;
}

/* The two kinds of list differ only in how a step is taken and how an ID is read. */
struct pcicap_list {
	int (*next)(const struct pcicap_cfg *c, uint16_t cur);
	uint32_t (*id)(const struct pcicap_cfg *c, uint16_t off);
	unsigned max;
};

static const struct pcicap_list pcicap_std = { pcicap_std_next, pcicap_std_id, PCICAP_MAX_STD };
static const struct pcicap_list pcicap_ext = { pcicap_ext_next, pcicap_ext_id, PCICAP_MAX_EXT };

/* Never equal to a real 8- or 16-bit ID: turns a find into a pure validation walk. */
#define PCICAP_NO_ID	0xffffffffu

/*
 * Walks the whole list from its head and returns the first cap with this id after the one
 * at start (0 = head). Checking the entire list on every call means a malformed list fails
 * every call, so a caller's "find the next one" loop cannot cycle through a looped list;
 * a start that is not on the list is -HV_EINVAL.
 */
static int pcicap_list_find(const struct pcicap_cfg *c, const struct pcicap_list *l,
			    uint32_t id, uint16_t start)
{
	int off = 0, found = 0;
	bool after = start == 0;

	for (unsigned seen = 0;; seen++) {
		off = l->next(c, (uint16_t)off);
		if (off < 0)
			return off;
		if (off == 0)
			return after ? found : -HV_EINVAL;
		if (seen == l->max)
			return -HV_ELOOP;
		if (after && !found && l->id(c, (uint16_t)off) == id)
			found = off;
		if (off == start)
			after = true;
	}
}

int pcicap_find(const struct pcicap_cfg *c, uint8_t id, uint16_t start)
{
	return pcicap_list_find(c, &pcicap_std, id, start);
}

int pcicap_find_ext(const struct pcicap_cfg *c, uint16_t id, uint16_t start)
{
	return pcicap_list_find(c, &pcicap_ext, id, start);
}

int pcicap_foreach(const struct pcicap_cfg *c,
		   int (*fn)(void *arg, uint8_t id, uint16_t off), void *arg)
{
	int off = pcicap_list_find(c, &pcicap_std, PCICAP_NO_ID, 0);

	if (off < 0)
		return off;
	/* Still bounded: config space may change between the validation walk and this one. */
	for (int seen = 0;; seen++) {
		off = pcicap_std_next(c, (uint16_t)off);
		if (off <= 0)
			return off < 0 ? off : seen;
		if (seen == PCICAP_MAX_STD)
			return -HV_ELOOP;
		int rc = fn(arg, pcicap_read8(c, (uint16_t)off), (uint16_t)off);
		if (rc != 0)
			return rc;
	}
}

/* Standard capabilities must end below 0x100 (and inside a short config space). */
static bool pcicap_std_fits(const struct pcicap_cfg *c, int off, unsigned len)
{
	uint32_t end = pcicap_size(c) < PCI_CFG_SIZE ? pcicap_size(c) : PCI_CFG_SIZE;

	return (unsigned)off + len <= end;
}

/* Finds capability id and checks that len bytes of it lie inside standard config space. */
static int pcicap_find_sized(const struct pcicap_cfg *c, uint8_t id, unsigned len)
{
	int off = pcicap_find(c, id, 0);

	if (off == 0)
		return -HV_ENOENT;
	if (off > 0 && !pcicap_std_fits(c, off, len))
		return -HV_EINVAL;
	return off;
}

int pcicap_msi_info(const struct pcicap_cfg *c, struct pcicap_msi *out)
{
	int off = pcicap_find_sized(c, PCICAP_ID_MSI, 10);
	uint16_t ctrl;
	unsigned mmc, len;

	if (off < 0)
		return off;
	ctrl = pcicap_read16(c, (uint16_t)(off + PCI_MSI_CTRL));
	mmc = (ctrl & PCI_MSI_CTRL_MMC_MASK) >> PCI_MSI_CTRL_MMC_SHIFT;
	if (mmc > 5)			/* 110b and 111b are reserved */
		return -HV_EINVAL;
	/* 10 bytes base; +4 for the upper address; +10 for mask and pending (PCI 3.0, fig. 6-9). */
	len = 10 + (ctrl & PCI_MSI_CTRL_64BIT ? 4 : 0) + (ctrl & PCI_MSI_CTRL_MASKABLE ? 10 : 0);
	if (!pcicap_std_fits(c, off, len))
		return -HV_EINVAL;
	out->off = (uint16_t)off;
	out->is64 = (ctrl & PCI_MSI_CTRL_64BIT) != 0;
	out->maskable = (ctrl & PCI_MSI_CTRL_MASKABLE) != 0;
	out->max_vectors = 1u << mmc;
	return 0;
}

int pcicap_msix_info(const struct pcicap_cfg *c, struct pcicap_msix *out)
{
	int off = pcicap_find_sized(c, PCICAP_ID_MSIX, 12);
	uint32_t table, pba;

	if (off < 0)
		return off;
	table = c->read32(c->ctx, (uint16_t)(off + PCI_MSIX_TABLE));
	pba = c->read32(c->ctx, (uint16_t)(off + PCI_MSIX_PBA));
	/* BIR values 6 and 7 are reserved: there are only six BARs. */
	if ((table & PCI_MSIX_BIR_MASK) >= PCI_BAR_COUNT ||
	    (pba & PCI_MSIX_BIR_MASK) >= PCI_BAR_COUNT)
		return -HV_EINVAL;
	out->off = (uint16_t)off;
	out->table_size = (pcicap_read16(c, (uint16_t)(off + PCI_MSIX_CTRL)) &
			   PCI_MSIX_CTRL_SIZE_MASK) + 1u;
	out->table_bir = (uint8_t)(table & PCI_MSIX_BIR_MASK);
	out->table_off = table & PCI_MSIX_OFF_MASK;
	out->pba_bir = (uint8_t)(pba & PCI_MSIX_BIR_MASK);
	out->pba_off = pba & PCI_MSIX_OFF_MASK;
	return 0;
}
