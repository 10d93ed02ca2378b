/*
 * The AHCI ceiling probe (ceil_blk.h) for QEMU's ich9-ahci with one disk on port 0..31 (the
 * first with a device): the port stopped, its command list, received-FIS area and 32
 * command tables set once, IDENTIFY DEVICE (capacity, NCQ), then every read and write as
 * READ/WRITE FPDMA QUEUED with the tag in its slot (SATA 3.x 13.6.4.1: PxSACT before PxCI),
 * one PRD per command. A finished command's bit leaves PxSACT; the probe reaps by reading
 * it. MSI, when the function has it, only ends the probe's HLT while it waits (the handler
 * clears PxIS and IS). Section numbers refer to AHCI 1.3.1 unless said otherwise.
 */
#include <arch/cpu.h>
#include <hv/errno.h>
#include <hv/io.h>
#include <hv/irq.h>
#include <hv/log.h>
#include <hv/mem.h>
#include <hv/pci.h>
#include <kern/ktest.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/time.h>

#include "../../drivers/storage/ahci/ahcireg.h"
#include "ceil_blk.h"

#define CA_STOP_US	500000		/* 10.1.2: PxCMD.CR / FR clear within 500 ms */
#define CA_CMD_US	2000000
#define CA_MAX_BYTES	(1024u * 1024)	/* one PRD: what ceil_blk.c asks at most */

struct ceil_blk_dev {
	struct hv_pci_dev *pci;
	struct hv_bar *abar;
	unsigned port;
	uint32_t pbase;			/* AHCI_PORT(port) */
	uint8_t *clfis;			/* command list, then the received-FIS area */
	uint64_t clfis_bus;
	struct ahci_cmd_table *tables;	/* one per slot */
	uint64_t tables_bus;
	uint8_t *ident;
	uint64_t ident_bus;
	uint32_t outstanding, pending;
	bool irq;
};

static uint32_t ca_rd(struct ceil_blk_dev *d, uint32_t reg)
{
	return hv_bar_read32(d->abar, d->pbase + reg);
}

static void ca_wr(struct ceil_blk_dev *d, uint32_t reg, uint32_t v)
{
	hv_bar_write32(d->abar, d->pbase + reg, v);
}

/* Clear `set` in PxCMD and wait for `busy` to clear (10.1.2). */
static int ca_port_clear(struct ceil_blk_dev *d, uint32_t set, uint32_t busy)
{
	uint64_t t0 = time_us();

	ca_wr(d, AHCI_PXCMD, ca_rd(d, AHCI_PXCMD) & ~set);
	while (ca_rd(d, AHCI_PXCMD) & busy)
		if (time_us() - t0 > CA_STOP_US)
			return -HV_ETIMEDOUT;
	return 0;
}

static void ca_intr(void *arg, unsigned index)
{
	struct ceil_blk_dev *d = arg;

	(void)index;
	ca_wr(d, AHCI_PXIS, ca_rd(d, AHCI_PXIS));	/* 10.7.2.1: port first, then the HBA */
	hv_bar_write32(d->abar, AHCI_IS, 1u << d->port);
}

static void ca_free(struct ceil_blk_dev *d)
{
	if (d->ident)
		hv_dma_free_coherent(d->pci, d->ident, ATA_IDENTIFY_BYTES);
	if (d->tables)
		hv_dma_free_coherent(d->pci, d->tables, CEIL_BLK_DEPTH * sizeof(struct ahci_cmd_table));
	if (d->clfis)
		hv_dma_free_coherent(d->pci, d->clfis, AHCI_CLFIS_SIZE);
	hv_free(d);
}

static void ca_close(struct ceil_blk_dev *d)
{
	ca_port_clear(d, AHCI_PXCMD_ST, AHCI_PXCMD_CR);
	ca_port_clear(d, AHCI_PXCMD_FRE, AHCI_PXCMD_FR);
	ca_wr(d, AHCI_PXIE, 0);
	hv_bar_write32(d->abar, AHCI_GHC, hv_bar_read32(d->abar, AHCI_GHC) & ~AHCI_GHC_IE);
	if (d->irq)
		hv_pci_irq_free(d->pci);
	hv_pci_disable(d->pci, HV_PCI_ENABLE_MASTER);
	ca_free(d);
}

