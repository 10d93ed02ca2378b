/*
 * AHCI driver state: one softc per HBA, one port structure per implemented port with a
 * disk, one slot per command slot. Reads and writes are READ/WRITE FPDMA QUEUED (NCQ) when
 * the HBA (CAP.SNCQ) and the disk (IDENTIFY word 76) support it, else READ/WRITE DMA EXT,
 * which the HBA runs one after the other (AHCI 1.3.1, 5.3.2). FLUSH CACHE EXT is never
 * queued: it waits until no NCQ command is outstanding, and NCQ commands wait behind it.
 */
#ifndef AHCI_VAR_H
#define AHCI_VAR_H

#include <hv/ddk.h>

#include "ahcireg.h"

#define AHCI_NSLOTS		32
#define AHCI_CMD_TIMEOUT_US	5000000
#define AHCI_WATCHDOG_US	500000
#define AHCI_MAX_REQ_BLOCKS	ATA_MAX_SECTORS_EXT

struct ahci_softc;

struct ahci_port {
	struct hv_blkdev bd;
	struct ahci_softc *sc;
	unsigned num;
	uint32_t regs;				/* its registers' offset in the ABAR */
	int registered;
	unsigned nslots;

	/* One DMA page: command list (1 KiB) then the received-FIS area. */
	void *clfis;
	uint64_t clfis_bus;
	struct ahci_cmd_hdr *cl;
	/* Command tables, one per slot, each pointed to by its header from attach on. */
	struct ahci_cmd_table *ct;
	uint64_t ct_bus;

	int ncq;
	unsigned ncq_depth;			/* IDENTIFY word 75 */
	uint32_t active;			/* slots issued to the HBA */
	uint32_t nonq;				/* of those, non-queued commands */
	/* Requests accepted but not yet issued (ordering around a flush), FIFO through
	 * driver_private. */
	struct hv_blkreq *defer_head, **defer_tail;
	unsigned ndefer;
	struct hv_blkreq *rq[AHCI_NSLOTS];
	uint64_t deadline_us[AHCI_NSLOTS];
	uint32_t bytes[AHCI_NSLOTS];		/* the transfer PRDBC must reach */
	uint32_t ie;				/* PxIE to restore after a COMRESET */
	/* Recovery in steps (ahci_recover.c): the step (AHCI_REC_IDLE: none), since when,
	 * whether a COMRESET is due, the slots to issue again one at a time once the port
	 * runs, whether one of them is a failed NCQ command not yet identified, and the
	 * slots to fail (with which status) once the engine stopped. */
	int rec;
	uint64_t rec_t0;
	int rec_comreset;
	uint32_t rec_redo;
	int rec_ncq_failed;
	uint32_t rec_fail;
	int rec_fail_status;
	struct hv_timer rec_timer;
	int dead;
	uint64_t errors, timeouts, resets;
	char model[41];
};

struct ahci_softc {
	struct hv_pci_dev *dev;
	char slot[16];
	struct hv_bar *regs;			/* the ABAR */
	uint32_t cap;
	int irq_mode;
	struct hv_spinlock lock;
	struct hv_timer watchdog;
	int stopping;
	struct ahci_port *ports[AHCI_MAX_PORTS];
	int fw_reported;			/* the first disk's firmware went to the DDK */
};

/* Set bits in m (no libgcc in a module: __builtin_popcount may call it). */
static inline unsigned ahci_count(uint32_t m)
{
	unsigned n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

#ifdef HV_DEFECT_SWALLOW_EIO	/* certify self-test defect: the failed command completes as success */
#define AHCI_EIO	0
#else
#define AHCI_EIO	(-HV_EIO)	/* the status of a command the device failed */
#endif

static inline uint32_t ahci_read(struct ahci_softc *sc, uint32_t r)
{
	return hv_bar_read32(sc->regs, r);
}

static inline void ahci_write(struct ahci_softc *sc, uint32_t r, uint32_t v)
{
	hv_bar_write32(sc->regs, r, v);
}

static inline uint32_t ahci_pread(struct ahci_port *ap, uint32_t r)
{
	return hv_bar_read32(ap->sc->regs, ap->regs + r);
}

static inline void ahci_pwrite(struct ahci_port *ap, uint32_t r, uint32_t v)
{
	hv_bar_write32(ap->sc->regs, ap->regs + r, v);
}

/* ahci_hw.c: port engine, reset and recovery, command tables, attach */
int ahci_port_attach(struct ahci_softc *sc, unsigned num);
int ahci_port_stop(struct ahci_port *ap, int fis);
int ahci_port_recover(struct ahci_port *ap, int comreset);
void ahci_fill(struct ahci_port *ap, unsigned slot, uint8_t cmd, uint64_t lba, uint32_t count,
	       uint64_t bus, uint64_t bytes, int write);

void ahci_port_setup_dma(struct ahci_port *ap);

/* ahci_recover.c: port recovery in steps, from any context (lock held to start) */
enum { AHCI_REC_IDLE, AHCI_REC_DRAIN, AHCI_REC_STOP, AHCI_REC_FRE, AHCI_REC_HOLD, AHCI_REC_LINK, AHCI_REC_START };
void ahci_recover_start(struct ahci_port *ap, int comreset, uint32_t redo, int ncq_failed,
			uint32_t fail, int fail_status, struct hv_blkreq_list *done);
void ahci_recover_cancel(struct ahci_port *ap);

/* ahci_ring.c: requests, completion, errors and timeouts, detach */
void ahci_take(struct ahci_port *ap, uint32_t mask, int status, struct hv_blkreq_list *done);
void ahci_take_deferred(struct ahci_port *ap, int status, struct hv_blkreq_list *done);
void ahci_kick(struct ahci_port *ap);
void ahci_port_detach(struct ahci_port *ap);
int ahci_port_intr(struct ahci_port *ap);
void ahci_port_watchdog(struct ahci_port *ap, uint64_t now);
int ahci_submit(struct hv_blkdev *bd, struct hv_blkreq *rq);
int ahci_poll(struct hv_blkdev *bd);

#endif
