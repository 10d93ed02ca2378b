/*
 * AHCI port logic: start and stop, device detection and IDENTIFY, READ/WRITE DMA EXT and
 * FLUSH CACHE EXT through prebuilt command tables, completion, error and timeout recovery.
 * Section numbers refer to Serial ATA AHCI 1.3.1 and ATA/ATAPI-8 ACS.
 */
#include <hv/ddk.h>

#include "ahci_var.h"

#define AHCI_STOP_US		500000	/* 10.1.2: CR and FR clear within 500 ms */
#define AHCI_LINK_US		1000000
#define AHCI_BUSY_US		2000000
#define AHCI_IDENTIFY_US	5000000

static int ahci_wait(struct ahci_port *ap, uint32_t reg, uint32_t mask, uint32_t want,
		     uint64_t us)
{
	uint64_t t0 = hv_time_us();

	while ((ahci_pread(ap, reg) & mask) != want) {
		if (hv_time_us() - t0 > us)
			return -HV_ETIMEDOUT;
		hv_udelay(10);
	}
	return 0;
}

/* 10.1.2: clear PxCMD.ST and wait for CR; then, with fis, FRE and FR. */
static int ahci_port_stop(struct ahci_port *ap, int fis)
{
	uint32_t cmd = ahci_pread(ap, AHCI_PXCMD);
	int rc;

	ahci_pwrite(ap, AHCI_PXCMD, cmd & ~AHCI_PXCMD_ST);
	rc = ahci_wait(ap, AHCI_PXCMD, AHCI_PXCMD_CR, 0, AHCI_STOP_US);
	if (rc < 0 || !fis)
		return rc;
	ahci_pwrite(ap, AHCI_PXCMD, ahci_pread(ap, AHCI_PXCMD) & ~AHCI_PXCMD_FRE);
	return ahci_wait(ap, AHCI_PXCMD, AHCI_PXCMD_FR, 0, AHCI_STOP_US);
}

/* 10.3.1: ST may be set only when BSY and DRQ are clear and the link is up. */
static int ahci_port_start(struct ahci_port *ap)
{
	if (ahci_wait(ap, AHCI_PXTFD, AHCI_TFD_BSY | AHCI_TFD_DRQ, 0, AHCI_BUSY_US) < 0)
		return -HV_EBUSY;
	ahci_pwrite(ap, AHCI_PXCMD, ahci_pread(ap, AHCI_PXCMD) | AHCI_PXCMD_FRE | AHCI_PXCMD_ST);
	return 0;
}

/* Command list and received-FIS area (3.3.1-3.3.4), then FIS reception on (10.1.2). */
static void ahci_port_setup_dma(struct ahci_port *ap)
{
	uint32_t cmd = ahci_pread(ap, AHCI_PXCMD);

	ahci_pwrite(ap, AHCI_PXCLB, (uint32_t)ap->clfis_bus);
	ahci_pwrite(ap, AHCI_PXCLBU, (uint32_t)(ap->clfis_bus >> 32));
	ahci_pwrite(ap, AHCI_PXFB, (uint32_t)(ap->clfis_bus + AHCI_CL_SIZE));
	ahci_pwrite(ap, AHCI_PXFBU, (uint32_t)((ap->clfis_bus + AHCI_CL_SIZE) >> 32));
	ahci_pwrite(ap, AHCI_PXSERR, 0xffffffffu);
	ahci_pwrite(ap, AHCI_PXIS, 0xffffffffu);
	cmd |= AHCI_PXCMD_FRE;
	if (ap->sc->cap & AHCI_CAP_SSS)
		cmd |= AHCI_PXCMD_SUD | AHCI_PXCMD_POD;
	ahci_pwrite(ap, AHCI_PXCMD, cmd);
}

