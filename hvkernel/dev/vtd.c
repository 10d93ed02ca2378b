/*
 * DMA remapping with Intel VT-d (vtdreg.h; Architecture Specification 3.4), as QEMU's
 * intel-iommu emulates it on q35: legacy-mode root and context tables, one domain per PCI
 * function with its own second-level page table, identity-mapped (bus address = physical
 * address) and holding only the regions the DDK tracks for the function (kern/iommu.h).
 * A DMA anywhere else is blocked by the unit, which records a fault; the fault interrupt
 * (or iommu_fault_poll) reports each as a `dma_fault_write` or `dma_fault_read` violation with device, address and
 * direction.
 */
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/trap.h>
#include <hv/errno.h>
#include <hv/lock.h>
#include <kern/acpi.h>
#include <kern/cmdline.h>
#include <kern/ddkvrf.h>
#include <kern/iommu.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <lib/fmt.h>
#include "vtdreg.h"

#define VTD_SPIN_MAX	10000000	/* register polls before a command is given up */

static struct {
	uintptr_t regs;
	uint64_t cap, ecap;
	unsigned levels;		/* 3 (39-bit) or 4 (48-bit) */
	uint64_t *root;			/* root table: 256 root entries */
	uint64_t *ctx[256];		/* context table of each bus */
	bool on;
	uint16_t next_did;
	struct hv_spinlock lock;	/* page tables and invalidation */
	struct hv_spinlock fault_lock;
	uint64_t nfaults;
	struct iommu_fault last;
	uint64_t table_pages;		/* page-table pages below the domains' roots */
} vtd;

static uint32_t vtd_read32(unsigned r) { return mmio_read32(vtd.regs + r); }
static uint64_t vtd_read64(unsigned r) { return mmio_read64(vtd.regs + r); }
static void vtd_write32(unsigned r, uint32_t v) { mmio_write32(vtd.regs + r, v); }
static void vtd_write64(unsigned r, uint64_t v) { mmio_write64(vtd.regs + r, v); }

bool iommu_on(void)
{
	return vtd.on;
}

/* Set a one-shot GCMD bit on top of the persistent state and wait for its status bit
 * (11.4.4: software writes the whole register). */
static int vtd_gcmd(uint32_t cmd, uint32_t status)
{
	uint32_t keep = vtd_read32(VTD_GSTS) & VTD_GSTS_TES;

	vtd_write32(VTD_GCMD, keep | cmd);
	for (int i = 0; i < VTD_SPIN_MAX; i++)
		if (vtd_read32(VTD_GSTS) & status)
			return 0;
	return -HV_ETIMEDOUT;
}

static int vtd_wait64(unsigned r, uint64_t bit)
{
	for (int i = 0; i < VTD_SPIN_MAX; i++)
		if (!(vtd_read64(r) & bit))
			return 0;
	return -HV_ETIMEDOUT;
}

/* Drop cached translations of domain did (11.4.8.1); needed whenever an entry loses its
 * permissions: the unit may cache present entries. */
static void vtd_flush_domain(uint16_t did)
{
	unsigned r = VTD_ECAP_IRO(vtd.ecap) + 8;

	vtd_write64(r, VTD_IOTLB_IVT | VTD_IOTLB_DOMAIN | VTD_IOTLB_DR | VTD_IOTLB_DW | VTD_IOTLB_DID(did));
	if (vtd_wait64(r, VTD_IOTLB_IVT) < 0)
		klog("iommu: IOTLB invalidation of domain %u timed out", did);
}

static unsigned vtd_index(uint64_t addr, unsigned level)
{
	return (unsigned)(addr >> (12 + 9 * (level - 1))) & 511;
}

/* The leaf entry of addr in d's table, creating the tables on the way when create. */
static uint64_t *vtd_leaf(struct pci_dev *d, uint64_t addr, bool create)
{
	uint64_t *t = d->iommu_root;

	for (unsigned level = vtd.levels; level > 1; level--) {
		uint64_t *e = &t[vtd_index(addr, level)];
		if (!(*e & (VTD_SL_R | VTD_SL_W))) {
			if (!create)
				return 0;
			void *n = page_alloc(1);
			if (!n)
				return 0;
			vtd.table_pages++;
			/* Every level needs both permissions for a leaf's to count (9.8). */
			*e = (uint64_t)(uintptr_t)n | VTD_SL_R | VTD_SL_W;
		}
		t = (uint64_t *)(uintptr_t)(*e & VTD_SL_ADDR);
	}
	return &t[vtd_index(addr, 1)];
}

