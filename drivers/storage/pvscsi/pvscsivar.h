/*
 * PVSCSI driver state: one softc per adapter, with the request and completion rings, one
 * command control block (ccb) per request slot holding its SG list page and sense buffer,
 * and the shared SCSI layer's HBA (drivers/scsi) that scans and registers the disks.
 */
#ifndef PVSCSI_VAR_H
#define PVSCSI_VAR_H

#include <hv/ddk.h>

#include "../../scsi/scsivar.h"
#include "pvscsireg.h"

#define PVSCSI_REQ_PAGES	4	/* 128 request descriptors */
#define PVSCSI_CMP_PAGES	1	/* 128 completion descriptors */
#define PVSCSI_DEPTH		128	/* commands in flight: never more than either ring */
#define PVSCSI_REQ_ENTRIES	(PVSCSI_REQ_PAGES * PVSCSI_REQ_PER_PAGE)
#define PVSCSI_CMP_ENTRIES	(PVSCSI_CMP_PAGES * PVSCSI_CMP_PER_PAGE)
#define PVSCSI_MAX_TARGETS	64	/* QEMU's bus has target IDs 0..63 */
#define PVSCSI_MAX_LUNS		8
/* One SG list page per command, one element per 4 KiB page of data (an unaligned buffer
 * takes one more): 512 KiB a command keeps well inside the 256 elements of the page. */
#define PVSCSI_MAX_XFER		(128u * PVSCSI_PAGE_SIZE)
#define PVSCSI_IO_TIMEOUT_US	5000000
#define PVSCSI_GRACE_US		3000000	/* after an abort or a device reset */
#define PVSCSI_WATCHDOG_US	500000

_Static_assert(PVSCSI_DEPTH <= PVSCSI_REQ_ENTRIES && PVSCSI_DEPTH <= PVSCSI_CMP_ENTRIES,
	       "every command in flight has a request and a completion slot");

/* Recovery stages of a late command: abort it, reset its LUN, reset bus and adapter. */
#define PVSCSI_STAGE_RUNNING	0
#define PVSCSI_STAGE_ABORTED	1
#define PVSCSI_STAGE_DEV_RESET	2

struct pvscsi_ccb {
	struct pvscsi_ccb *next_free;
	struct scsi_cmd *cmd;
	struct pvscsi_sg_elem *sgl;
	uint64_t sgl_bus;
	uint8_t *sense;
	uint64_t sense_bus;
	uint64_t deadline_us;
	uint32_t index;
	uint8_t busy;
	uint8_t stage;
	uint8_t timed_out;
};

struct pvscsi_softc {
	struct hv_pci_dev *dev;
	char slot[16];
	struct hv_bar *regs;		/* BAR0 */
	int irq_mode;
	struct hv_spinlock lock;

	struct pvscsi_rings_state *rs;
	uint64_t rs_bus;
	struct pvscsi_req_desc *req;
	uint64_t req_bus;
	struct pvscsi_cmp_desc *cmp;
	uint64_t cmp_bus;
	void *sg_mem;			/* PVSCSI_DEPTH SG list pages */
	uint64_t sg_bus;
	void *sense_mem;		/* PVSCSI_DEPTH sense buffers */
	uint64_t sense_bus;

	struct pvscsi_ccb ccbs[PVSCSI_DEPTH];
	struct pvscsi_ccb *ccb_free;

	struct scsi_hba hba;
	struct hv_timer watchdog;
	int stopping;
	int dead;			/* recovery failed: commands are refused */
	uint64_t done_intr, done_poll, timeouts, aborts, dev_resets, adapter_resets;
};

static inline uint32_t pvscsi_read32(struct pvscsi_softc *sc, uint32_t r)
{
	return hv_bar_read32(sc->regs, r);
}

static inline void pvscsi_write32(struct pvscsi_softc *sc, uint32_t r, uint32_t v)
{
	hv_bar_write32(sc->regs, r, v);
}

/* pvscsi_hw.c */
int pvscsi_mem_alloc(struct pvscsi_softc *sc);
void pvscsi_mem_free(struct pvscsi_softc *sc);
int pvscsi_start(struct pvscsi_softc *sc);
void pvscsi_stop(struct pvscsi_softc *sc);
uint32_t pvscsi_adapter_cmd(struct pvscsi_softc *sc, uint32_t cmd, const void *desc,
			    size_t len);

/* pvscsi_ring.c */
int pvscsi_queue(struct scsi_hba *h, struct scsi_cmd *c);
int pvscsi_poll(struct scsi_hba *h);
int pvscsi_complete(struct pvscsi_softc *sc, int from_intr);
void pvscsi_collect_all(struct pvscsi_softc *sc, uint8_t host, struct scsi_done *done);
void pvscsi_fail_all(struct pvscsi_softc *sc, uint8_t host);

/* pvscsi_recover.c */
void pvscsi_watchdog(void *arg);

#endif