/* 10.4.2 port reset: COMRESET through PxSCTL.DET, then wait for the link. */
static int ahci_port_comreset(struct ahci_port *ap)
{
	uint32_t sctl = ahci_pread(ap, AHCI_PXSCTL) & ~0xfu;

	ap->resets++;
	ahci_pwrite(ap, AHCI_PXSCTL, sctl | AHCI_SCTL_DET_INIT);
	hv_udelay(1000);	/* at least 1 ms of COMRESET */
	ahci_pwrite(ap, AHCI_PXSCTL, sctl);
	if (ahci_wait(ap, AHCI_PXSSTS, 0xf, AHCI_SSTS_DET_PHY, AHCI_LINK_US) < 0)
		return -HV_ENODEV;
	ahci_pwrite(ap, AHCI_PXSERR, 0xffffffffu);
	return 0;
}

/* 6.2.2: stop the engine, reset the link when asked or when the device is stuck, clear
 * the error state and start again. Lock held. */
static int ahci_port_recover(struct ahci_port *ap, int comreset)
{
	int rc = ahci_port_stop(ap, 0);

	if (rc < 0 || (ahci_pread(ap, AHCI_PXTFD) & (AHCI_TFD_BSY | AHCI_TFD_DRQ)))
		comreset = 1;
	if (comreset) {
		ahci_port_stop(ap, 1);
		rc = ahci_port_comreset(ap);
		if (rc == 0)
			ahci_port_setup_dma(ap);
	}
	ahci_pwrite(ap, AHCI_PXSERR, 0xffffffffu);
	ahci_pwrite(ap, AHCI_PXIS, 0xffffffffu);
	ahci_pwrite(ap, AHCI_PXIE, ap->ie);	/* a COMRESET clears it on some HBAs */
	if (rc == 0)
		rc = ahci_port_start(ap);
	if (rc < 0) {
		hv_log("ahci: %s: port %u: recovery failed (%d); no more I/O", ap->sc->slot,
		       ap->num, rc);
		ap->dead = 1;
	}
	return rc;
}

/* Fill slot's CFIS (a register H2D FIS) and PRDT for a contiguous buffer (4.2.3). */
static void ahci_fill(struct ahci_port *ap, unsigned slot, uint8_t cmd, uint64_t lba,
		      uint32_t count, uint64_t bus, uint64_t bytes, int write)
{
	struct ahci_cmd_table *ct = &ap->ct[slot];
	struct ahci_cmd_hdr *h = &ap->cl[slot];
	uint8_t *f = ct->cfis;
	unsigned n = 0;

	f[0] = AHCI_FIS_H2D;
	f[1] = AHCI_FIS_H2D_CMD;
	f[2] = cmd;
	f[3] = 0;
	f[4] = (uint8_t)lba;
	f[5] = (uint8_t)(lba >> 8);
	f[6] = (uint8_t)(lba >> 16);
	f[7] = ATA_DEV_LBA;
	f[8] = (uint8_t)(lba >> 24);
	f[9] = (uint8_t)(lba >> 32);
	f[10] = (uint8_t)(lba >> 40);
	f[11] = 0;
	f[12] = (uint8_t)count;		/* 65536 is written as 0 */
	f[13] = (uint8_t)(count >> 8);
	f[14] = 0;
	f[15] = 0;
	while (bytes > 0) {
		uint32_t len = bytes > AHCI_PRD_MAX_BYTES ? AHCI_PRD_MAX_BYTES : (uint32_t)bytes;

		ct->prd[n].dba = (uint32_t)bus;
		ct->prd[n].dbau = (uint32_t)(bus >> 32);
		ct->prd[n].rsvd = 0;
		ct->prd[n].dbc = len - 1;
		bus += len;
		bytes -= len;
		n++;
	}
	h->flags = (uint16_t)(AHCI_FIS_H2D_DWORDS | (write ? AHCI_HDR_W : 0));
	h->prdtl = (uint16_t)n;
	h->prdbc = 0;
}

