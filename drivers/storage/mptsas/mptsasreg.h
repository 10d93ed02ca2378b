/*
 * LSI/Broadcom Fusion-MPT SAS (MPI 1.5) controllers: the system interface registers, the
 * doorbell handshake, and the message frames this driver sends and the replies it reads.
 * Offsets, values and layouts are those of the MPI 1.5 specification (the "Fusion-MPT
 * Message Passing Interface", chapters 3 "System interface" and 9 "SCSI initiator
 * messages") as QEMU's SAS1068 model (hw/scsi/mptsas.c, `-device mptsas1068`, 1000:0054)
 * implements them. Messages and replies are little-endian and packed; their sizes are
 * part of the interface and checked below.
 */
#ifndef MPTSASREG_H
#define MPTSASREG_H

#include <stdint.h>

#define MPTSAS_VENDOR_LSI	0x1000

/*
 * The SAS parts of the MPI 1.5 family (PCI ID database names "Fusion-MPT SAS"). All of
 * them take the same message unit: doorbell handshake, request/reply FIFOs at 0x40/0x44,
 * 32-bit frame addresses under one high word, SCSI IO with 64-bit simple SGEs (MPI 1.5
 * ch. 3 and 9). The SAS-2 parts (0x0064 on) speak MPI 2.0 (request descriptors, reply
 * descriptor post queues) and the MegaRAID parts (0x0057, 0x0060, 0x007c, 0x0411,
 * 0x0413) the MFI interface (drivers/storage/megasas): neither is claimed.
 */
#define MPTSAS_DEVICE_SAS1064	0x0050	/* PCI-X, 4 ports */
#define MPTSAS_DEVICE_SAS1068	0x0054	/* PCI-X, 8 ports; QEMU's mptsas1068 */
#define MPTSAS_DEVICE_SAS1068B	0x0055	/* PCI-X SAS1068, second device ID in the database */
#define MPTSAS_DEVICE_SAS1064E	0x0056	/* PCI Express SAS1064E(T) */
#define MPTSAS_DEVICE_SAS1068E	0x0058	/* PCI Express, 8 ports */
#define MPTSAS_DEVICE_SAS1066E	0x005a	/* PCI Express, 6 ports */
#define MPTSAS_DEVICE_SAS1064A	0x005c	/* PCI-X */
#define MPTSAS_DEVICE_SAS1066	0x005e	/* PCI-X, 6 ports */
#define MPTSAS_DEVICE_SAS1078	0x0062	/* PCI Express SAS1078 in MPT (IT/IR) mode */

/* BAR0 is the registers in I/O space, BAR1 the same registers in memory space (MPI 1.5
 * 3.2); the memory BAR is preferred. */
#define MPTSAS_BAR_IO		0
#define MPTSAS_BAR_MEM		1
#define MPTSAS_BAR_MIN_SIZE	0x100

/* System interface registers (MPI 1.5 3.3). */
#define MPI_REG_DOORBELL	0x00
#define MPI_REG_WRITE_SEQUENCE	0x04
#define MPI_REG_DIAGNOSTIC	0x08
#define MPI_REG_HIS		0x30	/* host interrupt status */
#define MPI_REG_HIM		0x34	/* host interrupt mask */
#define MPI_REG_REQUEST_FIFO	0x40	/* write: post a request frame address */
#define MPI_REG_REPLY_FIFO	0x44	/* read: reply post FIFO; write: reply free FIFO */

/* Doorbell, read: IOC state in bits 31:28, "doorbell in use" bit 27, who initialised the
 * IOC in 26:24, a fault code or a handshake reply word in 15:0. */
#define MPI_IOC_STATE_MASK	0xf0000000u
#define MPI_IOC_STATE_RESET	0x00000000u
#define MPI_IOC_STATE_READY	0x10000000u
#define MPI_IOC_STATE_OPERATIONAL 0x20000000u
#define MPI_IOC_STATE_FAULT	0x40000000u
#define MPI_DOORBELL_ACTIVE	0x08000000u
#define MPI_DOORBELL_DATA_MASK	0x0000ffffu
/* Doorbell, write: a function in bits 31:24, for a handshake the message's dwords in 23:16. */
#define MPI_DOORBELL_FUNCTION_SHIFT 24
#define MPI_DOORBELL_DWORDS_SHIFT 16

/* Host interrupt status and mask (MPI 1.5 3.3.5, 3.3.6). */
#define MPI_HIS_IOP_DOORBELL	0x80000000u	/* the IOC has not yet taken a doorbell write */
#define MPI_HIS_REPLY		0x00000008u	/* the reply post FIFO is not empty */
#define MPI_HIS_DOORBELL	0x00000001u	/* handshake step done */
#define MPI_HIM_REPLY		0x00000008u
#define MPI_HIM_DOORBELL	0x00000001u

