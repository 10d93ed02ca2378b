/*
 * NVMe hardware helpers: DMA memory for the queues, enable, disable and shutdown, the admin
 * queue (polled), IDENTIFY and the creation of the I/O queue pair. The I/O path is in
 * nvme_ring.c. Section numbers refer to NVM Express Base Specification 1.4.
 */
#include <hv/ddk.h>

#include "nvmevar.h"

static void nvme_queue_reset(struct nvme_queue *q);
static int nvme_wait_ready(struct nvme_softc *sc, uint32_t want);
static int nvme_admin_cmd(struct nvme_softc *sc, struct nvme_sqe *cmd);

static uint32_t nvme_db(struct nvme_softc *sc, unsigned qid, int cq)
{
	return NVME_DBBASE + (2 * qid + (cq ? 1 : 0)) * sc->dstrd;
}

/* DMA allocation: queues, the PRP list pages and the IDENTIFY buffer, freed in one place. */
int nvme_queues_alloc(struct nvme_softc *sc)
{
	unsigned ioent = NVME_CAP_MQES(sc->cap) + 1;

	if (ioent > NVME_IO_QSIZE)
		ioent = NVME_IO_QSIZE;
	sc->admq.id = 0;
	sc->admq.entries = NVME_ADMIN_QSIZE;
	sc->ioq.id = 1;
	sc->ioq.entries = ioent;
	/* A queue of N entries holds N - 1 commands (4.1: full when tail + 1 == head). */
	sc->io_depth = ioent - 1;

	sc->admq.sq = hv_dma_alloc_coherent(sc->dev, NVME_ADMIN_QSIZE * sizeof(struct nvme_sqe), &sc->admq.sq_bus);
	if (!sc->admq.sq)
		goto fail;
	sc->admq.cq = hv_dma_alloc_coherent(sc->dev, NVME_ADMIN_QSIZE * sizeof(struct nvme_cqe), &sc->admq.cq_bus);
	if (!sc->admq.cq)
		goto free_admin_sq;
	sc->ioq.sq = hv_dma_alloc_coherent(sc->dev, ioent * sizeof(struct nvme_sqe), &sc->ioq.sq_bus);
	if (!sc->ioq.sq)
		goto free_admin_cq;
	sc->ioq.cq = hv_dma_alloc_coherent(sc->dev, ioent * sizeof(struct nvme_cqe), &sc->ioq.cq_bus);
	if (!sc->ioq.cq)
		goto free_io_sq;
	sc->prpl_mem = hv_dma_alloc_coherent(sc->dev, (size_t)sc->io_depth * NVME_PAGE_SIZE, &sc->prpl_bus);
	if (!sc->prpl_mem)
		goto free_io_cq;
	sc->ident = hv_dma_alloc_coherent(sc->dev, NVME_PAGE_SIZE, &sc->ident_bus);
	if (!sc->ident)
		goto free_prpl;
	sc->ccbs = hv_zalloc(sc->io_depth * sizeof(struct nvme_ccb));
	if (!sc->ccbs)
		goto free_ident;
	sc->admq.sq_db = nvme_db(sc, 0, 0);
	sc->admq.cq_db = nvme_db(sc, 0, 1);
	sc->ioq.sq_db = nvme_db(sc, 1, 0);
	sc->ioq.cq_db = nvme_db(sc, 1, 1);
	nvme_queue_reset(&sc->admq);
	nvme_queue_reset(&sc->ioq);
	nvme_ccb_init(sc);
	return 0;

free_ident:
	hv_dma_free_coherent(sc->dev, sc->ident, NVME_PAGE_SIZE);
free_prpl:
	hv_dma_free_coherent(sc->dev, sc->prpl_mem, (size_t)sc->io_depth * NVME_PAGE_SIZE);
free_io_cq:
	hv_dma_free_coherent(sc->dev, sc->ioq.cq, ioent * sizeof(struct nvme_cqe));
free_io_sq:
	hv_dma_free_coherent(sc->dev, sc->ioq.sq, ioent * sizeof(struct nvme_sqe));
free_admin_cq:
	hv_dma_free_coherent(sc->dev, sc->admq.cq, NVME_ADMIN_QSIZE * sizeof(struct nvme_cqe));
free_admin_sq:
	hv_dma_free_coherent(sc->dev, sc->admq.sq, NVME_ADMIN_QSIZE * sizeof(struct nvme_sqe));
fail:
	return -HV_ENOMEM;
}

void nvme_queues_free(struct nvme_softc *sc)
{
	hv_free(sc->ccbs);
	hv_dma_free_coherent(sc->dev, sc->ident, NVME_PAGE_SIZE);
	hv_dma_free_coherent(sc->dev, sc->prpl_mem, (size_t)sc->io_depth * NVME_PAGE_SIZE);
	hv_dma_free_coherent(sc->dev, sc->ioq.cq, sc->ioq.entries * sizeof(struct nvme_cqe));
	hv_dma_free_coherent(sc->dev, sc->ioq.sq, sc->ioq.entries * sizeof(struct nvme_sqe));
	hv_dma_free_coherent(sc->dev, sc->admq.cq, NVME_ADMIN_QSIZE * sizeof(struct nvme_cqe));
	hv_dma_free_coherent(sc->dev, sc->admq.sq, NVME_ADMIN_QSIZE * sizeof(struct nvme_sqe));
}

