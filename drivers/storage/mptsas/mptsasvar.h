/*
 * Fusion-MPT SAS driver state: one softc per IOC, one command control block (ccb) per
 * request frame, the reply frames the IOC writes address replies into, and the shared
 * SCSI layer's HBA (drivers/scsi) that scans and registers the disks.
 */
#ifndef MPTSAS_VAR_H
#define MPTSAS_VAR_H

#include <hv/ddk.h>

#include "../../scsi/scsivar.h"
#include "mptsasreg.h"

/* Commands in flight. QEMU's IOC takes 128 request frames (GlobalCredits) and holds 128
 * reply FIFO entries; a smaller IOC Facts answer makes the depth smaller. */
#define MPTSAS_MAX_DEPTH	64
/* Reply frames: one per command that may end with an address reply, one for the task
 * management request, a few spare. Never more than the reply FIFO holds. */
#define MPTSAS_NREPLY		(MPTSAS_MAX_DEPTH + 4)
#define MPTSAS_REPLY_SIZE	128	/* bytes; the largest reply used is 36 */
/* Request frames: the IOC Facts RequestFrameSize, between these bounds. */
#define MPTSAS_FRAME_MIN	((uint32_t)sizeof(struct mpi_scsi_io))
#define MPTSAS_FRAME_MAX	1024u
/* One simple SGE a command (the buffer is contiguous on the bus): 24 bits of length
 * allow far more; 512 KiB keeps a command's time bounded. */
#define MPTSAS_MAX_XFER		(512u * 1024u)
#define MPTSAS_MAX_TARGETS	256	/* an 8-bit TargetID */
#define MPTSAS_MAX_LUNS		8
#define MPTSAS_IO_TIMEOUT_US	5000000
#define MPTSAS_GRACE_US		3000000	/* after an abort */
#define MPTSAS_WATCHDOG_US	500000
#define MPTSAS_HS_TIMEOUT_US	1000000	/* one handshake step */
#define MPTSAS_READY_TIMEOUT_US	5000000	/* reset to READY (MPI 1.5 3.5: seconds on silicon) */

/* MsgContext: 1..depth for ccbs, then the task management frame. */
#define MPTSAS_CTX_TM		(MPTSAS_MAX_DEPTH + 1)
#define MPTSAS_NFRAMES		(MPTSAS_MAX_DEPTH + 1)

_Static_assert(MPTSAS_NREPLY <= 128, "QEMU's reply free FIFO holds 128 frames");
_Static_assert(MPTSAS_REPLY_SIZE >= sizeof(struct mpi_scsi_io_reply), "a SCSI IO reply fits");

/* Recovery stages of a late command: abort it, then reset the IOC. */
#define MPTSAS_STAGE_RUNNING	0
#define MPTSAS_STAGE_ABORTED	1

struct mptsas_ccb {
	struct mptsas_ccb *next_free;
	struct scsi_cmd *cmd;
	struct mpi_scsi_io *frame;
	uint64_t frame_bus;
	uint8_t *sense;
	uint64_t sense_bus;
	uint64_t deadline_us;
	uint32_t index;
	uint8_t busy;
	uint8_t stage;
	uint8_t timed_out;
};

struct mptsas_softc {
	struct hv_pci_dev *dev;
	char slot[16];
	struct hv_bar *regs;		/* BAR1 (memory) or BAR0 (I/O) */
	int irq_mode;
	struct hv_spinlock lock;

	/* From IOC Facts. */
	uint32_t frame_size;		/* bytes */
	unsigned depth;
	unsigned nreply;		/* reply frames handed to the IOC */
	unsigned max_targets;
	uint16_t product_id;
	uint8_t fw[4];			/* major, minor, unit, dev */

	/* One DMA area: request frames, reply frames, sense buffers; one high word. */
	void *mem;
	uint64_t mem_bus;
	size_t mem_size;
	uint8_t *replies;
	uint64_t replies_bus;

	struct mptsas_ccb ccbs[MPTSAS_MAX_DEPTH];
	struct mptsas_ccb *ccb_free;
	struct mpi_task_mgmt *tm;
	uint64_t tm_bus;
	int tm_busy;

	struct scsi_hba hba;
	struct hv_timer watchdog;
	int stopping;
	int dead;			/* recovery failed: commands are refused */
	uint64_t done_intr, done_poll, addr_replies, timeouts, aborts, ioc_resets;
};

static inline uint32_t mptsas_read32(struct mptsas_softc *sc, uint32_t r)
{
	return hv_bar_read32(sc->regs, r);
}

static inline void mptsas_write32(struct mptsas_softc *sc, uint32_t r, uint32_t v)
{
	hv_bar_write32(sc->regs, r, v);
}

/* mptsas_ioc.c */
int mptsas_ioc_reset(struct mptsas_softc *sc);
int mptsas_ioc_facts(struct mptsas_softc *sc, int first);
int mptsas_ioc_start(struct mptsas_softc *sc);
void mptsas_ioc_stop(struct mptsas_softc *sc);
int mptsas_mem_alloc(struct mptsas_softc *sc);
void mptsas_mem_free(struct mptsas_softc *sc);

/* mptsas_ring.c */
void mptsas_ccb_init(struct mptsas_softc *sc);
int mptsas_queue(struct scsi_hba *h, struct scsi_cmd *c);
int mptsas_poll(struct scsi_hba *h);
int mptsas_complete(struct mptsas_softc *sc, int from_intr);
void mptsas_collect_all(struct mptsas_softc *sc, uint8_t host, struct scsi_done *done);
void mptsas_fail_all(struct mptsas_softc *sc, uint8_t host);

/* mptsas_recover.c */
void mptsas_watchdog(void *arg);
void mptsas_watchdog_stop(struct mptsas_softc *sc);

#endif
