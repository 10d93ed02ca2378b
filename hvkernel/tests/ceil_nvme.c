/*
 * The NVMe ceiling probe (ceil_blk.h) for QEMU's nvme: the admin queue, IDENTIFY of the
 * controller (MDTS) and namespace 1 (size, LBA format), then one I/O queue pair created
 * on MSI-X vector 0, whose only job is to end the probe's HLT while it waits (completions
 * are still reaped by polling; without MSI-X the queue has no interrupt, INTMS is all set
 * and the probe spins). A command is one 64-byte entry
 * written at the SQ tail (cid = the probe's tag) and the SQ doorbell; completions are found
 * by their phase tag (4.6) and the CQ doorbell is written once per reaped batch. A tag's
 * PRP list page is filled once for the buffer it describes and reused while the buffer
 * stays the same. Section numbers refer to NVM Express Base Specification 1.4.
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

#include "../../drivers/storage/nvme/nvmereg.h"
#include "ceil_blk.h"

#define CN_ADMIN_Q	16		/* admin queue entries */
#define CN_IO_Q		64		/* I/O queue entries: holds 63, the probe uses 32 */
#define CN_PRPL		(NVME_PAGE_SIZE / 8)	/* entries in one PRP list page */
#define CN_NSID		1
#define CN_ADMIN_US	2000000

struct cn_queue {
	struct nvme_sqe *sq;
	volatile struct nvme_cqe *cq;
	uint64_t sq_bus, cq_bus;
	uint16_t entries, tail, head;
	uint8_t phase;
	uint32_t sq_db, cq_db;
};

struct ceil_blk_dev {
	struct hv_pci_dev *pci;
	struct hv_bar *regs;
	uint64_t ready_us;
	struct cn_queue adm, io;
	uint8_t *ident;			/* one page: IDENTIFY data */
	uint64_t ident_bus;
	uint64_t *prpl;			/* CEIL_BLK_DEPTH pages, one per tag */
	uint64_t prpl_bus;
	uint64_t prpl_for[CEIL_BLK_DEPTH];	/* the buffer each tag's list holds, 0: none */
	uint32_t prpl_len[CEIL_BLK_DEPTH];
	uint8_t lba_shift;
	bool irq;			/* MSI-X vector 0 wakes cn_idle */
	bool rang;			/* posted since the last doorbell */
};

static void cn_free(struct ceil_blk_dev *d)
{
	if (d->prpl)
		hv_dma_free_coherent(d->pci, d->prpl, CEIL_BLK_DEPTH * NVME_PAGE_SIZE);
	if (d->ident)
		hv_dma_free_coherent(d->pci, d->ident, NVME_PAGE_SIZE);
	if (d->io.cq)
		hv_dma_free_coherent(d->pci, (void *)d->io.cq, CN_IO_Q * sizeof(struct nvme_cqe));
	if (d->io.sq)
		hv_dma_free_coherent(d->pci, d->io.sq, CN_IO_Q * sizeof(struct nvme_sqe));
	if (d->adm.cq)
		hv_dma_free_coherent(d->pci, (void *)d->adm.cq, CN_ADMIN_Q * sizeof(struct nvme_cqe));
	if (d->adm.sq)
		hv_dma_free_coherent(d->pci, d->adm.sq, CN_ADMIN_Q * sizeof(struct nvme_sqe));
	hv_free(d);
}

static int cn_queue_alloc(struct ceil_blk_dev *d, struct cn_queue *q, unsigned id, unsigned entries,
			  uint32_t dstrd)
{
	q->entries = (uint16_t)entries;
	q->sq = hv_dma_alloc_coherent(d->pci, entries * sizeof(struct nvme_sqe), &q->sq_bus);
	q->cq = hv_dma_alloc_coherent(d->pci, entries * sizeof(struct nvme_cqe), &q->cq_bus);
	if (!q->sq || !q->cq)
		return -HV_ENOMEM;
	memset((void *)q->cq, 0, entries * sizeof(struct nvme_cqe));
	q->tail = q->head = 0;
	q->phase = 1;		/* 4.6: the first pass writes phase tag 1 */
	q->sq_db = NVME_DBBASE + (2 * id) * dstrd;
	q->cq_db = NVME_DBBASE + (2 * id + 1) * dstrd;
	return 0;
}