/* IDENTIFY DEVICE (ACS 7.16) in slot 0, polled: attach runs before interrupts are on. */
static int ahci_identify(struct ahci_port *ap, uint64_t id_bus)
{
	uint64_t t0 = hv_time_us();
	uint32_t is;

	ahci_fill(ap, 0, ATA_CMD_IDENTIFY, 0, 0, id_bus, 512, 0);
	ap->ct[0].cfis[7] = 0;
	hv_wmb();
	ahci_pwrite(ap, AHCI_PXCI, 1);
	for (;;) {
		is = ahci_pread(ap, AHCI_PXIS);
		if (!(ahci_pread(ap, AHCI_PXCI) & 1) || (is & AHCI_PXI_ERROR))
			break;
		if (hv_time_us() - t0 > AHCI_IDENTIFY_US) {
			ahci_port_recover(ap, 1);
			return -HV_ETIMEDOUT;
		}
		hv_udelay(10);
	}
	ahci_pwrite(ap, AHCI_PXIS, is);
	if ((is & AHCI_PXI_ERROR) || (ahci_pread(ap, AHCI_PXTFD) & AHCI_TFD_ERR)) {
		hv_log("ahci: %s: port %u: IDENTIFY failed, TFD 0x%x", ap->sc->slot, ap->num,
		       ahci_pread(ap, AHCI_PXTFD));
		ahci_port_recover(ap, 0);
		return -HV_EIO;
	}
	return 0;
}

/* ATA strings are big-endian byte pairs, blank padded (ACS 3.4.9). */
static void ahci_ata_string(char *dst, const uint16_t *w, unsigned words)
{
	unsigned n = 0;

	for (unsigned i = 0; i < words; i++) {
		dst[n++] = (char)(w[i] >> 8);
		dst[n++] = (char)(w[i] & 0xff);
	}
	while (n > 0 && (dst[n - 1] == ' ' || dst[n - 1] == 0))
		n--;
	dst[n] = 0;
}

static int ahci_port_identify(struct ahci_port *ap)
{
	uint64_t id_bus, nblocks;
	uint16_t *id = hv_dma_alloc(512, &id_bus);
	char serial[21];
	int rc;

	if (!id)
		return -HV_ENOMEM;
	rc = ahci_identify(ap, id_bus);
	if (rc < 0)
		goto free_id;
	if (id[ATA_ID_CMDSET2] & ATA_ID_CMDSET2_LBA48)
		nblocks = (uint64_t)id[ATA_ID_LBA48] | (uint64_t)id[ATA_ID_LBA48 + 1] << 16 |
			  (uint64_t)id[ATA_ID_LBA48 + 2] << 32 | (uint64_t)id[ATA_ID_LBA48 + 3] << 48;
	else
		nblocks = (uint32_t)id[ATA_ID_LBA28] | (uint32_t)id[ATA_ID_LBA28 + 1] << 16;
	ap->ncq = (ap->sc->cap & AHCI_CAP_SNCQ) && (id[ATA_ID_SATACAP] & ATA_ID_SATACAP_NCQ);
	ap->ncq_depth = (id[ATA_ID_QDEPTH] & 0x1f) + 1u;
	ahci_ata_string(ap->model, &id[ATA_ID_MODEL], 20);
	ahci_ata_string(serial, &id[ATA_ID_SERIAL], 10);
	if (nblocks == 0) {
		hv_log("ahci: %s: port %u: \"%s\" reports no capacity", ap->sc->slot, ap->num,
		       ap->model);
		rc = -HV_ENODEV;
		goto free_id;
	}
	ap->bd.block_size = 512;
	ap->bd.nblocks = nblocks;
	hv_log("ahci: %s: port %u: \"%s\" serial \"%s\", %llu sectors%s, %s", ap->sc->slot,
	       ap->num, ap->model, serial, (unsigned long long)nblocks,
	       id[ATA_ID_CMDSET2] & ATA_ID_CMDSET2_LBA48 ? ", LBA48" : "",
	       ap->ncq ? "NCQ" : "DMA EXT (no NCQ)");
free_id:
	hv_dma_free(id, 512);
	return rc;
}

static const struct hv_blkdev_ops ahci_blk_ops = {
	.submit = ahci_submit,
	.poll = ahci_poll,
};

