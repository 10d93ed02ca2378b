/*
 * PCI enumeration: a depth-first walk from each root bus through PCI-to-PCI bridges and
 * PCIe root/downstream ports, every function of every device, BAR sizing and the
 * capability summary. Bus numbers come from the firmware; a bridge it left unnumbered gets
 * the next free bus. A bus is visited at most once, so a bridge that loops cannot hang us.
 */
#include <hv/errno.h>
#include <kern/acpi.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <lib/fmt.h>
#include <lib/pcicap.h>
#include <lib/pcireg.h>

static struct pci_dev *pci_head, *pci_tail;
static int pci_ndevs;
static uint8_t pci_bus_seen[256 / 8];
static unsigned pci_next_bus;

struct pci_dev *pci_first(void) { return pci_head; }
int pci_count(void) { return pci_ndevs; }

const char *pci_slot_name(const struct pci_dev *d, char *buf)
{
	fmt_snprintf(buf, 16, "%04x:%02x:%02x.%x", d->seg, d->bus, d->dev, d->fn);
	return d->seg ? buf : buf + 5;
}

struct pci_dev *pci_find_slot(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn)
{
	for (struct pci_dev *d = pci_head; d; d = d->next)
		if (d->seg == seg && d->bus == bus && d->dev == dev && d->fn == fn)
			return d;
	return 0;
}

int pci_parse_slot(const char *s, uint16_t *seg, uint8_t *bus, uint8_t *dev, uint8_t *fn)
{
	uint64_t v[4];
	size_t len = strlen(s);

	/* "SSSS:BB:DD.F" is 12 characters, "BB:DD.F" is 7. */
	if (len == 12 && s[4] == ':' && s[7] == ':' && s[10] == '.') {
		if (str_hex_to_u64(s, 4, &v[0]) || str_hex_to_u64(s + 5, 2, &v[1]) ||
		    str_hex_to_u64(s + 8, 2, &v[2]) || str_hex_to_u64(s + 11, 1, &v[3]))
			return -HV_EINVAL;
	} else if (len == 7 && s[2] == ':' && s[5] == '.') {
		v[0] = 0;
		if (str_hex_to_u64(s, 2, &v[1]) || str_hex_to_u64(s + 3, 2, &v[2]) ||
		    str_hex_to_u64(s + 6, 1, &v[3]))
			return -HV_EINVAL;
	} else {
		return -HV_EINVAL;
	}
	if (v[2] > 31 || v[3] > 7)
		return -HV_EINVAL;
	*seg = (uint16_t)v[0];
	*bus = (uint8_t)v[1];
	*dev = (uint8_t)v[2];
	*fn = (uint8_t)v[3];
	return 0;
}

static uint32_t pci_cap_read32(void *ctx, uint16_t off)
{
	return pci_cfg_read32(ctx, off);
}

/* Record the first capability of each kind we use; later duplicates are ignored. */
static int pci_note_cap(void *arg, uint8_t id, uint16_t off)
{
	struct pci_dev *d = arg;
	uint16_t *slot = id == PCICAP_ID_MSI ? &d->cap_msi : id == PCICAP_ID_MSIX ? &d->cap_msix :
			 id == PCICAP_ID_PCIE ? &d->cap_pcie : id == PCICAP_ID_PM ? &d->cap_pm : 0;

	if (slot && !*slot)
		*slot = off;
	return 0;
}

static void pci_read_caps(struct pci_dev *d)
{
	struct pcicap_cfg cfg = { pci_cap_read32, d, d->cfg_size };

	if (pcicap_foreach(&cfg, pci_note_cap, d) < 0)
		klog("pci: %02x:%02x.%x has a malformed capability list; ignoring the rest",
		     d->bus, d->dev, d->fn);
}

/* Size the BARs with decoding off, so the all-ones probe never claims an address range
 * (PCI Local Bus 3.0, 6.2.5.1). */
static void pci_size_bars(struct pci_dev *d)
{
	int nbars = d->hdr_type == PCI_HEADER_TYPE_NORMAL ? 6 :
		    d->hdr_type == PCI_HEADER_TYPE_BRIDGE ? 2 : 0;
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND);

	pci_cfg_write16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEM));
	for (int i = 0; i < nbars; i++) {
		uint16_t reg = PCI_BAR(i);
		uint32_t lo = pci_cfg_read32(d, reg), hi = 0, slo, shi = 0;
		bool is64 = !(lo & PCI_BAR_IO) &&
			    (lo & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64 && i + 1 < nbars;
		pci_cfg_write32(d, reg, 0xffffffffu);
		slo = pci_cfg_read32(d, reg);
		pci_cfg_write32(d, reg, lo);
		if (is64) {
			hi = pci_cfg_read32(d, reg + 4);
			pci_cfg_write32(d, reg + 4, 0xffffffffu);
			shi = pci_cfg_read32(d, reg + 4);
			pci_cfg_write32(d, reg + 4, hi);
		}
		int used = pcibar_decode(lo, hi, slo, shi, &d->bar[i]);
		if (used == 2)
			i++;
	}
	pci_cfg_write16(d, PCI_COMMAND, cmd);
}

static struct pci_dev *pci_add(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn,
			       struct pci_dev *parent)
{
	struct pci_dev *d = kzalloc(sizeof(*d));