/* Diagnostic register: a hard reset, enabled by the five-key write sequence (MPI 1.5 3.3.3). */
#define MPI_DIAG_RESET_ADAPTER	0x00000004u
#define MPI_DIAG_DRWE		0x00000080u	/* diagnostic writes enabled */
#define MPI_WRSEQ_KEYS		{ 0x0, 0x4, 0xb, 0x2, 0x7, 0xd }	/* a flush, then the 5 keys */

/* Reply post FIFO words (MPI 1.5 3.4.2): empty, an address reply (bit 31: the frame's
 * address shifted right by one), or a context reply (the request's MsgContext). */
#define MPI_REPLY_EMPTY		0xffffffffu
#define MPI_ADDRESS_REPLY	0x80000000u

/* Functions. */
#define MPI_FUNCTION_SCSI_IO	0x00
#define MPI_FUNCTION_TASK_MGMT	0x01
#define MPI_FUNCTION_IOC_INIT	0x02
#define MPI_FUNCTION_IOC_FACTS	0x03
#define MPI_FUNCTION_PORT_ENABLE 0x06
#define MPI_FUNCTION_MSG_UNIT_RESET 0x40	/* doorbell only */
#define MPI_FUNCTION_HANDSHAKE	0x42		/* doorbell only */

#define MPI_WHOINIT_HOST_DRIVER	0x04
#define MPI_VERSION_1_5		0x0105

/* IOCStatus (mask off bit 15, "log info available"). */
#define MPI_IOCSTATUS_MASK		0x7fff
#define MPI_IOCSTATUS_SUCCESS		0x0000
#define MPI_IOCSTATUS_SCSI_RECOVERED	0x0040
#define MPI_IOCSTATUS_SCSI_INVALID_BUS	0x0041
#define MPI_IOCSTATUS_SCSI_INVALID_TID	0x0042
#define MPI_IOCSTATUS_SCSI_NOT_THERE	0x0043
#define MPI_IOCSTATUS_SCSI_OVERRUN	0x0044
#define MPI_IOCSTATUS_SCSI_UNDERRUN	0x0045
#define MPI_IOCSTATUS_SCSI_TERMINATED	0x0048	/* task terminated (an abort, a reset) */
#define MPI_IOCSTATUS_SCSI_IOC_TERMINATED 0x004b
#define MPI_IOCSTATUS_SCSI_EXT_TERMINATED 0x004c

/* SCSI IO reply SCSIState. */
#define MPI_SCSI_STATE_AUTOSENSE_VALID	0x01
#define MPI_SCSI_STATE_NO_SCSI_STATUS	0x04
#define MPI_SCSI_STATE_TERMINATED	0x08

/* SCSI IO Control: data direction and task attribute. */
#define MPI_SCSIIO_CONTROL_NODATA	0x00000000u
#define MPI_SCSIIO_CONTROL_WRITE	0x01000000u
#define MPI_SCSIIO_CONTROL_READ		0x02000000u
#define MPI_SCSIIO_CONTROL_SIMPLEQ	0x00000000u

/* Simple scatter-gather element flags, in the top byte of FlagsLength (MPI 1.5 ch. 5). */
#define MPI_SGE_LAST_ELEMENT	0x80000000u
#define MPI_SGE_END_OF_BUFFER	0x40000000u
#define MPI_SGE_SIMPLE		0x10000000u
#define MPI_SGE_HOST_TO_IOC	0x04000000u
#define MPI_SGE_64BIT		0x02000000u
#define MPI_SGE_END_OF_LIST	0x01000000u
#define MPI_SGE_LENGTH_MASK	0x00ffffffu

#define MPI_TASKTYPE_ABORT_TASK	0x01

/* Every request starts with this header; every reply with mpi_default_reply. */
struct mpi_msg_ioc_facts {
	uint8_t reserved[2];
	uint8_t chain_offset;
	uint8_t function;
	uint8_t reserved1[3];
	uint8_t msg_flags;
	uint32_t msg_context;
} __attribute__((packed));

struct mpi_default_reply {
	uint8_t reserved[2];
	uint8_t msg_length;		/* in dwords */
	uint8_t function;
	uint8_t reserved1[3];
	uint8_t msg_flags;
	uint32_t msg_context;
	uint8_t reserved2[2];
	uint16_t ioc_status;
	uint32_t ioc_log_info;
} __attribute__((packed));

struct mpi_sge64 {
	uint32_t flags_length;
	uint32_t addr_lo;
	uint32_t addr_hi;
} __attribute__((packed));