/* Slot `slot`'s header, register FIS and single PRD. */
static void ca_fill(struct ceil_blk_dev *d, unsigned slot, uint8_t cmd, bool write, uint64_t lba,
		    uint32_t n, uint64_t bus, uint32_t len)
{
	struct ahci_cmd_hdr *h = (struct ahci_cmd_hdr *)d->clfis + slot;
	struct ahci_cmd_table *ct = &d->tables[slot];
	uint8_t *f = ct->cfis;
	bool ncq = cmd == ATA_CMD_READ_FPDMA || cmd == ATA_CMD_WRITE_FPDMA;

	h->flags = (uint16_t)(AHCI_FIS_H2D_DWORDS | (write ? AHCI_HDR_W : 0));
	h->prdtl = 1;
	h->prdbc = 0;
	f[0] = AHCI_FIS_H2D;
	f[1] = AHCI_FIS_H2D_CMD;
	f[2] = cmd;
	f[3] = ncq ? (uint8_t)n : 0;	/* FPDMA: the count is in the features field */
	f[4] = (uint8_t)lba;
	f[5] = (uint8_t)(lba >> 8);
	f[6] = (uint8_t)(lba >> 16);
	f[7] = ncq ? ATA_DEV_LBA : 0;
	f[8] = (uint8_t)(lba >> 24);
	f[9] = (uint8_t)(lba >> 32);
	f[10] = (uint8_t)(lba >> 40);
	f[11] = ncq ? (uint8_t)(n >> 8) : 0;
	f[12] = ncq ? (uint8_t)(slot << 3) : (uint8_t)n;	/* FPDMA: the tag in count 7:3 */
	f[13] = 0;
	f[15] = 0;
	ct->prd[0] = (struct ahci_prd){ (uint32_t)bus, (uint32_t)(bus >> 32), 0, len - 1 };
}

/* IDENTIFY DEVICE (ATA8-ACS 7.16) in slot 0, polled. */
static int ca_identify(struct ktest_ctx *t, struct ceil_blk_dev *d)
{
	uint64_t t0 = time_us();

	ca_fill(d, 0, ATA_CMD_IDENTIFY, false, 0, 0, d->ident_bus, ATA_IDENTIFY_BYTES);
	hv_wmb();
	ca_wr(d, AHCI_PXCI, 1);
	while (ca_rd(d, AHCI_PXCI) & 1)
		if (time_us() - t0 > CA_CMD_US) {
			ktest_msg(t, "ahci: IDENTIFY DEVICE not back in %u us", CA_CMD_US);
			return -HV_ETIMEDOUT;
		}
	if (ca_rd(d, AHCI_PXTFD) & AHCI_TFD_ERR) {
		ktest_msg(t, "ahci: IDENTIFY DEVICE failed (PxTFD %#x)", ca_rd(d, AHCI_PXTFD));
		return -HV_EIO;
	}
	return 0;
}

/* The first implemented port with an ATA device behind an established link. */
static int ca_find_port(struct ceil_blk_dev *d)
{
	uint32_t pi = hv_bar_read32(d->abar, AHCI_PI);

	for (unsigned p = 0; p < AHCI_MAX_PORTS; p++) {
		d->pbase = AHCI_PORT(p);
		if ((pi & (1u << p)) && AHCI_SSTS_DET(ca_rd(d, AHCI_PXSSTS)) == AHCI_SSTS_DET_PHY &&
		    ca_rd(d, AHCI_PXSIG) == AHCI_SIG_ATA) {
			d->port = p;
			return 0;
		}
	}
	return -HV_ENODEV;
}

