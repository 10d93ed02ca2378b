/*
 * The shared SCSI command layer, compiled into every SCSI HBA module (a module cannot link
 * another). The HBA driver moves commands (struct scsi_cmd) to targets and back; this layer
 * builds and parses the commands, scans targets and LUNs, registers one blkdev per disk
 * LUN, turns block requests into READ/WRITE/SYNCHRONIZE CACHE commands and their results
 * (SCSI status, sense data, the HBA's own verdict) into HV_E* codes.
 */
#ifndef SCSI_H
#define SCSI_H

#include <hv/ddk.h>

#include "scsireg.h"

/* The scan's data buffer: one DMA page, more than REPORT LUNS, INQUIRY or READ CAPACITY
 * return for the LUNs it asks about. */
#define SCSI_SCRATCH_SIZE	HV_PAGE_SIZE
/* The logical block sizes a disk may have (the blkdev contract, hv/blkdev.h). */
#define SCSI_BLOCK_SMALL	512
#define SCSI_BLOCK_LARGE	4096

#define SCSI_DIR_NONE		0
#define SCSI_DIR_IN		1	/* device to memory */
#define SCSI_DIR_OUT		2	/* memory to device */

/* What the HBA says about delivering a command, apart from the target's status byte. */
#define SCSI_HOST_OK		0	/* delivered; status and sense are the target's */
#define SCSI_HOST_NO_TARGET	1	/* selection timeout: nothing at that target ID */
#define SCSI_HOST_ABORTED	2	/* aborted (by us, after a timeout) */
#define SCSI_HOST_RESET		3	/* lost in a device, bus or adapter reset */
#define SCSI_HOST_ERROR		4	/* any other adapter failure */
#define SCSI_HOST_GONE		5	/* the adapter is being removed */

#define SCSI_MAX_DISKS		32	/* disks one HBA registers */
#define SCSI_MAX_LUNS		16	/* LUNs per target taken from REPORT LUNS */
_Static_assert(SCSI_RL_HDR + 8 * SCSI_MAX_LUNS <= SCSI_SCRATCH_SIZE, "REPORT LUNS data fits the scratch page");
#define SCSI_SYNC_TIMEOUT_US	30000000ull	/* longer than any HBA's abort/reset sequence */
#define SCSI_UA_RETRIES		4	/* a command is retried after UNIT ATTENTION */

struct scsi_hba;

struct scsi_cmd {
	/* Set by the layer before queueing. */
	uint8_t cdb[16];
	uint8_t cdb_len;
	uint8_t dir;			/* SCSI_DIR_* */
	uint16_t target;
	uint8_t lun[8];			/* SAM-5 4.6 eight-byte LUN, as REPORT LUNS lists it */
	uint64_t data_bus;		/* physically contiguous data buffer */
	uint32_t data_len;
	/* Set by the HBA before done(). */
	uint8_t host;			/* SCSI_HOST_* */
	uint8_t status;			/* SAM-5 status byte (valid with SCSI_HOST_OK) */
	uint8_t underrun;		/* fewer bytes moved than data_len */
	uint8_t sense_len;		/* bytes of sense[] valid (CHECK CONDITION) */
	uint8_t sense[SCSI_SENSE_MAX];
	/* Completion, called once by the HBA outside its locks. */
	void (*done)(struct scsi_cmd *c);
	/* The layer's bookkeeping. */
	struct scsi_cmd *next;		/* free list, or the list of finished block requests */
	struct scsi_cmd *parent;	/* first command of a block request split in parts */
	struct hv_blkreq *rq;		/* parent only */
	struct scsi_disk *disk;
	unsigned pending;		/* parent only: parts outstanding */
	int error;			/* parent only: first error */
	int op;				/* HV_BLK_* of a block request part, -1 otherwise */
	uint64_t lba;			/* a block request part: what it moves */
	uint32_t nblocks;
	uint64_t part_bus;		/* ... and where (data_bus is reused by REQUEST SENSE) */
	unsigned retries;
	uint8_t sensing;		/* REQUEST SENSE in flight for this command */
	uint8_t sensed;			/* ... and done: never twice */
	volatile uint8_t sync_done;
	uint8_t busy;
	uint8_t *rs;			/* this command's REQUEST SENSE buffer (DMA) */
	uint64_t rs_bus;
	void *hba_private;		/* the HBA's, while queued */
};

struct scsi_hba_ops {
	/* Start c. 0 when queued (c->done follows exactly once), -HV_EAGAIN when the HBA is
	 * full, another error when it cannot start (done is then not called). */
	int (*queue)(struct scsi_hba *h, struct scsi_cmd *c);
	/* Complete what the HBA finished (also with interrupts off); returns how many. */
	int (*poll)(struct scsi_hba *h);
};

struct scsi_disk {
	struct hv_blkdev bd;
	struct scsi_hba *hba;
	uint16_t target;
	uint8_t lun[8];
	uint16_t lun_id;		/* for log lines */
	uint8_t use_rw16;		/* capacity beyond READ(10)'s reach */
	uint8_t registered;
	char vendor[9], product[17];
};