	if (!d)
		return 0;
	d->seg = seg;
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->parent = parent;
	d->cfg_size = strcmp(pci_cfg_mechanism(seg, bus), "ecam") == 0 ? 4096 : 256;
	uint32_t id = pci_cfg_read32(d, PCI_VENDOR_ID);
	d->vendor = id & 0xffff;
	d->device = id >> 16;
	uint32_t cr = pci_cfg_read32(d, PCI_REVISION_ID);
	d->rev = cr & 0xff;
	d->class = cr >> 8;
	d->hdr_type = pci_cfg_read8(d, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK;
	if (d->hdr_type == PCI_HEADER_TYPE_NORMAL) {
		d->subvendor = pci_cfg_read16(d, PCI_SUBSYS_VENDOR_ID);
		d->subdevice = pci_cfg_read16(d, PCI_SUBSYS_ID);
	}
	d->irq_line = pci_cfg_read8(d, PCI_INT_LINE);
	d->irq_pin = pci_cfg_read8(d, PCI_INT_PIN);
	pci_read_caps(d);
	pci_size_bars(d);
	if (pci_tail)
		pci_tail->next = d;
	else
		pci_head = d;
	pci_tail = d;
	pci_ndevs++;
	return d;
}

static void pci_scan_bus(uint16_t seg, unsigned bus, struct pci_dev *parent, int depth);

static void pci_scan_bridge(struct pci_dev *d, int depth)
{
	uint32_t buses = pci_cfg_read32(d, PCI_PRIMARY_BUS);
	unsigned sec = (buses >> 8) & 0xff, sub = (buses >> 16) & 0xff;

	if (sec <= d->bus || sec > 255 || (pci_bus_seen[sec / 8] & (1 << (sec % 8)))) {
		/* Unnumbered (or nonsensical): give it the next free bus, open-ended below. */
		if (pci_next_bus > 255) {
			klog("pci: no bus number left for the bridge at %02x:%02x.%x", d->bus, d->dev, d->fn);
			return;
		}
		sec = pci_next_bus;
		sub = 255;
		buses = (buses & 0xff000000u) | (sub << 16) | (sec << 8) | d->bus;
		pci_cfg_write32(d, PCI_PRIMARY_BUS, buses);
	}
	d->sec_bus = (uint8_t)sec;
	d->sub_bus = (uint8_t)sub;
	pci_scan_bus(d->seg, sec, d, depth + 1);
}

static void pci_scan_function(uint16_t seg, unsigned bus, unsigned dev, unsigned fn,
			      struct pci_dev *parent, int depth)
{
	struct pci_dev *d = pci_add(seg, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn, parent);

	if (d && d->hdr_type == PCI_HEADER_TYPE_BRIDGE)
		pci_scan_bridge(d, depth);
}

static void pci_scan_bus(uint16_t seg, unsigned bus, struct pci_dev *parent, int depth)
{
	if (bus > 255 || depth > 32 || (pci_bus_seen[bus / 8] & (1 << (bus % 8))))
		return;
	pci_bus_seen[bus / 8] |= 1 << (bus % 8);
	if (bus >= pci_next_bus)
		pci_next_bus = bus + 1;
	for (unsigned dev = 0; dev < 32; dev++) {
		uint32_t id = pci_cfg_raw_read32(seg, (uint8_t)bus, (uint8_t)dev, 0, PCI_VENDOR_ID);
		if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
			continue;
		uint8_t hdr = (uint8_t)(pci_cfg_raw_read32(seg, (uint8_t)bus, (uint8_t)dev, 0, 0x0c) >> 16);
		unsigned nfn = (hdr & PCI_HEADER_MULTIFUNC) ? 8 : 1;
		for (unsigned fn = 0; fn < nfn; fn++) {
			if (fn) {
				id = pci_cfg_raw_read32(seg, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn, 0);
				if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
					continue;
			}
			pci_scan_function(seg, bus, dev, fn, parent, depth);
		}
	}
}

int pci_init(void)
{
	pci_head = pci_tail = 0;
	pci_ndevs = 0;
	memset(pci_bus_seen, 0, sizeof(pci_bus_seen));
	pci_next_bus = 0;
	if (acpi.nmcfg == 0) {
		pci_scan_bus(0, 0, 0, 0);
	} else {
		/* Each MCFG entry is one segment's bus range; its first bus is a root bus. */
		for (int i = 0; i < acpi.nmcfg; i++) {
			memset(pci_bus_seen, 0, sizeof(pci_bus_seen));
			pci_next_bus = acpi.mcfg[i].bus_start;
			pci_scan_bus(acpi.mcfg[i].segment, acpi.mcfg[i].bus_start, 0, 0);
		}
	}
	return pci_ndevs;
}

void pci_unlink(struct pci_dev *d, struct pci_dev *prev)
{
	if (prev)
		prev->next = d->next;
	else
		pci_head = d->next;
	if (pci_tail == d)
		pci_tail = prev;
	d->next = 0;
	pci_ndevs--;
}

void pci_enable(struct pci_dev *d, uint16_t set_bits)
{
	pci_cfg_write16(d, PCI_COMMAND, pci_cfg_read16(d, PCI_COMMAND) | set_bits);
}

void pci_disable(struct pci_dev *d, uint16_t clear_bits)
{
	pci_cfg_write16(d, PCI_COMMAND, pci_cfg_read16(d, PCI_COMMAND) & ~clear_bits);
}

uintptr_t pci_bar_map(struct pci_dev *d, int bar)
{
	if (bar < 0 || bar > 5 || d->bar[bar].io || !d->bar[bar].size || !d->bar[bar].base)
		return 0;
	return mem_map_mmio(d->bar[bar].base, d->bar[bar].size);
}