/* AE, the port stopped and given its memory (10.1.2), errors cleared, FRE and ST. */
static int ca_setup(struct ktest_ctx *t, struct ceil_blk_dev *d, struct ceil_blk_geom *g)
{
	hv_bar_write32(d->abar, AHCI_GHC, AHCI_GHC_AE);
	if (ca_find_port(d) < 0) {
		ktest_msg(t, "ahci: no port with an ATA disk");
		return -HV_ENODEV;
	}
	if (ca_port_clear(d, AHCI_PXCMD_ST, AHCI_PXCMD_CR) < 0 ||
	    ca_port_clear(d, AHCI_PXCMD_FRE, AHCI_PXCMD_FR) < 0) {
		ktest_msg(t, "ahci: port %u does not stop", d->port);
		return -HV_ETIMEDOUT;
	}
	d->clfis = hv_dma_alloc_coherent(d->pci, AHCI_CLFIS_SIZE, &d->clfis_bus);
	d->tables = hv_dma_alloc_coherent(d->pci, CEIL_BLK_DEPTH * sizeof(struct ahci_cmd_table),
					  &d->tables_bus);
	d->ident = hv_dma_alloc_coherent(d->pci, ATA_IDENTIFY_BYTES, &d->ident_bus);
	if (!d->clfis || !d->tables || !d->ident) {
		ktest_msg(t, "ahci: no DMA memory");
		return -HV_ENOMEM;
	}
	memset(d->clfis, 0, AHCI_CLFIS_SIZE);
	for (unsigned s = 0; s < CEIL_BLK_DEPTH; s++) {
		struct ahci_cmd_hdr *h = (struct ahci_cmd_hdr *)d->clfis + s;
		uint64_t ct = d->tables_bus + (uint64_t)s * sizeof(struct ahci_cmd_table);
		h->ctba = (uint32_t)ct;
		h->ctbau = (uint32_t)(ct >> 32);
	}
	uint64_t fb = d->clfis_bus + AHCI_CL_SIZE;
	ca_wr(d, AHCI_PXCLB, (uint32_t)d->clfis_bus);
	ca_wr(d, AHCI_PXCLBU, (uint32_t)(d->clfis_bus >> 32));
	ca_wr(d, AHCI_PXFB, (uint32_t)fb);
	ca_wr(d, AHCI_PXFBU, (uint32_t)(fb >> 32));
	ca_wr(d, AHCI_PXSERR, 0xffffffffu);
	ca_wr(d, AHCI_PXIS, 0xffffffffu);
	int mode;
	d->irq = hv_pci_irq_alloc(d->pci, HV_IRQ_MSI, 1, ca_intr, d, &mode) >= 0;
	ca_wr(d, AHCI_PXCMD, ca_rd(d, AHCI_PXCMD) | AHCI_PXCMD_FRE);
	ca_wr(d, AHCI_PXCMD, ca_rd(d, AHCI_PXCMD) | AHCI_PXCMD_ST);
	int rc = ca_identify(t, d);
	if (rc < 0)
		return rc;
	const uint16_t *id = (const uint16_t *)d->ident;
	unsigned qd = (id[ATA_ID_QDEPTH] & 0x1f) + 1u;
	uint32_t cap = hv_bar_read32(d->abar, AHCI_CAP);
	if (!(cap & AHCI_CAP_SNCQ) || !(id[ATA_ID_SATACAP] & ATA_ID_SATACAP_NCQ) || qd < CEIL_BLK_DEPTH ||
	    AHCI_CAP_NCS(cap) + 1u < CEIL_BLK_DEPTH || !(id[ATA_ID_CMDSET2] & ATA_ID_CMDSET2_LBA48)) {
		ktest_msg(t, "ahci: port %u: no NCQ of depth %u, or no 48-bit LBA", d->port, CEIL_BLK_DEPTH);
		return -HV_ENODEV;
	}
	g->block_size = ATA_SECTOR_SIZE;
	g->nblocks = (uint64_t)id[ATA_ID_LBA48] | (uint64_t)id[ATA_ID_LBA48 + 1] << 16 |
		     (uint64_t)id[ATA_ID_LBA48 + 2] << 32 | (uint64_t)id[ATA_ID_LBA48 + 3] << 48;
	g->max_blocks = CA_MAX_BYTES / ATA_SECTOR_SIZE;
	g->depth = CEIL_BLK_DEPTH;
	if (d->irq) {
		ca_wr(d, AHCI_PXIE, AHCI_PXI_SDBS | AHCI_PXI_DHRS | AHCI_PXI_ERROR);
		hv_bar_write32(d->abar, AHCI_GHC, AHCI_GHC_AE | AHCI_GHC_IE);
	}
	hv_log("ceil: ahci: port %u, %llu sectors, NCQ depth %u, %s", d->port,
	       (unsigned long long)g->nblocks, qd, d->irq ? "MSI ends the wait's HLT" : "no MSI: the wait spins");
	return 0;
}

