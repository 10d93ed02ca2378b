/*
 * AHCI port hardware helpers: start and stop of the command engine, COMRESET and recovery,
 * command tables, device detection and IDENTIFY, port attach. The I/O path is in
 * ahci_ring.c. Section numbers refer to Serial ATA AHCI 1.3.1 and ATA/ATAPI-8 ACS.
 */
#include <hv/ddk.h>

#include "ahcivar.h"

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
int ahci_port_stop(struct ahci_port *ap, int fis)
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
void ahci_port_setup_dma(struct ahci_port *ap)
{
	uint32_t cmd = ahci_pread(ap, AHCI_PXCMD);

	uint64_t cl = hv_dma_addr(ap->sc->dev, ap->clfis_bus, AHCI_CL_SIZE);
	uint64_t fb = hv_dma_addr(ap->sc->dev, ap->clfis_bus + AHCI_CL_SIZE, AHCI_CLFIS_SIZE - AHCI_CL_SIZE);

	ahci_pwrite(ap, AHCI_PXCLB, (uint32_t)cl);
	ahci_pwrite(ap, AHCI_PXCLBU, (uint32_t)(cl >> 32));
	ahci_pwrite(ap, AHCI_PXFB, (uint32_t)fb);
	ahci_pwrite(ap, AHCI_PXFBU, (uint32_t)(fb >> 32));
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
int ahci_port_recover(struct ahci_port *ap, int comreset)
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
void ahci_fill(struct ahci_port *ap, unsigned slot, uint8_t cmd, uint64_t lba,
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

		uint64_t a = hv_dma_addr(ap->sc->dev, bus, len);

		ct->prd[n].dba = (uint32_t)a;
		ct->prd[n].dbau = (uint32_t)(a >> 32);
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

	ahci_fill(ap, 0, ATA_CMD_IDENTIFY, 0, 0, id_bus, ATA_IDENTIFY_BYTES, 0);
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
	uint16_t *id = hv_dma_alloc_coherent(ap->sc->dev, ATA_IDENTIFY_BYTES, &id_bus);
	char serial[21], fw[9];
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
#ifdef HV_DEFECT_BAD_CAPACITY	/* certify self-test defect: the sector count taken as the last LBA */
	nblocks -= 1;
#endif
	ap->ncq = (ap->sc->cap & AHCI_CAP_SNCQ) && (id[ATA_ID_SATACAP] & ATA_ID_SATACAP_NCQ);
	ap->ncq_depth = (id[ATA_ID_QDEPTH] & 0x1f) + 1u;
	ahci_ata_string(ap->model, &id[ATA_ID_MODEL], 20);
	ahci_ata_string(serial, &id[ATA_ID_SERIAL], 10);
	/* Words 23-26 (ACS-3 7.12.7): the firmware revision. The function reports its first
	 * disk's: the device under test is the controller and the disk behind it. */
	ahci_ata_string(fw, &id[ATA_ID_FW], 4);
	if (fw[0] && !ap->sc->fw_reported && hv_pci_set_firmware(ap->sc->dev, fw) == 0)
		ap->sc->fw_reported = 1;
	if (nblocks == 0) {
		hv_log("ahci: %s: port %u: \"%s\" reports no capacity", ap->sc->slot, ap->num,
		       ap->model);
		rc = -HV_ENODEV;
		goto free_id;
	}
	ap->bd.block_size = ATA_SECTOR_SIZE;
	ap->bd.nblocks = nblocks;
	hv_log("ahci: %s: port %u: \"%s\" serial \"%s\", %llu sectors%s, %s", ap->sc->slot,
	       ap->num, ap->model, serial, (unsigned long long)nblocks,
	       id[ATA_ID_CMDSET2] & ATA_ID_CMDSET2_LBA48 ? ", LBA48" : "",
	       ap->ncq ? "NCQ" : "DMA EXT (no NCQ)");
free_id:
	hv_dma_free_coherent(ap->sc->dev, id, ATA_IDENTIFY_BYTES);
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
	ap->regs = AHCI_PORT(num);
	ap->nslots = AHCI_CAP_NCS(sc->cap) + 1;
	rc = -HV_ENOMEM;
	ap->clfis = hv_dma_alloc_coherent(sc->dev, AHCI_CLFIS_SIZE, &ap->clfis_bus);
	if (!ap->clfis)
		goto free_port;
	ap->ct = hv_dma_alloc_coherent(sc->dev, ap->nslots * sizeof(struct ahci_cmd_table), &ap->ct_bus);
	if (!ap->ct)
		goto free_clfis;
	ap->cl = ap->clfis;
	for (unsigned i = 0; i < ap->nslots; i++) {
		uint64_t b = hv_dma_addr(sc->dev, ap->ct_bus + i * sizeof(struct ahci_cmd_table),
					 sizeof(struct ahci_cmd_table));

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
	hv_dma_free_coherent(sc->dev, ap->ct, ap->nslots * sizeof(struct ahci_cmd_table));
free_clfis:
	hv_dma_free_coherent(sc->dev, ap->clfis, AHCI_CLFIS_SIZE);
free_port:
	hv_free(ap);
	return rc;
}
