/*
 * MegaRAID hardware helpers, through the MFI firmware: DMA memory, the firmware state
 * handshake (OMSG0 and the inbound doorbell), MFI_CMD_INIT with the reply queue, the
 * inbound queue port, and the two firmware commands (DCMDs) of the probe: controller info
 * and the physical device list. Layouts are in megasasreg.h.
 */
#include <hv/ddk.h>

#include "megasasvar.h"

#define MEGASAS_FRAMES_SIZE	((size_t)MEGASAS_NFRAMES * MEGASAS_FRAME_MAP)
#define MEGASAS_SENSE_SIZE	((size_t)MEGASAS_DEPTH * SCSI_SENSE_MAX)
/* The queue page: init queue info at 0, producer index at 64, consumer index at 128. */
#define MEGASAS_QP_PRODUCER	64
#define MEGASAS_QP_CONSUMER	128

_Static_assert(sizeof(struct mfi_pass_frame) + MEGASAS_MAX_SGE * sizeof(struct mfi_sg64) <=
	       MEGASAS_FRAME_MAP, "the largest command's SG list fits its frame");
_Static_assert(MEGASAS_FRAME_MAP % MFI_FRAME_ALIGN == 0, "frames stay aligned");

/* fw_cmds is known (megasas_fw_ready): the reply queue has that many entries. */
int megasas_mem_alloc(struct megasas_softc *sc)
{
	sc->frames = hv_dma_alloc_coherent(sc->dev, MEGASAS_FRAMES_SIZE, &sc->frames_bus);
	if (!sc->frames)
		goto fail;
	sc->sense_mem = hv_dma_alloc_coherent(sc->dev, MEGASAS_SENSE_SIZE, &sc->sense_bus);
	if (!sc->sense_mem)
		goto free_frames;
	sc->rq_size = (size_t)sc->fw_cmds * sizeof(uint32_t);
	sc->rq = hv_dma_alloc_coherent(sc->dev, sc->rq_size, &sc->rq_bus);
	if (!sc->rq)
		goto free_sense;
	sc->qpage = hv_dma_alloc_coherent(sc->dev, MEGASAS_PAGE_SIZE, &sc->qpage_bus);
	if (!sc->qpage)
		goto free_rq;
	sc->dcmd_buf = hv_dma_alloc_coherent(sc->dev, MEGASAS_DCMD_BUF, &sc->dcmd_bus);
	if (!sc->dcmd_buf)
		goto free_qpage;
	sc->nodata = hv_dma_alloc_coherent(sc->dev, MEGASAS_PAGE_SIZE, &sc->nodata_bus);
	if (!sc->nodata)
		goto free_dcmd;
	sc->producer = (volatile uint32_t *)(sc->qpage + MEGASAS_QP_PRODUCER);
	sc->consumer = (volatile uint32_t *)(sc->qpage + MEGASAS_QP_CONSUMER);
	return 0;

free_dcmd:
	hv_dma_free_coherent(sc->dev, sc->dcmd_buf, MEGASAS_DCMD_BUF);
free_qpage:
	hv_dma_free_coherent(sc->dev, sc->qpage, MEGASAS_PAGE_SIZE);
free_rq:
	hv_dma_free_coherent(sc->dev, (void *)sc->rq, sc->rq_size);
free_sense:
	hv_dma_free_coherent(sc->dev, sc->sense_mem, MEGASAS_SENSE_SIZE);
free_frames:
	hv_dma_free_coherent(sc->dev, sc->frames, MEGASAS_FRAMES_SIZE);
fail:
	return -HV_ENOMEM;
}

void megasas_mem_free(struct megasas_softc *sc)
{
#ifndef HV_DEFECT_LEAK_DETACH	/* certify self-test defect: one DMA page lost per detach */
	hv_dma_free_coherent(sc->dev, sc->nodata, MEGASAS_PAGE_SIZE);
#endif
	hv_dma_free_coherent(sc->dev, sc->dcmd_buf, MEGASAS_DCMD_BUF);
	hv_dma_free_coherent(sc->dev, sc->qpage, MEGASAS_PAGE_SIZE);
	hv_dma_free_coherent(sc->dev, (void *)sc->rq, sc->rq_size);
	hv_dma_free_coherent(sc->dev, sc->sense_mem, MEGASAS_SENSE_SIZE);
	hv_dma_free_coherent(sc->dev, sc->frames, MEGASAS_FRAMES_SIZE);
}

/*
 * Bring the firmware to READY (mfireg.h's state machine): OPERATIONAL goes back with the
 * ABORT|READY doorbell, WAIT_HANDSHAKE with CLEAR_HANDSHAKE; FAULT is final. READY's OMSG0
 * also gives the command and SG limits, which size the reply queue and the commands.
 */