static int ca_open(struct ktest_ctx *t, struct pci_dev *pd, struct ceil_blk_dev **out,
		   struct ceil_blk_geom *g)
{
	struct ceil_blk_dev *d = hv_zalloc(sizeof(*d));

	if (!d) {
		ktest_msg(t, "ahci: no memory");
		return -HV_ENOMEM;
	}
	d->pci = (struct hv_pci_dev *)pd;
	d->abar = hv_pci_bar(d->pci, AHCI_BAR);
	if (!d->abar) {
		ktest_msg(t, "ahci: no ABAR (BAR 5)");
		hv_free(d);
		return -HV_ENODEV;
	}
	hv_pci_enable(d->pci, HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER);
	int rc = ca_setup(t, d, g);
	if (rc < 0) {
		ca_close(d);
		return rc;
	}
	*out = d;
	return 0;
}

static void ca_post(struct ceil_blk_dev *d, unsigned tag, bool write, uint64_t lba, uint32_t n,
		    uint64_t bus)
{
	ca_fill(d, tag, write ? ATA_CMD_WRITE_FPDMA : ATA_CMD_READ_FPDMA, write, lba, n, bus,
		n * ATA_SECTOR_SIZE);
	d->pending |= 1u << tag;
}

/* 13.6.4.1 of SATA 3.x via AHCI 5.3.2: PxSACT, then PxCI, for the posted tags. */
static void ca_ring(struct ceil_blk_dev *d)
{
	if (!d->pending)
		return;
	hv_wmb();
	ca_wr(d, AHCI_PXSACT, d->pending);
	ca_wr(d, AHCI_PXCI, d->pending);
	d->outstanding |= d->pending;
	d->pending = 0;
}

static unsigned ca_reap(struct ceil_blk_dev *d, unsigned *tags, uint32_t *status, unsigned max)
{
	uint32_t done = d->outstanding & ~ca_rd(d, AHCI_PXSACT);
	unsigned k = 0;

	if (!done)
		return 0;
	hv_rmb();
	uint32_t err = ca_rd(d, AHCI_PXTFD) & AHCI_TFD_ERR;
	for (unsigned s = 0; s < CEIL_BLK_DEPTH && k < max; s++)
		if (done & (1u << s)) {
			tags[k] = s;
			status[k++] = err ? ca_rd(d, AHCI_PXTFD) : 0;
			d->outstanding &= ~(1u << s);
		}
	return k;
}

static void ca_idle(struct ceil_blk_dev *d)
{
	if (!d->irq || !d->outstanding)
		return;
	int on = cpu_irq_save();
	if ((ca_rd(d, AHCI_PXSACT) & d->outstanding) == d->outstanding)
		__asm__ volatile("sti; hlt" ::: "memory");
	cpu_irq_restore(on);
}

const struct ceil_blk_model ceil_ahci_model = {
	.name = "ahci",
	.vendor = AHCI_VENDOR_INTEL,
	.device = AHCI_DEVICE_ICH9,
	.open = ca_open,
	.post = ca_post,
	.ring = ca_ring,
	.reap = ca_reap,
	.idle = ca_idle,
	.close = ca_close,
};
