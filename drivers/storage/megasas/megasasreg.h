/*
 * LSI MegaRAID SAS, MFI ("MegaRAID Firmware Interface") controllers: the register set, the
 * firmware states, and the message frames, as the SAS 1078 (QEMU `-device megasas`,
 * 1000:0060) and SAS 2108 (`-device megasas-gen2`, 1000:0079) take them. Offsets, values
 * and layouts are those of QEMU's device model (hw/scsi/megasas.c, hw/scsi/mfi.h, after
 * FreeBSD's mfireg.h). All structures are little-endian and packed; their sizes are part of
 * the device interface and checked below.
 */
#ifndef MEGASASREG_H
#define MEGASASREG_H

#include <stdint.h>

#define MEGASAS_VENDOR_LSI	0x1000
#define MEGASAS_DEVICE_1078	0x0060	/* SAS 1078, "megasas" */
#define MEGASAS_DEVICE_2108	0x0079	/* SAS 2108, "megasas-gen2" */
#define MEGASAS_DEVICE_1078DE	0x007c	/* SAS 1078DE: the 1078's MFI registers */
#define MEGASAS_CLASS		0x010400	/* mass storage, RAID */

/* The memory BAR of 32-bit registers: BAR0 on the 1078, BAR1 on the 2108 (BAR0 is I/O). */
#define MEGASAS_BAR_1078	0
#define MEGASAS_BAR_2108	1
#define MEGASAS_BAR_MIN_SIZE	0x100

#define MFI_REG_OMSG0		0x18	/* outbound message 0: firmware state (below) */
#define MFI_REG_IDB		0x20	/* inbound doorbell: MFI_FWINIT_* */
#define MFI_REG_OSTS		0x30	/* outbound interrupt status */
#define MFI_REG_OMSK		0x34	/* outbound interrupt mask */
#define MFI_REG_IQP		0x40	/* inbound queue port: frame address | count << 1 */
#define MFI_REG_ODCR0		0xa0	/* outbound doorbell clear (1078 and later) */
#define MFI_REG_IQPL		0xc0	/* inbound queue port, low and high words (64-bit) */
#define MFI_REG_IQPH		0xc4

/* OSTS bits that say "replies posted": the 1078 sets bit 31 (and bit 0 in QEMU), the 2108
 * bit 0. */
#define MFI_OSTS_1078_RM	0x80000000u
#define MFI_OSTS_GEN2_RM	0x00000001u
/* OMSK: the enable masks the Linux and BSD drivers write. An all-ones mask turns the
 * outbound interrupt off; QEMU's model also resets its firmware to READY then. */
#define MFI_OMSK_1078_ENABLE	(~0x80000004u)
#define MFI_OMSK_GEN2_ENABLE	(~0x00000005u)
#define MFI_OMSK_DISABLE	0xffffffffu

/* OMSG0: state in the top nibble, max SG elements in bits 16..23, max commands in 0..15. */
#define MFI_FWSTATE_MASK		0xf0000000u
#define MFI_FWSTATE_UNDEFINED		0x00000000u
#define MFI_FWSTATE_WAIT_HANDSHAKE	0x60000000u
#define MFI_FWSTATE_BOOT_MSG_PENDING	0x90000000u
#define MFI_FWSTATE_READY		0xb0000000u
#define MFI_FWSTATE_OPERATIONAL		0xc0000000u
#define MFI_FWSTATE_FAULT		0xf0000000u
#define MFI_FWSTATE_MSIX_SUPPORTED	0x04000000u
#define MFI_FWSTATE_MAXSGL(v)		(((v) >> 16) & 0xffu)
#define MFI_FWSTATE_MAXCMD(v)		((v) & 0xffffu)

/* IDB: the doorbell that drives the firmware back to READY (an adapter reset). */
#define MFI_FWINIT_ABORT		0x00000001u	/* abort every pending command */
#define MFI_FWINIT_READY		0x00000002u	/* OPERATIONAL -> READY */
#define MFI_FWINIT_CLEAR_HANDSHAKE	0x00000008u

/* Frame commands (header.frame_cmd). */
#define MFI_CMD_INIT		0x00
#define MFI_CMD_PD_SCSI_IO	0x04	/* SCSI pass-through to a physical device */
#define MFI_CMD_DCMD		0x05	/* direct (firmware) command */
#define MFI_CMD_ABORT		0x06

/* DCMD opcodes. */
#define MFI_DCMD_CTRL_GET_INFO	0x01010000u
#define MFI_DCMD_PD_GET_LIST	0x02010000u
#define MFI_PD_QUERY_EXPOSED	5	/* mbox[0] of PD_GET_LIST: devices the host sees */

/* Frame flags (header.flags). */
#define MFI_FRAME_SGL64		0x0002
#define MFI_FRAME_SENSE64	0x0004
#define MFI_FRAME_DIR_WRITE	0x0008
#define MFI_FRAME_DIR_READ	0x0010