int megasas_fw_ready(struct megasas_softc *sc)
{
	uint64_t t0 = hv_time_us();
	uint32_t v = 0, rang = 0;

	for (;;) {
		v = megasas_read32(sc, MFI_REG_OMSG0);
		if (v == 0xffffffffu) {
			hv_log("megasas: %s: controller does not answer (OMSG0 all ones)", sc->slot);
			return -HV_ENODEV;
		}
		switch (v & MFI_FWSTATE_MASK) {
		case MFI_FWSTATE_READY:
			goto ready;
		case MFI_FWSTATE_FAULT:
			hv_log("megasas: %s: firmware in FAULT state (OMSG0 0x%08x)", sc->slot, v);
			return -HV_EIO;
		case MFI_FWSTATE_OPERATIONAL:
			if (rang != MFI_FWSTATE_OPERATIONAL)
				megasas_write32(sc, MFI_REG_IDB, MFI_FWINIT_ABORT | MFI_FWINIT_READY);
			rang = MFI_FWSTATE_OPERATIONAL;
			break;
		case MFI_FWSTATE_WAIT_HANDSHAKE:
			if (rang != MFI_FWSTATE_WAIT_HANDSHAKE)
				megasas_write32(sc, MFI_REG_IDB, MFI_FWINIT_CLEAR_HANDSHAKE);
			rang = MFI_FWSTATE_WAIT_HANDSHAKE;
			break;
		default:
			break;
		}
		if (hv_time_us() - t0 > MEGASAS_FW_TIMEOUT_US) {
			hv_log("megasas: %s: firmware not READY after %u ms (OMSG0 0x%08x)",
			       sc->slot, MEGASAS_FW_TIMEOUT_US / 1000, v);
			return -HV_ETIMEDOUT;
		}
		hv_udelay(1000);
	}
ready:
	sc->fw_cmds = MFI_FWSTATE_MAXCMD(v);
	sc->fw_sge = MFI_FWSTATE_MAXSGL(v);
	if (sc->fw_cmds < 4 || sc->fw_cmds > MEGASAS_MAX_FW_CMDS || sc->fw_sge < 2) {
		hv_log("megasas: %s: firmware limits out of range: %u commands, %u SG elements "
		       "(OMSG0 0x%08x)", sc->slot, sc->fw_cmds, sc->fw_sge, v);
		return -HV_EPROTO;
	}
	return 0;
}

/*
 * Hand a frame to the controller. The queue port takes the frame address with the number
 * of 64-byte frames beyond the first in bits 1..4 (ignored by QEMU); a frame above 4 GiB
 * goes through the high/low pair, high first. Callers serialise (the lock, or own sc).
 */
void megasas_post(struct megasas_softc *sc, uint64_t frame_bus, unsigned bytes)
{
	uint32_t extra = (bytes - 1) / MFI_FRAME_ALIGN;

	frame_bus = hv_dma_addr(sc->dev, frame_bus, bytes);
	uint32_t lo = (uint32_t)frame_bus | (extra > 15 ? 15 : extra) << 1 | 1;

	hv_wmb();	/* the frame before the write that hands it over */
	if (frame_bus >> 32) {
		megasas_write32(sc, MFI_REG_IQPH, (uint32_t)(frame_bus >> 32));
		megasas_write32(sc, MFI_REG_IQPL, lo);
	} else {
		megasas_write32(sc, MFI_REG_IQP, lo);
	}
}

/* Outbound interrupt on (reply posted). The mask is also what keeps QEMU's model posting
 * producer updates: with it all ones, replies are not published. */
void megasas_intr_enable(struct megasas_softc *sc)
{
	megasas_write32(sc, MFI_REG_ODCR0, 0xffffffffu);
	megasas_write32(sc, MFI_REG_OMSK, sc->gen2 ? MFI_OMSK_GEN2_ENABLE : MFI_OMSK_1078_ENABLE);
	(void)megasas_read32(sc, MFI_REG_OMSK);	/* flush the posted write */
}

/* Wait for an internal frame's status byte: INIT completes with the outbound interrupt
 * masked, so its reply is not published; the status is. */