/* 3.1.6: CSTS.RDY becomes want within CAP.TO. */
static int cn_wait_ready(struct ktest_ctx *t, struct ceil_blk_dev *d, uint32_t want)
{
	uint64_t t0 = time_us();

	while ((hv_bar_read32(d->regs, NVME_CSTS) & NVME_CSTS_RDY) != want)
		if (time_us() - t0 > d->ready_us) {
			if (t)
				ktest_msg(t, "nvme: CSTS.RDY did not become %u in %llu us", want,
					  (unsigned long long)d->ready_us);
			return -HV_ETIMEDOUT;
		}
	return 0;
}

/* The vector only ends cn_idle's HLT; the probe reaps the queue itself. */
static void cn_intr(void *arg, unsigned index)
{
	(void)arg;
	(void)index;
}

/* One completion of q, if there is one: its status (SCT and SC, 0 success) and cid. */
static bool cn_cq_next(struct cn_queue *q, uint16_t *status, uint16_t *cid)
{
	volatile struct nvme_cqe *c = &q->cq[q->head];
	uint16_t s = c->status;

	if (NVME_CQE_PHASE(s) != q->phase)
		return false;
	hv_rmb();
	*status = (uint16_t)NVME_CQE_STATUS(s);
	*cid = c->cid;
	if (++q->head == q->entries) {
		q->head = 0;
		q->phase ^= 1;
	}
	return true;
}

/* One admin command, polled to its completion. */
static int cn_admin(struct ktest_ctx *t, struct ceil_blk_dev *d, struct nvme_sqe *cmd)
{
	struct cn_queue *q = &d->adm;
	uint16_t status, cid;
	uint64_t t0 = time_us();

	cmd->cid = q->tail;
	q->sq[q->tail] = *cmd;
	q->tail = (uint16_t)((q->tail + 1) % q->entries);
	hv_wmb();
	hv_bar_write32(d->regs, q->sq_db, q->tail);
	while (!cn_cq_next(q, &status, &cid))
		if (time_us() - t0 > CN_ADMIN_US) {
			ktest_msg(t, "nvme: admin command %#x not back in %u us", cmd->opcode, CN_ADMIN_US);
			return -HV_ETIMEDOUT;
		}
	hv_bar_write32(d->regs, q->cq_db, q->head);
	if (status) {
		ktest_msg(t, "nvme: admin command %#x failed with status %#x", cmd->opcode, status);
		return -HV_EIO;
	}
	return 0;
}

static int cn_identify(struct ktest_ctx *t, struct ceil_blk_dev *d, uint32_t cns, uint32_t nsid)
{
	struct nvme_sqe c = { .opcode = NVME_ADM_IDENTIFY, .nsid = nsid, .prp1 = d->ident_bus,
			      .cdw10 = cns };

	return cn_admin(t, d, &c);
}

/* 5.4 then 5.5: the I/O pair (queue 1), physically contiguous, no interrupt. */
static int cn_create_io(struct ktest_ctx *t, struct ceil_blk_dev *d)
{
	struct nvme_sqe c = { .opcode = NVME_ADM_CREATE_CQ, .prp1 = d->io.cq_bus,
			      .cdw10 = (uint32_t)(CN_IO_Q - 1) << 16 | 1,
			      .cdw11 = NVME_CREATE_CQ_PC | (d->irq ? NVME_CREATE_CQ_IEN | NVME_CREATE_CQ_IV(0) : 0) };
	int rc = cn_admin(t, d, &c);

	if (rc < 0)
		return rc;
	c = (struct nvme_sqe){ .opcode = NVME_ADM_CREATE_SQ, .prp1 = d->io.sq_bus,
			       .cdw10 = (uint32_t)(CN_IO_Q - 1) << 16 | 1,
			       .cdw11 = NVME_CREATE_SQ_PC | NVME_CREATE_SQ_CQID(1) };
	return cn_admin(t, d, &c);
}