/* IOC Facts reply (MPI 1.5 6.2.3). */
struct mpi_ioc_facts_reply {
	uint16_t msg_version;
	uint8_t msg_length;
	uint8_t function;
	uint16_t header_version;
	uint8_t ioc_number;
	uint8_t msg_flags;
	uint32_t msg_context;
	uint16_t ioc_exceptions;
	uint16_t ioc_status;
	uint32_t ioc_log_info;
	uint8_t max_chain_depth;
	uint8_t who_init;
	uint8_t block_size;
	uint8_t flags;
	uint16_t reply_queue_depth;
	uint16_t request_frame_size;	/* in dwords */
	uint16_t fw_version_old;
	uint16_t product_id;
	uint32_t cur_host_mfa_high;
	uint16_t global_credits;	/* request frames the IOC accepts at once */
	uint8_t number_of_ports;
	uint8_t event_state;
	uint32_t cur_sense_high;
	uint16_t cur_reply_frame_size;
	uint8_t max_devices;		/* 0 means 256 */
	uint8_t max_buses;
	uint32_t fw_image_size;
	uint32_t ioc_capabilities;
	uint8_t fw_dev, fw_unit, fw_minor, fw_major;
	uint16_t hi_pri_queue_depth;
	uint16_t reserved2;
	struct mpi_sge64 host_page_buffer;
	uint32_t reply_fifo_signal_addr;
} __attribute__((packed));

/* IOC Init (MPI 1.5 6.2.1): the frame sizes and the high address words the IOC uses. */
struct mpi_msg_ioc_init {
	uint8_t who_init;
	uint8_t reserved;
	uint8_t chain_offset;
	uint8_t function;
	uint8_t flags;
	uint8_t max_devices;
	uint8_t max_buses;
	uint8_t msg_flags;
	uint32_t msg_context;
	uint16_t reply_frame_size;	/* in bytes */
	uint8_t reserved1[2];
	uint32_t host_mfa_high;		/* bits 63:32 of every request and reply frame */
	uint32_t sense_high;		/* bits 63:32 of every sense buffer */
	uint32_t reply_fifo_signal_addr;
	struct mpi_sge64 host_page_buffer;
	uint16_t msg_version;
	uint16_t header_version;
} __attribute__((packed));

/* Port Enable (MPI 1.5 6.4.3): the IOC starts discovery and I/O on the port. */
struct mpi_msg_port_enable {
	uint8_t reserved[2];
	uint8_t chain_offset;
	uint8_t function;
	uint8_t reserved1[2];
	uint8_t port_number;
	uint8_t msg_flags;
	uint32_t msg_context;
} __attribute__((packed));

/* SCSI IO request (MPI 1.5 9.1.1); the SGL follows at offset 0x30. */
struct mpi_scsi_io {
	uint8_t target_id;
	uint8_t bus;
	uint8_t chain_offset;
	uint8_t function;
	uint8_t cdb_length;
	uint8_t sense_length;
	uint8_t reserved;
	uint8_t msg_flags;		/* 0: 32-bit sense address in host memory */
	uint32_t msg_context;
	uint8_t lun[8];
	uint32_t control;
	uint8_t cdb[16];
	uint32_t data_length;
	uint32_t sense_low;
	struct mpi_sge64 sge;
} __attribute__((packed));

/* SCSI IO reply (MPI 1.5 9.1.2): only for commands that did not end GOOD with every byte
 * moved; those come back as context replies. */
struct mpi_scsi_io_reply {
	uint8_t target_id;
	uint8_t bus;
	uint8_t msg_length;
	uint8_t function;
	uint8_t cdb_length;
	uint8_t sense_length;
	uint8_t reserved;
	uint8_t msg_flags;
	uint32_t msg_context;
	uint8_t scsi_status;
	uint8_t scsi_state;
	uint16_t ioc_status;
	uint32_t ioc_log_info;
	uint32_t transfer_count;
	uint32_t sense_count;
	uint32_t response_info;
	uint16_t task_tag;
	uint16_t reserved1;
} __attribute__((packed));

/* SCSI task management (MPI 1.5 9.2). */
struct mpi_task_mgmt {
	uint8_t target_id;
	uint8_t bus;
	uint8_t chain_offset;
	uint8_t function;
	uint8_t reserved;
	uint8_t task_type;
	uint8_t reserved1;
	uint8_t msg_flags;
	uint32_t msg_context;
	uint8_t lun[8];
	uint32_t reserved2[7];
	uint32_t task_msg_context;
} __attribute__((packed));

_Static_assert(sizeof(struct mpi_msg_ioc_facts) == 12, "IOC Facts is 3 dwords");
_Static_assert(sizeof(struct mpi_default_reply) == 20, "the default reply is 5 dwords");
_Static_assert(sizeof(struct mpi_ioc_facts_reply) == 0x50, "IOC Facts reply is 20 dwords");
_Static_assert(sizeof(struct mpi_msg_ioc_init) == 0x2c, "IOC Init is 11 dwords");
_Static_assert(sizeof(struct mpi_msg_port_enable) == 12, "Port Enable is 3 dwords");
_Static_assert(sizeof(struct mpi_scsi_io) == 0x30 + 12, "SCSI IO: 0x30 bytes, then the SGE");
_Static_assert(sizeof(struct mpi_scsi_io_reply) == 0x24, "SCSI IO reply is 9 dwords");
_Static_assert(sizeof(struct mpi_task_mgmt) == 0x34, "task management is 13 dwords");

#endif