static void nvme_queue_reset(struct nvme_queue *q)
{
	uint8_t *cq = (uint8_t *)q->cq;

	for (size_t i = 0; i < q->entries * sizeof(struct nvme_cqe); i++)
		cq[i] = 0;
	q->sq_tail = 0;
	q->cq_head = 0;
	q->phase = 1;	/* 4.6: the controller inverts the phase tag on each pass */
}

/* 3.1.6 / 7.6.1: wait for CSTS.RDY to become want, at most CAP.TO * 500 ms. */
static int nvme_wait_ready(struct nvme_softc *sc, uint32_t want)
{
	uint64_t t0 = hv_time_us();

	for (;;) {
		uint32_t csts = nvme_read32(sc, NVME_CSTS);

		if (csts == 0xffffffffu)
			return -HV_ENODEV;
		if ((csts & NVME_CSTS_RDY) == want)
			return 0;
		if (want && (csts & NVME_CSTS_CFS))
			return -HV_EIO;
		if (hv_time_us() - t0 > sc->ready_timeout_us)
			return -HV_ETIMEDOUT;
		hv_udelay(50);
	}
}

/* 7.6.1 (reset): clear CC.EN and wait for CSTS.RDY = 0. */
int nvme_disable(struct nvme_softc *sc)
{
	uint32_t cc = nvme_read32(sc, NVME_CC);

	if (cc & NVME_CC_EN)
		nvme_write32(sc, NVME_CC, cc & ~NVME_CC_EN);
	return nvme_wait_ready(sc, 0);
}

/* 7.6.1 (initialization): admin queue registers and CC; CSTS.RDY = 1 follows. */
void nvme_enable_start(struct nvme_softc *sc)
{
	nvme_queue_reset(&sc->admq);
	nvme_write32(sc, NVME_AQA, NVME_AQA_ACQS(NVME_ADMIN_QSIZE) |
		     NVME_AQA_ASQS(NVME_ADMIN_QSIZE));
	nvme_write64(sc, NVME_ASQ, hv_dma_addr(sc->dev, sc->admq.sq_bus, NVME_ADMIN_QSIZE * sizeof(struct nvme_sqe)));
	nvme_write64(sc, NVME_ACQ, hv_dma_addr(sc->dev, sc->admq.cq_bus, NVME_ADMIN_QSIZE * sizeof(struct nvme_cqe)));
	nvme_write32(sc, NVME_CC, NVME_CC_EN | NVME_CC_CSS_NVM | NVME_CC_MPS(0) |
		     NVME_CC_AMS_RR | NVME_CC_IOSQES(NVME_SQE_SHIFT) |
		     NVME_CC_IOCQES(NVME_CQE_SHIFT));
}

/* ... and the wait for CSTS.RDY = 1 (probe only: it busy-waits). */
int nvme_enable(struct nvme_softc *sc)
{
	nvme_enable_start(sc);
	return nvme_wait_ready(sc, NVME_CSTS_RDY);
}