int iommu_map(struct pci_dev *d, uint64_t bus, uint64_t len)
{
	if (!vtd.on || !d->iommu_root || !len)
		return 0;
	unsigned long fl = hv_spin_lock_irqsave(&vtd.lock);
	for (uint64_t a = bus & ~0xfffull; a < bus + len; a += PAGE_SIZE) {
		uint64_t *e = vtd_leaf(d, a, true);
		if (!e) {
			hv_spin_unlock_irqrestore(&vtd.lock, fl);
			iommu_unmap(d, bus, a - (bus & ~0xfffull));
			return -HV_ENOMEM;
		}
		*e = a | VTD_SL_R | VTD_SL_W;
	}
	hv_spin_unlock_irqrestore(&vtd.lock, fl);
	return 0;
}

static bool vtd_table_empty(const uint64_t *t)
{
	for (unsigned i = 0; i < 512; i++)
		if (t[i] & (VTD_SL_R | VTD_SL_W))
			return false;
	return true;
}

/* Clear addr's leaf in d's table and free the tables on its path that became empty, so
 * the page tables hold no more pages than the mapped regions need. */
static void vtd_unmap_page(struct pci_dev *d, uint64_t addr)
{
	uint64_t *path[5];
	uint64_t *t = d->iommu_root;

	for (unsigned level = vtd.levels; level > 1; level--) {
		path[level] = t;
		uint64_t e = t[vtd_index(addr, level)];
		if (!(e & (VTD_SL_R | VTD_SL_W)))
			return;
		t = (uint64_t *)(uintptr_t)(e & VTD_SL_ADDR);
	}
	t[vtd_index(addr, 1)] = 0;
	for (unsigned level = 2; level <= vtd.levels && vtd_table_empty(t); level++) {
		path[level][vtd_index(addr, level)] = 0;
		page_free(t, 1);
		vtd.table_pages--;
		t = path[level];
	}
}

void iommu_unmap(struct pci_dev *d, uint64_t bus, uint64_t len)
{
	if (!vtd.on || !d->iommu_root || !len)
		return;
	unsigned long fl = hv_spin_lock_irqsave(&vtd.lock);
	for (uint64_t a = bus & ~0xfffull; a < bus + len; a += PAGE_SIZE)
		vtd_unmap_page(d, a);
	/* Drop the cached translations before the caller frees the memory: from here the
	 * device cannot reach it. */
	vtd_flush_domain(d->iommu_did);
	hv_spin_unlock_irqrestore(&vtd.lock, fl);
}

static const char *vtd_reason(unsigned fr)
{
	switch (fr) {
	case 0x1: return "root entry not present";
	case 0x2: return "context entry not present";
	case 0x3: return "invalid context entry";
	case 0x4: return "address beyond the address width";
	case 0x5: return "page not writable for the device";
	case 0x6: return "page not readable for the device";
	default: return "translation fault";
	}
}

static void vtd_report(const struct iommu_fault *f)
{
	char msg[128];

	fmt_snprintf(msg, sizeof(msg), "DMA %s of 0x%llx blocked by the IOMMU (source %02x:%02x.%u, reason %u: %s)",
		     f->write ? "write" : "read", (unsigned long long)f->addr, f->sid >> 8,
		     (f->sid >> 3) & 31, f->sid & 7, f->reason, vtd_reason(f->reason));
	ddkvrf_violation(f->write ? "dma_fault_write" : "dma_fault_read", f->dev, 0, f->addr, PAGE_SIZE, msg);
}

int iommu_fault_poll(void)
{
	struct iommu_fault found[8];
	int n = 0;

	if (!vtd.regs)
		return 0;
	unsigned long fl = hv_spin_lock_irqsave(&vtd.fault_lock);
	unsigned fro = VTD_CAP_FRO(vtd.cap), nfr = VTD_CAP_NFR(vtd.cap);
	for (unsigned i = 0; i < nfr; i++) {
		uint64_t hi = vtd_read64(fro + i * 16 + 8);
		if (!(hi & VTD_FRCD_F))
			continue;
		uint64_t lo = vtd_read64(fro + i * 16);
		struct iommu_fault f;
		f.sid = (uint16_t)VTD_FRCD_SID(hi);
		f.dev = pci_find_slot(acpi.dmar_segment, (uint8_t)(f.sid >> 8), (f.sid >> 3) & 31, f.sid & 7);
		f.addr = lo & ~0xfffull;
		f.write = !(hi & VTD_FRCD_T_READ);
		f.reason = (uint8_t)VTD_FRCD_FR(hi);
		vtd_write64(fro + i * 16 + 8, VTD_FRCD_F);	/* write 1 to clear (11.4.14) */
		vtd.nfaults++;
		vtd.last = f;
		if (n < 8)
			found[n] = f;
		n++;
	}
	uint32_t fsts = vtd_read32(VTD_FSTS);
	if (fsts & VTD_FSTS_PFO) {
		vtd_write32(VTD_FSTS, VTD_FSTS_PFO);
		klog("iommu: fault recording overflowed: faults were lost");
	}
	hv_spin_unlock_irqrestore(&vtd.fault_lock, fl);
	for (int i = 0; i < n && i < 8; i++)
		vtd_report(&found[i]);
	return n;
}

