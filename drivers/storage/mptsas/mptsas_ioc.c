/*
 * Fusion-MPT IOC bring-up: reset to READY, the doorbell handshake (MPI 1.5 3.5.2) that
 * carries IOC Facts, IOC Init and Port Enable, the reply frames handed to the reply free
 * FIFO, and the DMA area for frames and sense buffers. Commands and replies are in
 * mptsas_ring.c; layouts in mptsasreg.h.
 */
#include <hv/ddk.h>

#include "mptsasvar.h"

static uint32_t mptsas_state(struct mptsas_softc *sc)
{
	return mptsas_read32(sc, MPI_REG_DOORBELL) & MPI_IOC_STATE_MASK;
}

static int mptsas_wait_state(struct mptsas_softc *sc, uint32_t want, uint64_t us)
{
	uint64_t end = hv_time_us() + us;

	while (mptsas_state(sc) != want) {
		if (hv_time_us() > end)
			return -HV_ETIMEDOUT;
		hv_udelay(50);
	}
	return 0;
}

/* Wait for a HIS bit to be set (set = 1) or clear (set = 0). */
static int mptsas_wait_his(struct mptsas_softc *sc, uint32_t bit, int set)
{
	uint64_t end = hv_time_us() + MPTSAS_HS_TIMEOUT_US;

	for (;;) {
		uint32_t his = mptsas_read32(sc, MPI_REG_HIS);

		if (his != 0xffffffffu && !!(his & bit) == set)
			return 0;
		if (hv_time_us() > end)
			return -HV_ETIMEDOUT;
		hv_udelay(5);
	}
}

/*
 * The doorbell handshake (MPI 1.5 3.5.2): the function and the message's dword count go
 * to the doorbell, then each dword, each taken by the IOC (IOP doorbell status clear);
 * the reply comes back 16 bits per doorbell read, each announced by the doorbell
 * interrupt bit and acknowledged by a write to HIS, and one last interrupt ends it.
 * Reply words beyond rlen bytes are read and dropped.
 */
static int mptsas_handshake(struct mptsas_softc *sc, const void *msg, unsigned bytes,
			    void *reply, unsigned rlen)
{
	const uint32_t *w = msg;
	uint16_t *r = reply;
	unsigned nwords = 2, i;

	if (mptsas_read32(sc, MPI_REG_DOORBELL) & MPI_DOORBELL_ACTIVE) {
		hv_log("mptsas: %s: doorbell busy before a handshake", sc->slot);
		return -HV_EBUSY;
	}
	mptsas_write32(sc, MPI_REG_HIS, 0);
	mptsas_write32(sc, MPI_REG_DOORBELL,
		       ((uint32_t)MPI_FUNCTION_HANDSHAKE << MPI_DOORBELL_FUNCTION_SHIFT) |
		       ((bytes / 4) << MPI_DOORBELL_DWORDS_SHIFT));
	if (mptsas_wait_his(sc, MPI_HIS_DOORBELL, 1) < 0)
		goto timeout;
	mptsas_write32(sc, MPI_REG_HIS, 0);
	for (i = 0; i < bytes / 4; i++) {
		mptsas_write32(sc, MPI_REG_DOORBELL, w[i]);
		if (mptsas_wait_his(sc, MPI_HIS_IOP_DOORBELL, 0) < 0)
			goto timeout;
	}
	memset(reply, 0, rlen);
	for (i = 0; i < nwords; i++) {
		uint16_t v;

		if (mptsas_wait_his(sc, MPI_HIS_DOORBELL, 1) < 0)
			goto timeout;
		v = (uint16_t)(mptsas_read32(sc, MPI_REG_DOORBELL) & MPI_DOORBELL_DATA_MASK);
		mptsas_write32(sc, MPI_REG_HIS, 0);
		if (i < rlen / 2)
			r[i] = v;
		if (i == 1)	/* MsgLength, in dwords, is byte 2 of the reply */
			nwords = (v & 0xffu) * 2u;
	}
	if (mptsas_wait_his(sc, MPI_HIS_DOORBELL, 1) < 0)
		goto timeout;
	mptsas_write32(sc, MPI_REG_HIS, 0);
	if (nwords < sizeof(struct mpi_default_reply) / 2) {
		hv_log("mptsas: %s: handshake reply of %u bytes", sc->slot, nwords * 2);
		return -HV_EPROTO;
	}
	return 0;

timeout:
	hv_log("mptsas: %s: handshake step timed out (doorbell 0x%08x, HIS 0x%08x)", sc->slot,
	       mptsas_read32(sc, MPI_REG_DOORBELL), mptsas_read32(sc, MPI_REG_HIS));
	return -HV_ETIMEDOUT;
}