/* 7.6.2: normal shutdown notification, then disable. */
void nvme_shutdown(struct nvme_softc *sc)
{
	uint32_t cc = nvme_read32(sc, NVME_CC);
	uint64_t t0 = hv_time_us();

	if (cc & NVME_CC_EN) {
		nvme_write32(sc, NVME_CC, (cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL);
		while ((nvme_read32(sc, NVME_CSTS) & NVME_CSTS_SHST_MASK) != NVME_CSTS_SHST_DONE) {
			if (hv_time_us() - t0 > sc->ready_timeout_us) {
				hv_log("nvme: %s: shutdown not complete, disabling", sc->slot);
				break;
			}
			hv_udelay(50);
		}
	}
	if (nvme_disable(sc) < 0)
		hv_log("nvme: %s: controller did not become idle", sc->slot);
}

/* Write one admin command and ring the admin doorbell; its completion is taken by
 * nvme_admin_poll. One at a time: probe and the recovery engine (nvme_recover.c) are the
 * only users, and never at once (recovery starts after probe armed the watchdog). */
void nvme_admin_submit(struct nvme_softc *sc, struct nvme_sqe *cmd)
{
	struct nvme_queue *q = &sc->admq;

	cmd->cid = q->sq_tail;
	sc->adm_opcode = cmd->opcode;
	q->sq[q->sq_tail] = *cmd;
	q->sq_tail = (uint16_t)((q->sq_tail + 1) % q->entries);
	hv_wmb();
	nvme_write32(sc, q->sq_db, q->sq_tail);
}

/* The admin command's completion: 0 not yet, 1 done, -HV_EIO done with an error status. */
int nvme_admin_poll(struct nvme_softc *sc)
{
	struct nvme_queue *q = &sc->admq;
	volatile struct nvme_cqe *cqe = &q->cq[q->cq_head];
	uint16_t status;

	if (NVME_CQE_PHASE(cqe->status) != q->phase)
		return 0;
	hv_rmb();
	status = cqe->status;
	sc->adm_dw0 = cqe->dw0;
	if (++q->cq_head == q->entries) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	nvme_write32(sc, q->cq_db, q->cq_head);
	if (NVME_CQE_STATUS(status) != 0) {
		hv_log("nvme: %s: admin command 0x%x failed: sct %u sc 0x%x", sc->slot,
		       sc->adm_opcode, NVME_CQE_SCT(status), NVME_CQE_SC(status));
		return -HV_EIO;
	}
	return 1;
}

/* Whether admin completions must be masked while polled (nvme_admin_cmd below). */
int nvme_admin_masks(const struct nvme_softc *sc)
{
	return sc->irq_mode == HV_IRQ_INTX || sc->irq_mode == HV_IRQ_MSI;
}

/*
 * One admin command, polled, in probe (before the disks are registered and the watchdog
 * runs, so nothing else touches the admin queue). The interrupt is set up by then (the I/O
 * queue must be created with it on), and the admin queue shares vector 0: with a pin or MSI
 * interrupt the vector is masked while the command is polled (3.1.3 INTMS, 3.1.4 INTMC),
 * else its completion holds the level-triggered line asserted until the doorbell below and
 * the handler, which reaps the I/O queue only, runs without end. MSI-X needs no mask (an
 * edge per completion) and has none.
 */
static int nvme_admin_cmd(struct nvme_softc *sc, struct nvme_sqe *cmd)
{
	uint64_t t0 = hv_time_us();
	int mask = nvme_admin_masks(sc), rc;

	if (mask)
		nvme_write32(sc, NVME_INTMS, 1);
	nvme_admin_submit(sc, cmd);
	while ((rc = nvme_admin_poll(sc)) == 0) {
		if (hv_time_us() - t0 > NVME_ADMIN_TIMEOUT_US) {
			/* Left masked: a late completion would hold the line asserted. */
			hv_log("nvme: %s: admin command 0x%x timed out", sc->slot, cmd->opcode);
			return -HV_ETIMEDOUT;
		}
		hv_udelay(5);
	}
	if (mask)
		nvme_write32(sc, NVME_INTMC, 1);
	return rc < 0 ? rc : 0;
}

/* 5.15 IDENTIFY into sc->ident. */
int nvme_identify(struct nvme_softc *sc, uint32_t cns, uint32_t nsid)
{
	struct nvme_sqe cmd = { 0 };

	cmd.opcode = NVME_ADM_IDENTIFY;
	cmd.nsid = nsid;
	cmd.prp1 = hv_dma_addr(sc->dev, sc->ident_bus, NVME_PAGE_SIZE);
	cmd.cdw10 = cns;
	return nvme_admin_cmd(sc, &cmd);
}

/* 5.4 Create I/O Completion Queue (on vector 0), for an empty I/O queue pair. */
void nvme_create_cq_cmd(struct nvme_softc *sc, struct nvme_sqe *cmd)
{
	struct nvme_queue *q = &sc->ioq;

	nvme_queue_reset(q);
	*cmd = (struct nvme_sqe){ 0 };
	cmd->opcode = NVME_ADM_CREATE_CQ;
	cmd->prp1 = hv_dma_addr(sc->dev, q->cq_bus, q->entries * sizeof(struct nvme_cqe));
	cmd->cdw10 = (uint32_t)(q->entries - 1) << 16 | q->id;
	cmd->cdw11 = NVME_CREATE_CQ_PC | NVME_CREATE_CQ_IEN | NVME_CREATE_CQ_IV(0);
}

/* 5.5 Create I/O Submission Queue, completing into the queue above. */
void nvme_create_sq_cmd(struct nvme_softc *sc, struct nvme_sqe *cmd)
{
	struct nvme_queue *q = &sc->ioq;

	*cmd = (struct nvme_sqe){ 0 };
	cmd->opcode = NVME_ADM_CREATE_SQ;
	cmd->prp1 = hv_dma_addr(sc->dev, q->sq_bus, q->entries * sizeof(struct nvme_sqe));
	cmd->cdw10 = (uint32_t)(q->entries - 1) << 16 | q->id;
	cmd->cdw11 = NVME_CREATE_SQ_PC | NVME_CREATE_SQ_CQID(q->id);
}

int nvme_io_queues_create(struct nvme_softc *sc)
{
	struct nvme_sqe cmd;
	int rc;

	nvme_create_cq_cmd(sc, &cmd);
	rc = nvme_admin_cmd(sc, &cmd);
	if (rc < 0)
		return rc;
	nvme_create_sq_cmd(sc, &cmd);
	return nvme_admin_cmd(sc, &cmd);
}
