/*
 * MegaRAID SAS (MFI) driver state: one softc per controller with the reply queue, one
 * command control block (ccb) per command slot holding its frame (header, CDB and SG list)
 * and sense buffer, two internal frames (a firmware command waited for at probe, and the
 * watchdog's ABORT), and the shared SCSI layer's HBA (drivers/scsi) that scans and
 * registers the disks.
 */
#ifndef MEGASAS_VAR_H
#define MEGASAS_VAR_H

#include <hv/ddk.h>

#include "../../scsi/scsivar.h"
#include "megasasreg.h"

#define MEGASAS_PAGE_SIZE	4096
#define MEGASAS_DEPTH		128	/* ccbs; fewer when the firmware takes fewer commands */
#define MEGASAS_MAX_TARGETS	64	/* QEMU's bus: target IDs 0..63 (MFI_MAX_LD) */
#define MEGASAS_MAX_LUNS	8
#define MEGASAS_MAX_FW_CMDS	4096	/* beyond: a reply queue we refuse to size */
/* One SG element per 4 KiB page of data (an unaligned buffer takes one more): 256 KiB a
 * command needs 65, inside QEMU's default of 80 (max_sge); a smaller firmware limit makes
 * commands smaller. */
#define MEGASAS_MAX_SGE		65
#define MEGASAS_MAX_XFER	((MEGASAS_MAX_SGE - 1u) * MEGASAS_PAGE_SIZE)
#define MEGASAS_IO_TIMEOUT_US	5000000
#define MEGASAS_GRACE_US	3000000	/* after an abort */
#define MEGASAS_WATCHDOG_US	500000
#define MEGASAS_FW_TIMEOUT_US	2000000	/* firmware state changes and internal commands */
#define MEGASAS_DCMD_BUF	8192	/* PD list (5768 bytes) and controller info */

/* Contexts: 1..depth for ccbs, then the two internal frames. */
#define MEGASAS_CTX_INTERNAL	(MEGASAS_DEPTH + 1)
#define MEGASAS_CTX_ABORT	(MEGASAS_DEPTH + 2)
#define MEGASAS_NFRAMES		(MEGASAS_DEPTH + 2)

/* Recovery stages of a late command: abort it, then reset the adapter. */
#define MEGASAS_STAGE_RUNNING	0
#define MEGASAS_STAGE_ABORTED	1

struct megasas_ccb {
	struct megasas_ccb *next_free;
	struct scsi_cmd *cmd;
	struct mfi_pass_frame *frame;
	uint64_t frame_bus;
	uint8_t *sense;
	uint64_t sense_bus;
	uint64_t deadline_us;
	uint32_t index;
	uint8_t busy;
	uint8_t stage;
	uint8_t timed_out;
};

struct megasas_softc {
	struct hv_pci_dev *dev;
	char slot[16];
	struct hv_bar *regs;		/* the register BAR (BAR0 on 1078, BAR1 on 2108) */
	int gen2;			/* SAS 2108: its OSTS and OMSK bits */
	int irq_mode;
	struct hv_spinlock lock;

	uint32_t fw_cmds;		/* commands the firmware takes = reply queue entries */
	uint32_t fw_sge;		/* SG elements per frame the firmware takes */
	unsigned depth;			/* ccbs in use */
	uint32_t max_xfer;

	void *frames;			/* MEGASAS_NFRAMES frames of MEGASAS_FRAME_MAP bytes */
	uint64_t frames_bus;
	void *sense_mem;		/* MEGASAS_DEPTH sense buffers */
	uint64_t sense_bus;
	volatile uint32_t *rq;		/* reply queue: fw_cmds contexts */
	uint64_t rq_bus;
	size_t rq_size;
	uint8_t *qpage;			/* init queue info, producer and consumer indexes */
	uint64_t qpage_bus;
	volatile uint32_t *producer;
	volatile uint32_t *consumer;
	uint8_t *dcmd_buf;		/* internal commands' data */
	uint64_t dcmd_bus;
	uint8_t *nodata;		/* the SG target of commands without data (see io.c) */
	uint64_t nodata_bus;

	struct megasas_ccb ccbs[MEGASAS_DEPTH];
	struct megasas_ccb *ccb_free;
	volatile uint8_t internal_done;
	uint8_t abort_busy;

	struct scsi_hba hba;
	struct hv_timer watchdog;
	int stopping;
	int dead;			/* recovery failed: commands are refused */
	uint64_t done_intr, done_poll, timeouts, aborts, adapter_resets;
};

static inline uint32_t megasas_read32(struct megasas_softc *sc, uint32_t r)
{
	return hv_bar_read32(sc->regs, r);
}

static inline void megasas_write32(struct megasas_softc *sc, uint32_t r, uint32_t v)
{
	hv_bar_write32(sc->regs, r, v);
}

static inline void *megasas_frame(struct megasas_softc *sc, unsigned i, uint64_t *bus)
{
	*bus = sc->frames_bus + (uint64_t)i * MEGASAS_FRAME_MAP;
	return (uint8_t *)sc->frames + (size_t)i * MEGASAS_FRAME_MAP;
}

/* megasas_hw.c: firmware state, MFI_CMD_INIT, internal commands, adapter reset. */
int megasas_mem_alloc(struct megasas_softc *sc);
void megasas_mem_free(struct megasas_softc *sc);
int megasas_fw_ready(struct megasas_softc *sc);
int megasas_start(struct megasas_softc *sc);
void megasas_intr_enable(struct megasas_softc *sc);
void megasas_stop(struct megasas_softc *sc);
void megasas_post(struct megasas_softc *sc, uint64_t frame_bus, unsigned bytes);
int megasas_ctrl_info(struct megasas_softc *sc);
int megasas_pd_list(struct megasas_softc *sc, unsigned *max_target);

/* megasas_ring.c: pass-through commands and the reply queue. */
void megasas_ccb_init(struct megasas_softc *sc);
int megasas_queue(struct scsi_hba *h, struct scsi_cmd *c);
int megasas_poll(struct scsi_hba *h);
int megasas_complete(struct megasas_softc *sc, int from_intr);
void megasas_collect_all(struct megasas_softc *sc, uint8_t host, struct scsi_done *done);
void megasas_fail_all(struct megasas_softc *sc, uint8_t host);

/* megasas_recover.c */
void megasas_watchdog(void *arg);

#endif