/* Command status (header.cmd_status). 0xff is never returned: it marks "not done yet". */
#define MFI_STAT_OK			0x00
#define MFI_STAT_INVALID_CMD		0x01
#define MFI_STAT_INVALID_PARAMETER	0x03
#define MFI_STAT_ABORT_NOT_POSSIBLE	0x05
#define MFI_STAT_DEVICE_NOT_FOUND	0x0c
#define MFI_STAT_MEMORY_NOT_AVAILABLE	0x20
#define MFI_STAT_SCSI_DONE_WITH_ERROR	0x2d	/* scsi_status and the sense say what */
#define MFI_STAT_SCSI_IO_FAILED		0x2e	/* QEMU: the command was aborted */
#define MFI_STAT_PENDING		0xff

/* Frames: the device reads 64 bytes of header and command, then the SG list behind it.
 * QEMU maps MEGASAS_FRAME_MAP bytes at every frame address (128 SG slots of 16 bytes) and
 * drops the low 5 bits of the queue port write, so frames are 32-byte aligned at least. */
#define MFI_FRAME_ALIGN		64
#define MEGASAS_FRAME_MAP	2048
#define MFI_SENSE_LEN		128

struct mfi_sg64 {
	uint64_t addr;
	uint32_t len;
} __attribute__((packed));

struct mfi_frame_header {
	uint8_t frame_cmd;
	uint8_t sense_len;
	uint8_t cmd_status;
	uint8_t scsi_status;
	uint8_t target_id;
	uint8_t lun_id;
	uint8_t cdb_len;
	uint8_t sge_count;
	uint64_t context;		/* returned in the reply queue (32 bits unless CONTEXT64) */
	uint16_t flags;
	uint16_t timeout;
	uint32_t data_len;
} __attribute__((packed));

struct mfi_init_frame {
	struct mfi_frame_header header;
	uint32_t qinfo_new_addr_lo;
	uint32_t qinfo_new_addr_hi;
	uint32_t qinfo_old_addr_lo;
	uint32_t qinfo_old_addr_hi;
	uint32_t reserved[6];
} __attribute__((packed));

struct mfi_pass_frame {
	struct mfi_frame_header header;
	uint32_t sense_addr_lo;
	uint32_t sense_addr_hi;
	uint8_t cdb[16];
	struct mfi_sg64 sgl[];		/* sge_count elements (MFI_FRAME_SGL64) */
} __attribute__((packed));

struct mfi_dcmd_frame {
	struct mfi_frame_header header;
	uint32_t opcode;
	uint8_t mbox[12];
	struct mfi_sg64 sgl[];		/* at most one element */
} __attribute__((packed));

struct mfi_abort_frame {
	struct mfi_frame_header header;
	uint64_t abort_context;
	uint32_t abort_mfi_addr_lo;	/* the frame to abort, by its bus address */
	uint32_t abort_mfi_addr_hi;
	uint32_t reserved[6];
} __attribute__((packed));

/* The queue information MFI_CMD_INIT points to: the reply queue of 32-bit contexts and the
 * producer (device-written) and consumer (host-written) indexes into it. */
struct mfi_init_qinfo {
	uint32_t flags;
	uint32_t rq_entries;
	uint32_t rq_addr_lo;
	uint32_t rq_addr_hi;
	uint32_t pi_addr_lo;
	uint32_t pi_addr_hi;
	uint32_t ci_addr_lo;
	uint32_t ci_addr_hi;
} __attribute__((packed));

/* MFI_DCMD_CTRL_GET_INFO data (2 KiB): the fields this driver reads. */
#define MFI_CTRL_INFO_SIZE		0x800
#define MFI_CTRL_INFO_PRODUCT		0x540	/* char[80] */
#define MFI_CTRL_INFO_MAX_CMDS		0x5b8	/* uint16 */
#define MFI_CTRL_INFO_MAX_SGE		0x5ba	/* uint16 */

/* MFI_DCMD_PD_GET_LIST data: a header, then one address per device on the bus. */
#define MFI_MAX_SYS_PDS		240
struct mfi_pd_address {
	uint16_t device_id;		/* QEMU: target << 8 | LUN */
	uint16_t encl_device_id;
	uint8_t encl_index;
	uint8_t slot_number;
	uint8_t scsi_dev_type;		/* SPC peripheral device type */
	uint8_t connect_port_bitmap;
	uint64_t sas_addr[2];
} __attribute__((packed));

struct mfi_pd_list {
	uint32_t size;
	uint32_t count;
	struct mfi_pd_address addr[MFI_MAX_SYS_PDS];
} __attribute__((packed));

_Static_assert(sizeof(struct mfi_frame_header) == 24, "MFI frame header");
_Static_assert(sizeof(struct mfi_init_frame) == 64, "MFI init frame");
_Static_assert(sizeof(struct mfi_pass_frame) == 48, "MFI pass-through frame (before SGL)");
_Static_assert(sizeof(struct mfi_dcmd_frame) == 40, "MFI DCMD frame (before SGL)");
_Static_assert(sizeof(struct mfi_abort_frame) == 64, "MFI abort frame");
_Static_assert(sizeof(struct mfi_sg64) == 12, "MFI 64-bit SG element");
_Static_assert(sizeof(struct mfi_init_qinfo) == 32, "MFI init queue info");
_Static_assert(sizeof(struct mfi_pd_address) == 24, "MFI PD address");

#endif