/* 10.1.2 port initialization for one implemented port; -HV_ENODEV when no SATA disk. */
int ahci_port_attach(struct ahci_softc *sc, unsigned num)
{
	struct ahci_port *ap = hv_zalloc(sizeof(*ap));
	uint32_t sig;
	int rc;

	if (!ap)
		return -HV_ENOMEM;
	ap->sc = sc;
	ap->num = num;
	ap->regs = sc->regs + AHCI_PORT(num);
	ap->nslots = AHCI_CAP_NCS(sc->cap) + 1;
	rc = -HV_ENOMEM;
	ap->clfis = hv_dma_alloc(4096, &ap->clfis_bus);
	if (!ap->clfis)
		goto free_port;
	ap->ct = hv_dma_alloc(ap->nslots * sizeof(struct ahci_cmd_table), &ap->ct_bus);
	if (!ap->ct)
		goto free_clfis;
	ap->cl = ap->clfis;
	for (unsigned i = 0; i < ap->nslots; i++) {
		uint64_t b = ap->ct_bus + i * sizeof(struct ahci_cmd_table);

		ap->cl[i].ctba = (uint32_t)b;
		ap->cl[i].ctbau = (uint32_t)(b >> 32);
	}
	rc = ahci_port_stop(ap, 1);
	if (rc < 0) {
		hv_log("ahci: %s: port %u: engine does not stop", sc->slot, num);
		goto free_ct;
	}
	ahci_port_setup_dma(ap);
	rc = -HV_ENODEV;
	if (AHCI_SSTS_DET(ahci_pread(ap, AHCI_PXSSTS)) != AHCI_SSTS_DET_PHY)
		goto stop;	/* nothing attached */
	ahci_wait(ap, AHCI_PXTFD, AHCI_TFD_BSY | AHCI_TFD_DRQ, 0, AHCI_BUSY_US);
	sig = ahci_pread(ap, AHCI_PXSIG);
	if (sig != AHCI_SIG_ATA) {
		hv_log("ahci: %s: port %u: signature 0x%x is not a SATA disk", sc->slot, num, sig);
		goto stop;
	}
	rc = ahci_port_start(ap);
	if (rc < 0) {
		hv_log("ahci: %s: port %u: device stays busy (TFD 0x%x)", sc->slot, num,
		       ahci_pread(ap, AHCI_PXTFD));
		goto stop;
	}
	rc = ahci_port_identify(ap);
	if (rc < 0)
		goto stop;
	ap->defer_tail = &ap->defer_head;
	ap->bd.queue_depth = ap->nslots;
	if (ap->ncq && ap->ncq_depth < ap->nslots)
		ap->bd.queue_depth = ap->ncq_depth;
	ap->bd.ops = &ahci_blk_ops;
	ap->bd.priv = ap;
	ap->bd.pci = sc->dev;
	ap->ie = AHCI_PXI_ENABLE;
	ahci_pwrite(ap, AHCI_PXIS, 0xffffffffu);
	ahci_pwrite(ap, AHCI_PXIE, ap->ie);
	sc->ports[num] = ap;
	return 0;

stop:
	ahci_port_stop(ap, 1);
free_ct:
	hv_dma_free(ap->ct, ap->nslots * sizeof(struct ahci_cmd_table));
free_clfis:
	hv_dma_free(ap->clfis, 4096);
free_port:
	hv_free(ap);
	return rc;
}

/* Take the requests in slots mask off the port with status (lock held). */
static void ahci_take(struct ahci_port *ap, uint32_t mask, int status, struct hv_blkreq_list *done)
{
	for (unsigned s = 0; mask; s++, mask >>= 1) {
		struct hv_blkreq *rq = ap->rq[s];

		if (!(mask & 1) || !rq)
			continue;
		ap->rq[s] = NULL;
		ap->active &= ~(1u << s);
		ap->nonq &= ~(1u << s);
		hv_blkreq_list_add(done, rq, status);
	}
}

/* Requests that were never issued, with status (lock held). */
static void ahci_take_deferred(struct ahci_port *ap, int status, struct hv_blkreq_list *done)
{
	while (ap->defer_head) {
		struct hv_blkreq *rq = ap->defer_head;

		ap->defer_head = rq->driver_private;
		hv_blkreq_list_add(done, rq, status);
	}
	ap->defer_tail = &ap->defer_head;
	ap->ndefer = 0;
}