struct scsi_hba {
	/* Filled by the HBA driver before scsi_hba_attach(). */
	const char *drvname;		/* log prefix, "pvscsi" */
	char slot[16];
	const struct scsi_hba_ops *ops;
	void *priv;
	struct hv_pci_dev *pci;
	unsigned max_target;		/* target IDs 0 .. max_target - 1 */
	unsigned max_lun;		/* LUNs tried when REPORT LUNS is refused */
	unsigned initiator_id;		/* skipped by the scan; >= max_target when none */
	unsigned queue_depth;		/* commands the HBA holds at once */
	uint32_t max_xfer;		/* bytes one command moves */
	/* The layer's. */
	struct hv_spinlock lock;
	struct scsi_cmd *cmds;
	struct scsi_cmd *free;
	unsigned nfree;
	void *rs_mem;			/* REQUEST SENSE buffers, SCSI_SENSE_MAX per command */
	uint64_t rs_bus;
	void *scratch;			/* one DMA page for the scan's data */
	uint64_t scratch_bus;
	struct scsi_disk *disks[SCSI_MAX_DISKS];
	unsigned ndisks;
	uint64_t errors, retries;
	int fw_reported;		/* the first disk's revision went to the DDK */
};

/* scsi_cdb.c: builders return the CDB length; parsers take the returned data. */
unsigned scsi_cdb_test_unit_ready(uint8_t *cdb);
unsigned scsi_cdb_inquiry(uint8_t *cdb, uint16_t alloc);
unsigned scsi_cdb_request_sense(uint8_t *cdb, uint8_t alloc);
unsigned scsi_cdb_report_luns(uint8_t *cdb, uint32_t alloc);
unsigned scsi_cdb_read_capacity10(uint8_t *cdb);
unsigned scsi_cdb_read_capacity16(uint8_t *cdb, uint32_t alloc);
unsigned scsi_cdb_rw(uint8_t *cdb, int write, uint64_t lba, uint32_t nblocks);
unsigned scsi_cdb_sync_cache(uint8_t *cdb);
void scsi_parse_capacity10(const uint8_t *d, uint64_t *nblocks, uint32_t *block_size);
void scsi_parse_capacity16(const uint8_t *d, uint64_t *nblocks, uint32_t *block_size);
unsigned scsi_parse_report_luns(const uint8_t *d, uint32_t len, uint8_t (*luns)[8],
				unsigned max);
uint16_t scsi_lun_id(const uint8_t *lun);
void scsi_lun_from_id(uint8_t *lun, uint16_t id);
void scsi_ascii(char *dst, const uint8_t *src, unsigned n);

struct scsi_sense {
	uint8_t valid, key, asc, ascq;
};
/* Decode fixed or descriptor sense data; valid = 0 when it is neither. */
struct scsi_sense scsi_sense_decode(const uint8_t *s, unsigned len);
/* The HV_E* code for a finished command: 0 when it succeeded. */
int scsi_cmd_errno(const struct scsi_cmd *c);

/* scsi_disk.c */
int scsi_cmd_pool_init(struct scsi_hba *h);
void scsi_cmd_pool_free(struct scsi_hba *h);
struct scsi_cmd *scsi_cmd_get(struct scsi_hba *h);
void scsi_cmd_put(struct scsi_hba *h, struct scsi_cmd *c);
int scsi_disk_submit(struct hv_blkdev *bd, struct hv_blkreq *rq);
int scsi_disk_poll(struct hv_blkdev *bd);

/*
 * Finished commands an HBA collects under its lock, linked through hba_private, and
 * completes with scsi_done_complete once the lock is dropped: done() may queue again.
 */
struct scsi_done {
	struct scsi_cmd *head, **tail;
	unsigned count;
};
void scsi_done_init(struct scsi_done *d);
void scsi_done_add(struct scsi_done *d, struct scsi_cmd *c);
/* Call done() on every command of d, in order (hba_private cleared first); d is empty after. */
void scsi_done_complete(struct scsi_done *d);
/* The result of a command the HBA takes back unanswered (a reset, a removal): host status
 * host, or SCSI_HOST_ABORTED when it had timed out; no SCSI status, sense or residue. */
void scsi_cmd_unanswered(struct scsi_cmd *c, uint8_t host, bool timed_out);

/* scsi_scan.c */
int scsi_exec(struct scsi_hba *h, struct scsi_cmd *c);
/* Allocate, scan every target and LUN, register one blkdev per disk. The number of disks,
 * or -HV_Exxx (then nothing is left allocated). */
int scsi_hba_attach(struct scsi_hba *h);
/* Unregister the disks: no new requests from the storage stack. */
void scsi_hba_unregister(struct scsi_hba *h);
/* Free what attach allocated; every command must have completed (the HBA failed them). */
void scsi_hba_free(struct scsi_hba *h);

#endif
