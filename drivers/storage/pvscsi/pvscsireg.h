/*
 * VMware paravirtual SCSI (PVSCSI) adapter: registers, adapter commands and the shared
 * ring structures, as QEMU's device model (hw/scsi/vmw_pvscsi.[ch]) and VMware's header
 * define them. All structures are little-endian and packed; their sizes are part of the
 * device interface and checked below.
 */
#ifndef PVSCSIREG_H
#define PVSCSIREG_H

#include <stdint.h>

#define PVSCSI_VENDOR_VMWARE	0x15ad
#define PVSCSI_DEVICE		0x07c0
#define PVSCSI_CLASS		0x010000	/* mass storage, SCSI */

#define PVSCSI_PAGE_SIZE	4096
#define PVSCSI_PAGE_SHIFT	12

/* BAR0 (memory, 32 KiB): 32-bit registers. */
#define PVSCSI_REG_COMMAND		0x0000	/* write an adapter command ... */
#define PVSCSI_REG_COMMAND_DATA		0x0004	/* ... then its descriptor, 32 bits at a time */
#define PVSCSI_REG_COMMAND_STATUS	0x0008	/* the command's result */
#define PVSCSI_REG_INTR_STATUS		0x100c	/* pending causes; write 1s to clear */
#define PVSCSI_REG_INTR_MASK		0x2010	/* enabled causes */
#define PVSCSI_REG_KICK_NON_RW_IO	0x3014	/* "new requests" doorbells */
#define PVSCSI_REG_KICK_RW_IO		0x4018
#define PVSCSI_BAR0_MIN_SIZE		0x5000

/* COMMAND_STATUS values. */
#define PVSCSI_CMD_STATUS_OK		0u
#define PVSCSI_CMD_STATUS_FAILED	0xffffffffu	/* -1 */
#define PVSCSI_CMD_STATUS_NEED_DATA	0xfffffffeu	/* -2: descriptor incomplete */

/* INTR_STATUS / INTR_MASK bits. */
#define PVSCSI_INTR_CMPL_0		(1u << 0)
#define PVSCSI_INTR_CMPL_1		(1u << 1)
#define PVSCSI_INTR_CMPL_MASK		0x3u
#define PVSCSI_INTR_MSG_MASK		0xcu

/* Adapter commands (written to COMMAND). */
#define PVSCSI_CMD_ADAPTER_RESET	1
#define PVSCSI_CMD_SETUP_RINGS		3
#define PVSCSI_CMD_RESET_BUS		4
#define PVSCSI_CMD_RESET_DEVICE		5
#define PVSCSI_CMD_ABORT_CMD		6

/* Descriptor of PVSCSI_CMD_SETUP_RINGS: page counts are powers of two, 1..32. */
#define PVSCSI_SETUP_RINGS_MAX_PAGES	32
struct pvscsi_desc_setup_rings {
	uint32_t req_ring_pages;
	uint32_t cmp_ring_pages;
	uint64_t rings_state_ppn;
	uint64_t req_ring_ppns[PVSCSI_SETUP_RINGS_MAX_PAGES];
	uint64_t cmp_ring_ppns[PVSCSI_SETUP_RINGS_MAX_PAGES];
} __attribute__((packed));

/* Descriptor of PVSCSI_CMD_RESET_DEVICE. */
struct pvscsi_desc_reset_device {
	uint32_t target;
	uint8_t lun[8];
} __attribute__((packed));

/* Descriptor of PVSCSI_CMD_ABORT_CMD: the context of the request to abort. */
struct pvscsi_desc_abort_cmd {
	uint64_t context;
	uint32_t target;
	uint32_t pad;
} __attribute__((packed));

/* The rings state page: producer/consumer indices, free-running, masked by the ring size. */
struct pvscsi_rings_state {
	uint32_t req_prod;		/* driver writes */
	uint32_t req_cons;		/* device writes */
	uint32_t req_entries_log2;	/* device writes at SETUP_RINGS */
	uint32_t cmp_prod;		/* device writes */
	uint32_t cmp_cons;		/* driver writes */
	uint32_t cmp_entries_log2;
	uint8_t pad[104];
	uint32_t msg_prod, msg_cons, msg_entries_log2;
} __attribute__((packed));

/* Request descriptor (128 bytes, 32 per page). context must be non-zero and < 2^32. */
#define PVSCSI_FLAG_CMD_WITH_SG_LIST	(1u << 0)	/* data_addr is an SG list */
#define PVSCSI_FLAG_CMD_DIR_NONE	(1u << 2)
#define PVSCSI_FLAG_CMD_DIR_TOHOST	(1u << 3)	/* device to memory */
#define PVSCSI_FLAG_CMD_DIR_TODEVICE	(1u << 4)
struct pvscsi_req_desc {
	uint64_t context;
	uint64_t data_addr;
	uint64_t data_len;
	uint64_t sense_addr;
	uint32_t sense_len;
	uint32_t flags;
	uint8_t cdb[16];
	uint8_t cdb_len;
	uint8_t lun[8];
	uint8_t tag;
	uint8_t bus;
	uint8_t target;
	uint8_t vcpu_hint;
	uint8_t unused[59];
} __attribute__((packed));

/* Scatter-gather element; the elements of one list lie in one page. */
struct pvscsi_sg_elem {
	uint64_t addr;
	uint32_t length;
	uint32_t flags;
} __attribute__((packed));

/* Completion descriptor (32 bytes, 128 per page). */
struct pvscsi_cmp_desc {
	uint64_t context;
	uint64_t data_len;
	uint32_t sense_len;
	uint16_t host_status;
	uint16_t scsi_status;
	uint32_t pad[2];
} __attribute__((packed));

/* host_status: BusLogic-style adapter status codes. */
#define PVSCSI_BTSTAT_SUCCESS		0x00
#define PVSCSI_BTSTAT_LINKED_DONE	0x0a
#define PVSCSI_BTSTAT_LINKED_DONE_FLAG	0x0b
#define PVSCSI_BTSTAT_DATA_UNDERRUN	0x0c
#define PVSCSI_BTSTAT_SELTIMEO		0x11	/* no device at that target */
#define PVSCSI_BTSTAT_DATARUN		0x12	/* data over- or underrun */
#define PVSCSI_BTSTAT_SENTRST		0x22
#define PVSCSI_BTSTAT_RECVRST		0x23
#define PVSCSI_BTSTAT_BUSRESET		0x25
#define PVSCSI_BTSTAT_ABORTQUEUE	0x26

#define PVSCSI_REQ_PER_PAGE	(PVSCSI_PAGE_SIZE / sizeof(struct pvscsi_req_desc))
#define PVSCSI_CMP_PER_PAGE	(PVSCSI_PAGE_SIZE / sizeof(struct pvscsi_cmp_desc))
#define PVSCSI_SG_PER_PAGE	(PVSCSI_PAGE_SIZE / sizeof(struct pvscsi_sg_elem))

_Static_assert(sizeof(struct pvscsi_desc_setup_rings) == 528, "SETUP_RINGS descriptor");
_Static_assert(sizeof(struct pvscsi_desc_reset_device) == 12, "RESET_DEVICE descriptor");
_Static_assert(sizeof(struct pvscsi_desc_abort_cmd) == 16, "ABORT_CMD descriptor");
_Static_assert(sizeof(struct pvscsi_rings_state) == 140, "rings state");
_Static_assert(sizeof(struct pvscsi_req_desc) == 128, "request descriptor");
_Static_assert(sizeof(struct pvscsi_sg_elem) == 16, "SG element");
_Static_assert(sizeof(struct pvscsi_cmp_desc) == 32, "completion descriptor");

#endif