static int megasas_wait_status(struct megasas_softc *sc, volatile struct mfi_frame_header *h,
			       const char *what)
{
	uint64_t t0 = hv_time_us();

	while (h->cmd_status == MFI_STAT_PENDING) {
		if (hv_time_us() - t0 > MEGASAS_FW_TIMEOUT_US) {
			hv_log("megasas: %s: %s did not complete in %u ms", sc->slot, what,
			       MEGASAS_FW_TIMEOUT_US / 1000);
			return -HV_ETIMEDOUT;
		}
		hv_udelay(10);
	}
	hv_rmb();
	if (h->cmd_status != MFI_STAT_OK) {
		hv_log("megasas: %s: %s failed with MFI status 0x%02x", sc->slot, what,
		       h->cmd_status);
		return -HV_EIO;
	}
	return 0;
}

/*
 * Mask the outbound interrupt, bring the firmware to READY, give it the reply queue
 * (MFI_CMD_INIT: reply queue of fw_cmds 32-bit contexts, producer and consumer indexes from
 * 0): it is OPERATIONAL after. Interrupts stay masked (megasas_intr_enable). Callers hold
 * the lock or own sc alone.
 */
int megasas_start(struct megasas_softc *sc)
{
	struct mfi_init_qinfo *qi = (struct mfi_init_qinfo *)sc->qpage;
	struct mfi_init_frame *f;
	uint64_t fbus;
	int rc;

	megasas_write32(sc, MFI_REG_OMSK, MFI_OMSK_DISABLE);
	rc = megasas_fw_ready(sc);
	if (rc < 0)
		return rc;
	if (sc->fw_cmds * sizeof(uint32_t) != sc->rq_size) {
		hv_log("megasas: %s: firmware now takes %u commands, was %u", sc->slot,
		       sc->fw_cmds, (unsigned)(sc->rq_size / sizeof(uint32_t)));
		return -HV_EPROTO;
	}
	megasas_ccb_init(sc);
	memset((void *)sc->rq, 0, sc->rq_size);
	memset(sc->qpage, 0, MEGASAS_PAGE_SIZE);
	qi->rq_entries = sc->fw_cmds;	/* QEMU wraps the queue at its command limit */
	uint64_t rq = hv_dma_addr(sc->dev, sc->rq_bus, sc->rq_size);
	uint64_t pi = hv_dma_addr(sc->dev, sc->qpage_bus + MEGASAS_QP_PRODUCER, sizeof(uint32_t));
	uint64_t ci = hv_dma_addr(sc->dev, sc->qpage_bus + MEGASAS_QP_CONSUMER, sizeof(uint32_t));
	qi->rq_addr_lo = (uint32_t)rq;
	qi->rq_addr_hi = (uint32_t)(rq >> 32);
	qi->pi_addr_lo = (uint32_t)pi;
	qi->pi_addr_hi = (uint32_t)(pi >> 32);
	qi->ci_addr_lo = (uint32_t)ci;
	qi->ci_addr_hi = (uint32_t)(ci >> 32);

	f = megasas_frame(sc, MEGASAS_CTX_INTERNAL - 1, &fbus);
	memset(f, 0, sizeof(*f));
	f->header.frame_cmd = MFI_CMD_INIT;
	f->header.cmd_status = MFI_STAT_PENDING;
	f->header.context = MEGASAS_CTX_INTERNAL;
	f->header.data_len = sizeof(*qi);
	uint64_t qinfo = hv_dma_addr(sc->dev, sc->qpage_bus, sizeof(*qi));
	f->qinfo_new_addr_lo = (uint32_t)qinfo;
	f->qinfo_new_addr_hi = (uint32_t)(qinfo >> 32);
	megasas_post(sc, fbus, sizeof(*f));
	rc = megasas_wait_status(sc, &f->header, "MFI_CMD_INIT");
	if (rc < 0)
		return rc;
	if ((megasas_read32(sc, MFI_REG_OMSG0) & MFI_FWSTATE_MASK) != MFI_FWSTATE_OPERATIONAL) {
		hv_log("megasas: %s: firmware not OPERATIONAL after INIT (OMSG0 0x%08x)", sc->slot,
		       megasas_read32(sc, MFI_REG_OMSG0));
		return -HV_EPROTO;
	}
	return 0;
}

/* Interrupt off and the firmware back to READY: it drops every command, no DMA after. */
void megasas_stop(struct megasas_softc *sc)
{
	megasas_write32(sc, MFI_REG_OMSK, MFI_OMSK_DISABLE);
	megasas_write32(sc, MFI_REG_IDB, MFI_FWINIT_ABORT | MFI_FWINIT_READY);
	(void)megasas_read32(sc, MFI_REG_OMSG0);
}

/*
 * One DCMD reading len bytes into dcmd_buf, waited for through the reply queue (interrupts
 * are on by now: the interrupt handler or this loop reaps the reply). Probe only.
 */