/* Set bits in m (no libgcc in a module: __builtin_popcount may call it). */
static unsigned ahci_count(uint32_t m)
{
	unsigned n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

static uint32_t ahci_free_slots(struct ahci_port *ap)
{
	return ~ap->active & (ap->nslots == 32 ? 0xffffffffu : (1u << ap->nslots) - 1);
}

/* SATA 3.x 13.6.4: a non-queued command may not overlap NCQ commands, nor they it. */
static int ahci_can_issue(struct ahci_port *ap, const struct hv_blkreq *rq)
{
	if (!ahci_free_slots(ap))
		return 0;
	if (!ap->ncq)
		return 1;
	if (rq->op == HV_BLK_FLUSH)
		return ap->active == 0;
	return ap->nonq == 0;
}

/* Write the command for rq into a free slot and issue it (lock held). 13.6.4.1: for an NCQ
 * command the tag is the slot, set in PxSACT before PxCI. */
static void ahci_issue(struct ahci_port *ap, struct hv_blkreq *rq)
{
	unsigned slot = (unsigned)__builtin_ctz(ahci_free_slots(ap));
	uint64_t bytes = (uint64_t)rq->nblocks * 512;
	int queued = ap->ncq && rq->op != HV_BLK_FLUSH;
	uint8_t *f = ap->ct[slot].cfis;

	if (rq->op == HV_BLK_FLUSH) {
		ahci_fill(ap, slot, ATA_CMD_FLUSH_CACHE_EXT, 0, 0, 0, 0, 0);
		f[7] = 0;
		bytes = 0;
	} else if (queued) {
		ahci_fill(ap, slot, rq->op == HV_BLK_WRITE ? ATA_CMD_WRITE_FPDMA : ATA_CMD_READ_FPDMA,
			  rq->lba, 0, rq->buf_bus, bytes, rq->op == HV_BLK_WRITE);
		f[3] = (uint8_t)rq->nblocks;		/* ACS 7.23: the count is in FEATURE */
		f[11] = (uint8_t)(rq->nblocks >> 8);
		f[12] = (uint8_t)(slot << 3);		/* and the tag in COUNT 7:3 */
	} else {
		ahci_fill(ap, slot, rq->op == HV_BLK_WRITE ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_READ_DMA_EXT,
			  rq->lba, rq->nblocks, rq->buf_bus, bytes, rq->op == HV_BLK_WRITE);
	}
	ap->rq[slot] = rq;
	ap->bytes[slot] = (uint32_t)bytes;
	ap->deadline_us[slot] = hv_time_us() + AHCI_CMD_TIMEOUT_US;
	ap->active |= 1u << slot;
	if (!queued)
		ap->nonq |= 1u << slot;
	rq->driver_private = ap;
	hv_wmb();
	if (queued)
		ahci_pwrite(ap, AHCI_PXSACT, 1u << slot);
	ahci_pwrite(ap, AHCI_PXCI, 1u << slot);
}

/* Issue deferred requests, in order, while they may go (lock held). */
static void ahci_kick(struct ahci_port *ap)
{
	while (ap->defer_head && !ap->dead && ahci_can_issue(ap, ap->defer_head)) {
		struct hv_blkreq *rq = ap->defer_head;

		ap->defer_head = rq->driver_private;
		if (!ap->defer_head)
			ap->defer_tail = &ap->defer_head;
		ap->ndefer--;
		ahci_issue(ap, rq);
	}
}

/*
 * 6.2.2 error recovery. An HBA that halts on an error leaves the failing non-queued command
 * in PxCI (PxCMD.CCS names it); QEMU goes on, clears its bit and leaves a short PRDBC.
 * fin is what left PxCI and PxSACT. The culprit fails with -HV_EIO; after the port restart
 * what the device no longer holds is issued again. Without READ LOG EXT page 10h a halted
 * NCQ error cannot name its tag: then every outstanding command fails.
 */
static void ahci_port_error(struct ahci_port *ap, uint32_t is, uint32_t fin,
			    struct hv_blkreq_list *done)
{
	uint32_t pending = ap->active & ~fin;
	unsigned ccs = AHCI_PXCMD_CCS(ahci_pread(ap, AHCI_PXCMD));
	uint32_t tfd = ahci_pread(ap, AHCI_PXTFD);
	uint32_t failed = 0, sact;
	int comreset;

	for (unsigned s = 0; s < ap->nslots; s++)
		if ((fin & (1u << s)) && ap->cl[s].prdbc < ap->bytes[s])
			failed |= 1u << s;
	if (!failed && (pending & ap->nonq & (1u << ccs)))
		failed = 1u << ccs;
	if (!failed)
		failed = fin ? fin : pending;
	ap->errors++;
	hv_log("ahci: %s: port %u: error IS 0x%x TFD 0x%x SERR 0x%x, failing slots 0x%x",
	       ap->sc->slot, ap->num, is, tfd, ahci_pread(ap, AHCI_PXSERR), failed);
	/* A device with a failed NCQ command stays in error until READ LOG EXT page 10h or
	 * a reset (SATA 3.x 13.6.3.3); this driver resets. */
	comreset = (is & (AHCI_PXI_HBFS | AHCI_PXI_IFS)) || (failed & ~ap->nonq);
	ahci_take(ap, failed, -HV_EIO, done);
	ahci_take(ap, fin & ~failed, 0, done);
	pending &= ~failed;
	if (ahci_port_recover(ap, comreset) < 0) {
		ahci_take(ap, pending, -HV_EIO, done);
		ahci_take_deferred(ap, -HV_EIO, done);
		return;
	}
	sact = ahci_pread(ap, AHCI_PXSACT);
	for (unsigned s = 0; s < ap->nslots; s++) {
		uint32_t bit = 1u << s;

		if (!(pending & bit) || (!(ap->nonq & bit) && (sact & bit)))
			continue;	/* not ours, or the device still runs it */
		ap->cl[s].prdbc = 0;
		hv_wmb();
		if (!(ap->nonq & bit))
			ahci_pwrite(ap, AHCI_PXSACT, bit);
		ahci_pwrite(ap, AHCI_PXCI, bit);
	}
}

/* Interrupt and poll path for one port: complete what the HBA finished. */
int ahci_port_intr(struct ahci_port *ap)
{
	struct hv_blkreq_list done;
	unsigned long flags;
	uint32_t is, fin;
	int n;

	hv_blkreq_list_init(&done);
	flags = hv_spin_lock_irqsave(&ap->sc->lock);
	is = ahci_pread(ap, AHCI_PXIS);
	if (is)
		ahci_pwrite(ap, AHCI_PXIS, is);
	/* 3.3.5: PCS and PRCS clear only with PxSERR.DIAG.X and .N; on a shared INTx line
	 * they would otherwise keep interrupting. */
	if (is & (AHCI_PXI_PCS | AHCI_PXI_PRCS))
		ahci_pwrite(ap, AHCI_PXSERR, 0xffffffffu);
	fin = ap->active & ~(ahci_pread(ap, AHCI_PXCI) | ahci_pread(ap, AHCI_PXSACT));
	if ((is & AHCI_PXI_ERROR) && ap->active)
		ahci_port_error(ap, is, fin, &done);
	else if (is & AHCI_PXI_ERROR)
		ahci_port_recover(ap, (is & (AHCI_PXI_HBFS | AHCI_PXI_IFS)) != 0);
	else if (fin)
		ahci_take(ap, fin, 0, &done);
	ahci_kick(ap);
	hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
	n = (int)done.count;
	hv_blkreq_list_complete(&done);
	return n;
}

int ahci_poll(struct hv_blkdev *bd)
{
	return ahci_port_intr(bd->priv);
}

int ahci_submit(struct hv_blkdev *bd, struct hv_blkreq *rq)
{
	struct ahci_port *ap = bd->priv;
	unsigned long flags;

	if (rq->op != HV_BLK_READ && rq->op != HV_BLK_WRITE && rq->op != HV_BLK_FLUSH)
		return -HV_EINVAL;
	if (rq->op != HV_BLK_FLUSH) {
		if (rq->nblocks == 0 || rq->lba >= bd->nblocks ||
		    rq->nblocks > bd->nblocks - rq->lba)
			return -HV_ERANGE;
		/* 4.2.3.3: word-aligned data; one command moves at most 65536 sectors. */
		if ((rq->buf_bus & 1) || rq->nblocks > AHCI_MAX_REQ_BLOCKS)
			return -HV_EINVAL;
	}
	flags = hv_spin_lock_irqsave(&ap->sc->lock);
	if (ap->dead) {
		hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
		return -HV_EIO;
	}
	if (ahci_count(ap->active) + ap->ndefer >= ap->bd.queue_depth) {
		hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
		return -HV_EAGAIN;
	}
	if (!ap->defer_head && ahci_can_issue(ap, rq)) {
		ahci_issue(ap, rq);
	} else {
		rq->driver_private = NULL;
		*ap->defer_tail = rq;
		ap->defer_tail = (struct hv_blkreq **)&rq->driver_private;
		ap->ndefer++;
	}
	hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
	return 0;
}

/* From the HBA's watchdog timer: a command past its deadline resets the port (10.4.2) and
 * fails everything issued with -HV_ETIMEDOUT; what waited unissued goes next. */
void ahci_port_watchdog(struct ahci_port *ap, uint64_t now)
{
	struct hv_blkreq_list done;
	unsigned long flags;
	int late = -1;

	hv_blkreq_list_init(&done);
	flags = hv_spin_lock_irqsave(&ap->sc->lock);
	for (unsigned s = 0; s < ap->nslots && late < 0; s++)
		if ((ap->active & (1u << s)) && now > ap->deadline_us[s])
			late = (int)s;
	if (late >= 0) {
		ap->timeouts++;
		hv_log("ahci: %s: port %u: slot %d (lba %llu) timed out after %u ms; port reset",
		       ap->sc->slot, ap->num, late, (unsigned long long)ap->rq[late]->lba,
		       AHCI_CMD_TIMEOUT_US / 1000);
		ahci_port_stop(ap, 0);
		ahci_take(ap, ap->active, -HV_ETIMEDOUT, &done);
		if (ahci_port_recover(ap, 1) == 0)
			hv_log("ahci: %s: port %u: reset done", ap->sc->slot, ap->num);
		else
			ahci_take_deferred(ap, -HV_EIO, &done);
		ahci_kick(ap);
	}
	hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
	hv_blkreq_list_complete(&done);
}

/* Quiesce: the engine off, anything still issued or waiting failed, memory freed. */
void ahci_port_detach(struct ahci_port *ap)
{
	struct hv_blkreq_list done;
	unsigned long flags;

	hv_blkreq_list_init(&done);
	flags = hv_spin_lock_irqsave(&ap->sc->lock);
	ahci_pwrite(ap, AHCI_PXIE, 0);
	ahci_port_stop(ap, 1);
	ahci_take(ap, ap->active, -HV_ENODEV, &done);
	ahci_take_deferred(ap, -HV_ENODEV, &done);
	ahci_pwrite(ap, AHCI_PXIS, 0xffffffffu);
	ap->sc->ports[ap->num] = NULL;
	hv_spin_unlock_irqrestore(&ap->sc->lock, flags);
	hv_blkreq_list_complete(&done);
	hv_log("ahci: %s: port %u detached (%llu errors, %llu timeouts, %llu resets)",
	       ap->sc->slot, ap->num, (unsigned long long)ap->errors,
	       (unsigned long long)ap->timeouts, (unsigned long long)ap->resets);
	hv_dma_free(ap->ct, ap->nslots * sizeof(struct ahci_cmd_table));
	hv_dma_free(ap->clfis, 4096);
	hv_free(ap);
}