/* A handshake whose reply must name the function and report success. */
static int mptsas_request(struct mptsas_softc *sc, const char *what, const void *msg,
			  unsigned bytes, void *reply, unsigned rlen)
{
	const struct mpi_default_reply *d = reply;
	uint8_t fn = ((const uint8_t *)msg)[3];
	int rc = mptsas_handshake(sc, msg, bytes, reply, rlen);

	if (rc < 0)
		return rc;
	if (d->function != fn || (d->ioc_status & MPI_IOCSTATUS_MASK) != MPI_IOCSTATUS_SUCCESS) {
		hv_log("mptsas: %s: %s failed: reply function 0x%02x, IOCStatus 0x%04x, log info "
		       "0x%08x", sc->slot, what, d->function, d->ioc_status, d->ioc_log_info);
		return -HV_EIO;
	}
	return 0;
}

/* The diagnostic register's hard reset, after the key sequence that unlocks it. */
static void mptsas_hard_reset(struct mptsas_softc *sc)
{
	static const uint8_t keys[] = MPI_WRSEQ_KEYS;

	for (unsigned i = 0; i < sizeof(keys); i++)
		mptsas_write32(sc, MPI_REG_WRITE_SEQUENCE, keys[i]);
	mptsas_write32(sc, MPI_REG_DIAGNOSTIC, MPI_DIAG_RESET_ADAPTER);
}

/*
 * Bring the IOC to READY (MPI 1.5 3.5.1): a message unit reset, which drops every request
 * and both reply FIFOs, and a hard reset through the diagnostic register when that does
 * not get there. Interrupts stay masked.
 */
int mptsas_ioc_reset(struct mptsas_softc *sc)
{
	uint32_t db;

	mptsas_write32(sc, MPI_REG_HIM, MPI_HIM_DOORBELL | MPI_HIM_REPLY);
	mptsas_write32(sc, MPI_REG_DOORBELL,
		       (uint32_t)MPI_FUNCTION_MSG_UNIT_RESET << MPI_DOORBELL_FUNCTION_SHIFT);
	if (mptsas_wait_state(sc, MPI_IOC_STATE_READY, MPTSAS_READY_TIMEOUT_US) == 0)
		goto ready;
	hv_log("mptsas: %s: message unit reset left doorbell 0x%08x; hard reset", sc->slot,
	       mptsas_read32(sc, MPI_REG_DOORBELL));
	mptsas_hard_reset(sc);
	if (mptsas_wait_state(sc, MPI_IOC_STATE_READY, MPTSAS_READY_TIMEOUT_US) < 0) {
		hv_log("mptsas: %s: IOC not READY after a hard reset (doorbell 0x%08x)", sc->slot,
		       mptsas_read32(sc, MPI_REG_DOORBELL));
		return -HV_EIO;
	}
ready:
	mptsas_write32(sc, MPI_REG_HIM, MPI_HIM_DOORBELL | MPI_HIM_REPLY);
	mptsas_write32(sc, MPI_REG_HIS, 0);
	db = mptsas_read32(sc, MPI_REG_DOORBELL);
	if (db & MPI_DOORBELL_ACTIVE) {
		hv_log("mptsas: %s: doorbell still in use after reset (0x%08x)", sc->slot, db);
		return -HV_EIO;
	}
	return 0;
}

/*
 * IOC Facts: the frame size, credits and reply depth everything else is sized from. On
 * the first call they set the driver's limits; after a reset they must not have shrunk.
 */