uint64_t iommu_table_pages(void)
{
	return __atomic_load_n(&vtd.table_pages, __ATOMIC_RELAXED);
}

uint64_t iommu_fault_count(void)
{
	return __atomic_load_n(&vtd.nfaults, __ATOMIC_RELAXED);
}

void iommu_last_fault(struct iommu_fault *out)
{
	unsigned long fl = hv_spin_lock_irqsave(&vtd.fault_lock);
	*out = vtd.last;
	hv_spin_unlock_irqrestore(&vtd.fault_lock, fl);
}

static void vtd_fault_irq(struct trapframe *tf, void *arg)
{
	(void)tf;
	(void)arg;
	iommu_fault_poll();
}

/* A domain for d: a context entry pointing at an empty page table (9.3). */
static int vtd_attach(struct pci_dev *d)
{
	if (d->seg != acpi.dmar_segment)
		return 0;
	if (!vtd.ctx[d->bus]) {
		vtd.ctx[d->bus] = page_alloc(1);
		if (!vtd.ctx[d->bus])
			return -HV_ENOMEM;
		vtd.root[d->bus * 2] = (uint64_t)(uintptr_t)vtd.ctx[d->bus] | VTD_RE_P;
	}
	d->iommu_root = page_alloc(1);
	if (!d->iommu_root)
		return -HV_ENOMEM;
	d->iommu_did = ++vtd.next_did;
	unsigned devfn = (unsigned)d->dev << 3 | d->fn;
	uint64_t *ce = &vtd.ctx[d->bus][devfn * 2];
	ce[1] = VTD_CE_AW(vtd.levels - 2) | VTD_CE_DID(d->iommu_did);
	ce[0] = (uint64_t)(uintptr_t)d->iommu_root | VTD_CE_P;
	return 0;
}

/* Route the fault event to a vector of this CPU (11.4.9.3-4: an MSI the unit sends). */
static int vtd_fault_irq_init(void)
{
	int v = irq_alloc_vector(vtd_fault_irq, 0);

	if (v < 0)
		return v;
	vtd_write32(VTD_FEDATA, (uint32_t)v);
	vtd_write32(VTD_FEADDR, 0xfee00000u | lapic_id() << 12);
	vtd_write32(VTD_FEUADDR, 0);
	vtd_write32(VTD_FECTL, 0);	/* unmask */
	return 0;
}

int iommu_init(void)
{
	const char *opt = cmdline_get("iommu");
	int ret;

	if (!acpi.dmar_base)
		return -HV_ENODEV;
	if (opt && strcmp(opt, "off") == 0) {
		klog("iommu: VT-d unit at 0x%llx left off (iommu=off)", (unsigned long long)acpi.dmar_base);
		return -HV_ENODEV;
	}
	vtd.regs = mem_map_mmio(acpi.dmar_base, VTD_MMIO_SIZE);
	if (!vtd.regs)
		return -HV_ENOMEM;
	vtd.cap = vtd_read64(VTD_CAP);
	vtd.ecap = vtd_read64(VTD_ECAP);
	unsigned sagaw = VTD_CAP_SAGAW(vtd.cap);
	vtd.levels = (sagaw & 2) ? 3 : (sagaw & 4) ? 4 : 0;
	if (!vtd.levels) {
		klog("iommu: VT-d unit supports neither 3- nor 4-level tables (SAGAW 0x%x)", sagaw);
		return -HV_ENODEV;
	}
	vtd.root = page_alloc(1);
	if (!vtd.root)
		return -HV_ENOMEM;
	int n = 0;
	for (struct pci_dev *d = pci_first(); d; d = d->next, n++)
		if ((ret = vtd_attach(d)) < 0)
			return ret;
	if ((ret = vtd_fault_irq_init()) < 0)
		return ret;
	vtd_write64(VTD_RTADDR, (uint64_t)(uintptr_t)vtd.root);
	if ((ret = vtd_gcmd(VTD_GCMD_SRTP, VTD_GSTS_RTPS)) < 0)
		return ret;
	vtd_write64(VTD_CCMD, VTD_CCMD_ICC | VTD_CCMD_GLOBAL);
	if ((ret = vtd_wait64(VTD_CCMD, VTD_CCMD_ICC)) < 0)
		return ret;
	if ((ret = vtd_gcmd(VTD_GCMD_TE, VTD_GSTS_TES)) < 0)
		return ret;
	vtd.on = true;
	klog("iommu: VT-d %u.%u at 0x%llx on, %u-level tables, %d domains",
	     vtd_read32(VTD_VER) >> 4 & 0xf, vtd_read32(VTD_VER) & 0xf,
	     (unsigned long long)acpi.dmar_base, vtd.levels, n);
	return 0;
}