/* Disabled, queues allocated, enabled (7.6.1), identified, the I/O pair created. */
static int cn_setup(struct ktest_ctx *t, struct ceil_blk_dev *d, struct ceil_blk_geom *g)
{
	uint64_t cap = hv_bar_read64(d->regs, NVME_CAP);
	uint32_t dstrd = 4u << NVME_CAP_DSTRD(cap);
	int rc;

	d->ready_us = (uint64_t)(NVME_CAP_TO(cap) ? NVME_CAP_TO(cap) : 1) * 500000;
	hv_bar_write32(d->regs, NVME_CC, 0);
	if ((rc = cn_wait_ready(t, d, 0)) < 0)
		return rc;
	if (NVME_CAP_MQES(cap) + 1 < CN_IO_Q || NVME_CAP_MPSMIN(cap) != 0) {
		ktest_msg(t, "nvme: CAP %#llx: queues of %u entries or 4 KiB pages not supported",
			  (unsigned long long)cap, CN_IO_Q);
		return -HV_ENODEV;
	}
	if (cn_queue_alloc(d, &d->adm, 0, CN_ADMIN_Q, dstrd) < 0 ||
	    cn_queue_alloc(d, &d->io, 1, CN_IO_Q, dstrd) < 0 ||
	    !(d->ident = hv_dma_alloc_coherent(d->pci, NVME_PAGE_SIZE, &d->ident_bus)) ||
	    !(d->prpl = hv_dma_alloc_coherent(d->pci, CEIL_BLK_DEPTH * NVME_PAGE_SIZE, &d->prpl_bus))) {
		ktest_msg(t, "nvme: no DMA memory");
		return -HV_ENOMEM;
	}
	int mode;
	d->irq = hv_pci_irq_alloc(d->pci, HV_IRQ_MSIX, 1, cn_intr, d, &mode) >= 0;
	if (!d->irq)	/* 3.1.3: INTMS is for pin and MSI interrupts only */
		hv_bar_write32(d->regs, NVME_INTMS, 0xffffffffu);
	hv_bar_write32(d->regs, NVME_AQA, NVME_AQA_ACQS(CN_ADMIN_Q) | NVME_AQA_ASQS(CN_ADMIN_Q));
	hv_bar_write64(d->regs, NVME_ASQ, d->adm.sq_bus);
	hv_bar_write64(d->regs, NVME_ACQ, d->adm.cq_bus);
	hv_bar_write32(d->regs, NVME_CC, NVME_CC_EN | NVME_CC_CSS_NVM | NVME_CC_MPS(0) | NVME_CC_AMS_RR |
		       NVME_CC_IOSQES(NVME_SQE_SHIFT) | NVME_CC_IOCQES(NVME_CQE_SHIFT));
	if ((rc = cn_wait_ready(t, d, NVME_CSTS_RDY)) < 0 || (rc = cn_identify(t, d, NVME_CNS_CTRL, 0)) < 0)
		return rc;
	uint8_t mdts = d->ident[NVME_IDC_MDTS];
	uint64_t max_bytes = (uint64_t)CN_PRPL * NVME_PAGE_SIZE;
	if (mdts && ((uint64_t)NVME_PAGE_SIZE << mdts) < max_bytes)
		max_bytes = (uint64_t)NVME_PAGE_SIZE << mdts;
	if ((rc = cn_identify(t, d, NVME_CNS_NS, CN_NSID)) < 0)
		return rc;
	uint32_t lbaf = *(const uint32_t *)(d->ident + NVME_IDN_LBAF + 4 * (d->ident[NVME_IDN_FLBAS] & 0xf));
	d->lba_shift = (uint8_t)NVME_LBAF_LBADS(lbaf);
	if (d->lba_shift < 9 || d->lba_shift > 12 || NVME_LBAF_MS(lbaf)) {
		ktest_msg(t, "nvme: namespace %u: LBA format %#x not supported", CN_NSID, lbaf);
		return -HV_ENODEV;
	}
	g->block_size = 1u << d->lba_shift;
	g->nblocks = *(const uint64_t *)(d->ident + NVME_IDN_NSZE);
	g->max_blocks = (uint32_t)(max_bytes >> d->lba_shift);
	g->depth = CEIL_BLK_DEPTH;
	hv_log("ceil: nvme: %u-byte blocks, %llu blocks, %u per command, %s", g->block_size,
	       (unsigned long long)g->nblocks, g->max_blocks,
	       d->irq ? "MSI-X vector 0 ends the wait's HLT" : "no MSI-X: the wait spins");
	return cn_create_io(t, d);
}

static void cn_close(struct ceil_blk_dev *d)
{
	/* 7.6.1: clearing CC.EN deletes the queues and stops the controller's DMA. */
	hv_bar_write32(d->regs, NVME_CC, 0);
	cn_wait_ready(0, d, 0);
	if (d->irq)
		hv_pci_irq_free(d->pci);
	hv_pci_disable(d->pci, HV_PCI_ENABLE_MASTER);
	cn_free(d);
}