int mptsas_ioc_facts(struct mptsas_softc *sc, int first)
{
	struct mpi_msg_ioc_facts m;
	struct mpi_ioc_facts_reply f;
	uint32_t fsize;
	unsigned depth, nreply;
	int rc;

	memset(&m, 0, sizeof(m));
	m.function = MPI_FUNCTION_IOC_FACTS;
	rc = mptsas_request(sc, "IOC Facts", &m, sizeof(m), &f, sizeof(f));
	if (rc < 0)
		return rc;
	fsize = (uint32_t)f.request_frame_size * 4u;
	/* Reply frames: no more than the reply FIFO holds. Commands: one credit stays for the
	 * task management request, and every command and the TM request must find a reply
	 * frame at once. */
	nreply = f.reply_queue_depth < MPTSAS_NREPLY ? f.reply_queue_depth : MPTSAS_NREPLY;
	depth = f.global_credits > 1 ? f.global_credits - 1u : 0u;
	if (depth > MPTSAS_MAX_DEPTH)
		depth = MPTSAS_MAX_DEPTH;
	if (depth + 2u > nreply)
		depth = nreply > 2u ? nreply - 2u : 0u;
	if (fsize < MPTSAS_FRAME_MIN || depth == 0) {
		hv_log("mptsas: %s: IOC Facts unusable: request frame %u bytes, %u credits, "
		       "reply queue %u", sc->slot, fsize, f.global_credits, f.reply_queue_depth);
		return -HV_ENODEV;
	}
	if (fsize > MPTSAS_FRAME_MAX)
		fsize = MPTSAS_FRAME_MAX;	/* larger frames only hold more SGEs */
	if (!first) {
		if (fsize < sc->frame_size || depth < sc->depth || nreply < sc->nreply) {
			hv_log("mptsas: %s: IOC Facts changed across a reset", sc->slot);
			return -HV_EIO;
		}
		return 0;
	}
	sc->frame_size = fsize;
	sc->depth = depth;
	sc->nreply = nreply;
	sc->max_targets = f.max_devices ? f.max_devices : MPTSAS_MAX_TARGETS;
	sc->product_id = f.product_id;
	sc->fw[0] = f.fw_major;
	sc->fw[1] = f.fw_minor;
	sc->fw[2] = f.fw_unit;
	sc->fw[3] = f.fw_dev;
	hv_log("mptsas: %s: MPI %u.%u, product 0x%04x, firmware %u.%u.%u.%u, %u ports, %u "
	       "credits, reply queue %u, request frame %u bytes, %u targets", sc->slot,
	       f.msg_version >> 8, f.msg_version & 0xff, f.product_id, f.fw_major, f.fw_minor,
	       f.fw_unit, f.fw_dev, f.number_of_ports, f.global_credits, f.reply_queue_depth,
	       (unsigned)f.request_frame_size * 4u, sc->max_targets);
	return 0;
}

/* The request frames, the reply frames and the sense buffers, in one allocation below
 * one 4 GiB line: IOC Init takes one high word for frames and one for sense buffers. */
int mptsas_mem_alloc(struct mptsas_softc *sc)
{
	size_t frames = (size_t)MPTSAS_NFRAMES * sc->frame_size;
	size_t replies = (size_t)MPTSAS_NREPLY * MPTSAS_REPLY_SIZE;
	size_t sense = (size_t)MPTSAS_MAX_DEPTH * SCSI_SENSE_MAX;
	uint64_t first, last;

	sc->mem_size = (frames + replies + sense + HV_PAGE_SIZE - 1) & ~(size_t)(HV_PAGE_SIZE - 1);
	sc->mem = hv_dma_alloc_coherent(sc->dev, sc->mem_size, &sc->mem_bus);
	if (!sc->mem)
		return -HV_ENOMEM;
	first = hv_dma_addr(sc->dev, sc->mem_bus, sc->mem_size);
	last = first + sc->mem_size - 1;
	if ((first >> 32) != (last >> 32)) {
		hv_log("mptsas: %s: DMA area crosses a 4 GiB line", sc->slot);
		hv_dma_free_coherent(sc->dev, sc->mem, sc->mem_size);
		sc->mem = NULL;
		return -HV_ENOMEM;
	}
	sc->replies = (uint8_t *)sc->mem + frames;
	sc->replies_bus = sc->mem_bus + frames;
	sc->tm = (struct mpi_task_mgmt *)((uint8_t *)sc->mem +
					   (size_t)(MPTSAS_CTX_TM - 1) * sc->frame_size);
	sc->tm_bus = sc->mem_bus + (uint64_t)(MPTSAS_CTX_TM - 1) * sc->frame_size;
	for (unsigned i = 0; i < MPTSAS_MAX_DEPTH; i++) {
		struct mptsas_ccb *ccb = &sc->ccbs[i];

		ccb->frame = (struct mpi_scsi_io *)((uint8_t *)sc->mem + (size_t)i * sc->frame_size);
		ccb->frame_bus = sc->mem_bus + (uint64_t)i * sc->frame_size;
		ccb->sense = (uint8_t *)sc->mem + frames + replies + (size_t)i * SCSI_SENSE_MAX;
		ccb->sense_bus = sc->mem_bus + frames + replies + (uint64_t)i * SCSI_SENSE_MAX;
	}
	return 0;
}