static int megasas_dcmd(struct megasas_softc *sc, uint32_t opcode, uint8_t mbox0, uint32_t len,
			const char *what)
{
	struct mfi_dcmd_frame *f;
	uint64_t fbus, t0;

	f = megasas_frame(sc, MEGASAS_CTX_INTERNAL - 1, &fbus);
	memset(f, 0, sizeof(*f) + sizeof(f->sgl[0]));
	memset(sc->dcmd_buf, 0, MEGASAS_DCMD_BUF);
	f->header.frame_cmd = MFI_CMD_DCMD;
	f->header.cmd_status = MFI_STAT_PENDING;
	f->header.sge_count = 1;
	f->header.context = MEGASAS_CTX_INTERNAL;
	f->header.flags = MFI_FRAME_SGL64 | MFI_FRAME_DIR_READ;
	f->header.data_len = len;
	f->opcode = opcode;
	f->mbox[0] = mbox0;
	f->sgl[0].addr = hv_dma_addr(sc->dev, sc->dcmd_bus, len);
	f->sgl[0].len = len;
	sc->internal_done = 0;
	megasas_post(sc, fbus, sizeof(*f) + sizeof(f->sgl[0]));
	for (t0 = hv_time_us(); !sc->internal_done;) {
		if (hv_time_us() - t0 > MEGASAS_FW_TIMEOUT_US) {
			hv_log("megasas: %s: %s: no reply in %u ms (status 0x%02x)", sc->slot, what,
			       MEGASAS_FW_TIMEOUT_US / 1000, f->header.cmd_status);
			return -HV_ETIMEDOUT;
		}
		megasas_complete(sc, 0);
	}
	hv_rmb();
	if (f->header.cmd_status != MFI_STAT_OK) {
		hv_log("megasas: %s: %s failed with MFI status 0x%02x", sc->slot, what,
		       f->header.cmd_status);
		return -HV_EIO;
	}
	return 0;
}

/* Controller info: the product for the log, and a command and SG limit that can only lower
 * what OMSG0 said. */
int megasas_ctrl_info(struct megasas_softc *sc)
{
	char product[25];
	uint16_t cmds, sge;
	int rc;

	rc = megasas_dcmd(sc, MFI_DCMD_CTRL_GET_INFO, 0, MFI_CTRL_INFO_SIZE, "CTRL_GET_INFO");
	if (rc < 0)
		return rc;
	scsi_ascii(product, sc->dcmd_buf + MFI_CTRL_INFO_PRODUCT, sizeof(product) - 1);
	memcpy(&cmds, sc->dcmd_buf + MFI_CTRL_INFO_MAX_CMDS, sizeof(cmds));
	memcpy(&sge, sc->dcmd_buf + MFI_CTRL_INFO_MAX_SGE, sizeof(sge));
	if (sge >= 2 && sge < sc->fw_sge)
		sc->fw_sge = sge;
	hv_log("megasas: %s: %s, firmware takes %u commands (info %u), %u SG elements",
	       sc->slot, product[0] ? product : "(no name)", sc->fw_cmds, cmds, sc->fw_sge);
	return 0;
}

/*
 * The devices the controller exposes (PD_GET_LIST): QEMU lists every device on its SCSI
 * bus with device_id = target << 8 | LUN. The scan covers targets 0..max so it does not
 * probe 64 IDs for a few disks; the SCSI layer still finds the LUNs with REPORT LUNS.
 * Returns the number of devices.
 */
int megasas_pd_list(struct megasas_softc *sc, unsigned *max_target)
{
	const struct mfi_pd_list *l = (const struct mfi_pd_list *)sc->dcmd_buf;
	unsigned n, top = 0;
	int rc;

	rc = megasas_dcmd(sc, MFI_DCMD_PD_GET_LIST, MFI_PD_QUERY_EXPOSED, MEGASAS_DCMD_BUF,
			  "PD_GET_LIST");
	if (rc < 0)
		return rc;
	n = l->count;
	if (n > MFI_MAX_SYS_PDS || 8 + (uint64_t)n * sizeof(l->addr[0]) > MEGASAS_DCMD_BUF) {
		hv_log("megasas: %s: PD_GET_LIST: bad count %u", sc->slot, n);
		return -HV_EPROTO;
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned t = l->addr[i].device_id >> 8, lun = l->addr[i].device_id & 0xff;

		hv_log("megasas: %s: PD %u: target %u LUN %u type 0x%02x", sc->slot, i, t, lun,
		       l->addr[i].scsi_dev_type);
		if (t + 1 > top)
			top = t + 1;
	}
	*max_target = top;
	return (int)n;
}