static int cn_open(struct ktest_ctx *t, struct pci_dev *pd, struct ceil_blk_dev **out,
		   struct ceil_blk_geom *g)
{
	struct ceil_blk_dev *d = hv_zalloc(sizeof(*d));

	if (!d) {
		ktest_msg(t, "nvme: no memory");
		return -HV_ENOMEM;
	}
	d->pci = (struct hv_pci_dev *)pd;
	d->regs = hv_pci_bar(d->pci, 0);
	if (!d->regs) {
		ktest_msg(t, "nvme: no BAR 0");
		hv_free(d);
		return -HV_ENODEV;
	}
	hv_pci_enable(d->pci, HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER);
	int rc = cn_setup(t, d, g);
	if (rc < 0) {
		cn_close(d);
		return rc;
	}
	*out = d;
	return 0;
}

/* 4.3: PRP1 the (page aligned) buffer, PRP2 the second page or the tag's list. */
static void cn_post(struct ceil_blk_dev *d, unsigned tag, bool write, uint64_t lba, uint32_t n,
		    uint64_t bus)
{
	struct cn_queue *q = &d->io;
	uint32_t len = n << d->lba_shift;
	struct nvme_sqe *c = &q->sq[q->tail];

	c->opcode = write ? NVME_CMD_WRITE : NVME_CMD_READ;
	c->flags = 0;
	c->cid = (uint16_t)tag;
	c->nsid = CN_NSID;
	c->prp1 = bus;
	c->prp2 = 0;
	if (len > 2 * NVME_PAGE_SIZE) {
		uint64_t *l = d->prpl + (size_t)tag * CN_PRPL;
		if (d->prpl_for[tag] != bus || d->prpl_len[tag] != len) {
			for (uint32_t i = 1; i < (len + NVME_PAGE_SIZE - 1) / NVME_PAGE_SIZE; i++)
				l[i - 1] = bus + (uint64_t)i * NVME_PAGE_SIZE;
			d->prpl_for[tag] = bus;
			d->prpl_len[tag] = len;
		}
		c->prp2 = d->prpl_bus + (uint64_t)tag * NVME_PAGE_SIZE;
	} else if (len > NVME_PAGE_SIZE) {
		c->prp2 = bus + NVME_PAGE_SIZE;
	}
	c->cdw10 = (uint32_t)lba;
	c->cdw11 = (uint32_t)(lba >> 32);
	c->cdw12 = n - 1;	/* NLB is zero-based */
	c->cdw13 = c->cdw14 = c->cdw15 = 0;
	q->tail = (uint16_t)((q->tail + 1) % q->entries);
	d->rang = false;
}

static void cn_ring(struct ceil_blk_dev *d)
{
	if (d->rang)
		return;
	hv_wmb();
	hv_bar_write32(d->regs, d->io.sq_db, d->io.tail);
	d->rang = true;
}

static unsigned cn_reap(struct ceil_blk_dev *d, unsigned *tags, uint32_t *status, unsigned max)
{
	unsigned k = 0;
	uint16_t s, cid;

	while (k < max && cn_cq_next(&d->io, &s, &cid)) {
		tags[k] = cid;
		status[k++] = s;
	}
	if (k)
		hv_bar_write32(d->regs, d->io.cq_db, d->io.head);
	return k;
}

/* Halt until the vector fires, unless a completion is there already: checked with
 * interrupts off, so one that lands after the check stays pending and ends the HLT. */
static void cn_idle(struct ceil_blk_dev *d)
{
	if (!d->irq)
		return;
	int on = cpu_irq_save();
	if (NVME_CQE_PHASE(d->io.cq[d->io.head].status) != d->io.phase)
		__asm__ volatile("sti; hlt" ::: "memory");
	cpu_irq_restore(on);
}

const struct ceil_blk_model ceil_nvme_model = {
	.name = "nvme",
	.vendor = NVME_VENDOR_QEMU,
	.device = NVME_DEVICE_QEMU,
	.open = cn_open,
	.post = cn_post,
	.ring = cn_ring,
	.reap = cn_reap,
	.idle = cn_idle,
	.close = cn_close,
};
