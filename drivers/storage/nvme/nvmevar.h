/*
 * NVMe driver state: one softc per controller, one queue pair for admin commands and one
 * for I/O shared by every namespace, one command control block (ccb) per I/O command id.
 */
#ifndef NVME_VAR_H
#define NVME_VAR_H

#include <hv/ddk.h>

#include "nvmereg.h"

#define NVME_ADMIN_QSIZE	32
#define NVME_IO_QSIZE		256	/* SQ 16 KiB, CQ 4 KiB */
#define NVME_MAX_NS		16
#define NVME_PRPL_ENTRIES	(NVME_PAGE_SIZE / 8)
/* One command moves at most what one PRP list page describes. */
#define NVME_MAX_CMD_BYTES	((uint64_t)NVME_PRPL_ENTRIES * NVME_PAGE_SIZE)
#define NVME_ADMIN_TIMEOUT_US	2000000
#define NVME_IO_TIMEOUT_US	5000000
#define NVME_WATCHDOG_US	500000

struct nvme_softc;

struct nvme_queue {
	uint16_t id;
	uint16_t entries;
	struct nvme_sqe *sq;
	struct nvme_cqe *cq;
	uint64_t sq_bus, cq_bus;
	uint16_t sq_tail, cq_head;
	uint8_t phase;		/* the phase tag of entries not yet consumed */
	uint32_t sq_db, cq_db;	/* doorbell offsets in BAR0 */
};

/*
 * One I/O command. A request larger than the controller's transfer limit is split into
 * several commands; the first one (the parent) carries the request and the count of
 * commands still outstanding.
 */
struct nvme_ccb {
	struct nvme_ccb *next_free;
	struct nvme_ccb *parent;
	struct hv_blkreq *rq;		/* parent only */
	unsigned pending;		/* parent only */
	int status;			/* parent only: first error */
	uint32_t nsid;			/* parent only */
	uint64_t deadline_us;
	uint16_t cid;
	uint8_t busy;
	uint64_t *prpl;			/* this command's PRP list page, built at submit */
	uint64_t prpl_bus;
};

struct nvme_ns {
	struct hv_blkdev bd;
	struct nvme_softc *sc;
	uint32_t nsid;
	uint8_t lba_shift;
	uint8_t registered;
};

struct nvme_softc {
	struct hv_pci_dev *dev;
	char slot[16];
	struct hv_bar *regs;		/* BAR0 */
	uint64_t cap;
	uint32_t dstrd;		/* doorbell stride in bytes */
	uint64_t ready_timeout_us;
	uint64_t max_cmd_bytes;	/* from MDTS, capped at NVME_MAX_CMD_BYTES */
	int irq_mode;
	int irq_on;
	uint8_t vwc;		/* volatile write cache present */
	struct hv_spinlock lock;

	struct nvme_queue admq;
	struct nvme_queue ioq;
	unsigned io_depth;	/* commands the I/O queue holds at once */

	uint32_t adm_dw0;	/* dword 0 of the last admin completion */
	uint8_t adm_opcode;	/* the admin command in flight, for its error message */

	struct nvme_ccb *ccbs;
	struct nvme_ccb *ccb_free;
	unsigned ccb_nfree;
	void *prpl_mem;
	uint64_t prpl_bus;

	void *ident;		/* one DMA page for IDENTIFY data */
	uint64_t ident_bus;

	struct nvme_ns ns[NVME_MAX_NS];
	unsigned nns;
	uint32_t nn;		/* IDENTIFY controller: number of namespaces */

	struct hv_timer watchdog;
	int stopping;
	int dead;		/* a reset failed: requests are refused */
	/* The recovery engine (nvme_recover.c): its step, when the step began, its timer. */
	int rec;
	uint64_t rec_t0;
	struct hv_timer rec_timer;
	uint64_t resets, timeouts, errors;
};

static inline uint32_t nvme_read32(struct nvme_softc *sc, uint32_t r)
{
	return hv_bar_read32(sc->regs, r);
}

static inline void nvme_write32(struct nvme_softc *sc, uint32_t r, uint32_t v)
{
	hv_bar_write32(sc->regs, r, v);
}

/* 3.1: 64-bit registers may be accessed as two 32-bit halves, low first. */
static inline uint64_t nvme_read64(struct nvme_softc *sc, uint32_t r)
{
	uint64_t lo = hv_bar_read32(sc->regs, r);

	return lo | (uint64_t)hv_bar_read32(sc->regs, r + 4) << 32;
}

static inline void nvme_write64(struct nvme_softc *sc, uint32_t r, uint64_t v)
{
	hv_bar_write32(sc->regs, r, (uint32_t)v);
	hv_bar_write32(sc->regs, r + 4, (uint32_t)(v >> 32));
}

/* nvme_hw.c: queue memory, controller enable/disable/shutdown, admin commands */
int nvme_queues_alloc(struct nvme_softc *sc);
void nvme_queues_free(struct nvme_softc *sc);
void nvme_enable_start(struct nvme_softc *sc);
int nvme_enable(struct nvme_softc *sc);
int nvme_disable(struct nvme_softc *sc);
void nvme_shutdown(struct nvme_softc *sc);
void nvme_create_cq_cmd(struct nvme_softc *sc, struct nvme_sqe *cmd);
void nvme_create_sq_cmd(struct nvme_softc *sc, struct nvme_sqe *cmd);
int nvme_io_queues_create(struct nvme_softc *sc);
int nvme_identify(struct nvme_softc *sc, uint32_t cns, uint32_t nsid);
void nvme_admin_submit(struct nvme_softc *sc, struct nvme_sqe *cmd);
int nvme_admin_poll(struct nvme_softc *sc);
int nvme_admin_masks(const struct nvme_softc *sc);

/* nvme_ring.c: the I/O path, completion and timeout recovery */
/* Every ccb free, each with its own PRP list page. */
void nvme_ccb_init(struct nvme_softc *sc);
int nvme_submit(struct hv_blkdev *bd, struct hv_blkreq *rq);
int nvme_poll(struct hv_blkdev *bd);
int nvme_complete_io(struct nvme_softc *sc);
void nvme_watchdog(void *arg);
void nvme_fail_all(struct nvme_softc *sc, int status);
/* Lock held: take every request in flight off the controller, each with status. */
void nvme_collect_all(struct nvme_softc *sc, int status, struct hv_blkreq_list *done);

/* nvme_recover.c: controller reset after a timeout, one step per timer tick */
enum { NVME_REC_IDLE, NVME_REC_DISABLE, NVME_REC_ENABLE, NVME_REC_CREATE_CQ, NVME_REC_CREATE_SQ };
void nvme_recover_start(struct nvme_softc *sc);
void nvme_recover_cancel(struct nvme_softc *sc);

#endif