void mptsas_mem_free(struct mptsas_softc *sc)
{
	hv_dma_free_coherent(sc->dev, sc->mem, sc->mem_size);
	sc->mem = NULL;
}

/* IOC Init: WhoInit host driver, our reply frame size and the high address words. */
static int mptsas_ioc_init(struct mptsas_softc *sc)
{
	struct mpi_msg_ioc_init m;
	struct mpi_default_reply r;
	uint64_t base = hv_dma_addr(sc->dev, sc->mem_bus, sc->mem_size);

	memset(&m, 0, sizeof(m));
	m.who_init = MPI_WHOINIT_HOST_DRIVER;
	m.function = MPI_FUNCTION_IOC_INIT;
	m.max_devices = (uint8_t)(sc->max_targets & 0xff);	/* 256 is written as 0 */
	m.max_buses = 1;
	m.reply_frame_size = MPTSAS_REPLY_SIZE;
	m.host_mfa_high = (uint32_t)(base >> 32);
	m.sense_high = (uint32_t)(base >> 32);
	m.msg_version = MPI_VERSION_1_5;
	return mptsas_request(sc, "IOC Init", &m, sizeof(m), &r, sizeof(r));
}

/* Hand every reply frame to the reply free FIFO (low 32 bits; the high word is IOC
 * Init's). */
static void mptsas_post_replies(struct mptsas_softc *sc)
{
	for (unsigned i = 0; i < sc->nreply; i++) {
		uint64_t bus = hv_dma_addr(sc->dev, sc->replies_bus + (uint64_t)i * MPTSAS_REPLY_SIZE,
					   MPTSAS_REPLY_SIZE);
		mptsas_write32(sc, MPI_REG_REPLY_FIFO, (uint32_t)bus);
	}
}

static int mptsas_port_enable(struct mptsas_softc *sc)
{
	struct mpi_msg_port_enable m;
	struct mpi_default_reply r;

	memset(&m, 0, sizeof(m));
	m.function = MPI_FUNCTION_PORT_ENABLE;
	m.port_number = 0;
	return mptsas_request(sc, "Port Enable", &m, sizeof(m), &r, sizeof(r));
}

/*
 * From READY to taking I/O (MPI 1.5 3.5.3): IOC Init, wait for OPERATIONAL, reply frames,
 * Port Enable, then the reply interrupt unmasked (the doorbell one stays masked: the
 * handshake polls). Callers hold the lock or own sc alone; the ccbs must be idle.
 */
int mptsas_ioc_start(struct mptsas_softc *sc)
{
	int rc;

	mptsas_ccb_init(sc);
	sc->tm_busy = 0;
	rc = mptsas_ioc_init(sc);
	if (rc < 0)
		return rc;
	if (mptsas_wait_state(sc, MPI_IOC_STATE_OPERATIONAL, MPTSAS_READY_TIMEOUT_US) < 0) {
		hv_log("mptsas: %s: IOC not OPERATIONAL after IOC Init (doorbell 0x%08x)", sc->slot,
		       mptsas_read32(sc, MPI_REG_DOORBELL));
		return -HV_EIO;
	}
	mptsas_post_replies(sc);
	rc = mptsas_port_enable(sc);
	if (rc < 0)
		return rc;
	mptsas_write32(sc, MPI_REG_HIS, 0);
	mptsas_write32(sc, MPI_REG_HIM, MPI_HIM_DOORBELL);
	return 0;
}

/* Interrupts masked and the message unit reset: no DMA after this returns. */
void mptsas_ioc_stop(struct mptsas_softc *sc)
{
	mptsas_write32(sc, MPI_REG_HIM, MPI_HIM_DOORBELL | MPI_HIM_REPLY);
	mptsas_write32(sc, MPI_REG_DOORBELL,
		       (uint32_t)MPI_FUNCTION_MSG_UNIT_RESET << MPI_DOORBELL_FUNCTION_SHIFT);
	if (mptsas_wait_state(sc, MPI_IOC_STATE_READY, MPTSAS_READY_TIMEOUT_US) < 0) {
		hv_log("mptsas: %s: IOC not READY at stop; hard reset", sc->slot);
		mptsas_hard_reset(sc);
	}
}
