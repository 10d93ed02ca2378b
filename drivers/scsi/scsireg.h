/*
 * SCSI command set definitions used by the shared command layer: operation codes, status
 * bytes, sense keys and the byte layouts of the CDBs and data it builds and parses.
 * References: SAM-5 (status, LUNs), SPC-4 (INQUIRY, REPORT LUNS, REQUEST SENSE, sense
 * data), SBC-3 (READ/WRITE, READ CAPACITY, SYNCHRONIZE CACHE). All multi-byte fields in
 * CDBs and parameter data are big-endian.
 */
#ifndef SCSIREG_H
#define SCSIREG_H

#include <stdint.h>

/* Operation codes. */
#define SCSI_OP_TEST_UNIT_READY		0x00	/* SPC-4 6.47 */
#define SCSI_OP_REQUEST_SENSE		0x03	/* SPC-4 6.39 */
#define SCSI_OP_INQUIRY			0x12	/* SPC-4 6.6 */
#define SCSI_OP_READ_CAPACITY_10	0x25	/* SBC-3 5.16 */
#define SCSI_OP_READ_10			0x28	/* SBC-3 5.11 */
#define SCSI_OP_WRITE_10		0x2a	/* SBC-3 5.32 */
#define SCSI_OP_SYNCHRONIZE_CACHE_10	0x35	/* SBC-3 5.24 */
#define SCSI_OP_READ_16			0x88	/* SBC-3 5.13 */
#define SCSI_OP_WRITE_16		0x8a	/* SBC-3 5.34 */
#define SCSI_OP_SERVICE_ACTION_IN_16	0x9e	/* SPC-4 / SBC-3: READ CAPACITY(16) is SA 0x10 */
#define  SCSI_SA_READ_CAPACITY_16	0x10
#define SCSI_OP_REPORT_LUNS		0xa0	/* SPC-4 6.33 */

/* SAM-5 5.3.1 status codes. */
#define SCSI_STATUS_GOOD		0x00
#define SCSI_STATUS_CHECK_CONDITION	0x02
#define SCSI_STATUS_CONDITION_MET	0x04
#define SCSI_STATUS_BUSY		0x08
#define SCSI_STATUS_RESERVATION_CONFLICT 0x18
#define SCSI_STATUS_TASK_SET_FULL	0x28
#define SCSI_STATUS_ACA_ACTIVE		0x30
#define SCSI_STATUS_TASK_ABORTED	0x40

/* SPC-4 4.5.6 sense keys. */
#define SCSI_SK_NO_SENSE		0x0
#define SCSI_SK_RECOVERED_ERROR		0x1
#define SCSI_SK_NOT_READY		0x2
#define SCSI_SK_MEDIUM_ERROR		0x3
#define SCSI_SK_HARDWARE_ERROR		0x4
#define SCSI_SK_ILLEGAL_REQUEST		0x5
#define SCSI_SK_UNIT_ATTENTION		0x6
#define SCSI_SK_DATA_PROTECT		0x7
#define SCSI_SK_BLANK_CHECK		0x8
#define SCSI_SK_VENDOR_SPECIFIC		0x9
#define SCSI_SK_COPY_ABORTED		0xa
#define SCSI_SK_ABORTED_COMMAND		0xb
#define SCSI_SK_VOLUME_OVERFLOW		0xd
#define SCSI_SK_MISCOMPARE		0xe

/* Additional sense codes the layer tells apart (SPC-4 Annex D). */
#define SCSI_ASC_LBA_OUT_OF_RANGE	0x21
#define SCSI_ASC_INVALID_OPCODE		0x20
#define SCSI_ASC_INVALID_FIELD_IN_CDB	0x24
#define SCSI_ASC_LUN_NOT_SUPPORTED	0x25
#define SCSI_ASC_MEDIUM_NOT_PRESENT	0x3a

/* SPC-4 4.5.1: response codes in byte 0 (bits 6..0) of sense data. */
#define SCSI_SENSE_FIXED_CURRENT	0x70
#define SCSI_SENSE_FIXED_DEFERRED	0x71
#define SCSI_SENSE_DESC_CURRENT		0x72
#define SCSI_SENSE_DESC_DEFERRED	0x73
/* Fixed format (4.5.3): key in byte 2 bits 3..0, additional length byte 7, ASC 12, ASCQ 13. */
#define SCSI_SENSE_FIXED_KEY		2
#define SCSI_SENSE_FIXED_ADDLEN		7
#define SCSI_SENSE_FIXED_ASC		12
#define SCSI_SENSE_FIXED_ASCQ		13
/* Descriptor format (4.5.2): key byte 1, ASC byte 2, ASCQ byte 3. */
#define SCSI_SENSE_DESC_KEY		1
#define SCSI_SENSE_DESC_ASC		2
#define SCSI_SENSE_DESC_ASCQ		3
/* REQUEST SENSE allocation: 252 is the largest sense data SPC-4 allows. */
#define SCSI_SENSE_MAX			96

/* SPC-4 6.6.2 standard INQUIRY data. */
#define SCSI_INQ_LEN			36	/* the part every device returns */
#define SCSI_INQ_QUALIFIER(b0)		((b0) >> 5)	/* 0: a device is connected */
#define SCSI_INQ_TYPE(b0)		((b0) & 0x1f)
#define SCSI_TYPE_DISK			0x00	/* direct-access block device */
#define SCSI_TYPE_CDROM			0x05
#define SCSI_TYPE_NONE			0x1f	/* unknown or no device type */
#define SCSI_INQ_VENDOR			8	/* 8 ASCII bytes */
#define SCSI_INQ_PRODUCT		16	/* 16 ASCII bytes */
#define SCSI_INQ_REVISION		32	/* 4 ASCII bytes: product revision level */
#define SCSI_INQ_ADDLEN			4	/* bytes after byte 4 the device returned */
#define SCSI_INQ_REVISION		32	/* 4 ASCII bytes */

/* SBC-3 5.16.2 / 5.17.2 READ CAPACITY parameter data. */
#define SCSI_RC10_LEN			8	/* last LBA (4), block length (4) */
#define SCSI_RC16_LEN			32	/* last LBA (8), block length (4), ... */
#define SCSI_RC10_LBA_MAX		0xffffffffu	/* "use READ CAPACITY(16)" */

/* SPC-4 6.33.2 REPORT LUNS parameter data: 4 bytes list length, 4 reserved, 8 per LUN. */
#define SCSI_RL_HDR			8

/* Biggest LBA and count READ/WRITE(10) can carry (SBC-3 5.11). */
#define SCSI_RW10_LBA_MAX		0xffffffffull
#define SCSI_RW10_BLOCKS_MAX		0xffffu

/* SAM-5 4.7 task attribute for the queue tag, where an HBA passes one. */
#define SCSI_TAG_SIMPLE			0x20

#endif
