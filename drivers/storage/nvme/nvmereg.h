/*
 * NVM Express controller registers and data structures, as far as this driver uses them.
 * Section numbers refer to NVM Express Base Specification 1.4.
 */
#ifndef NVMEREG_H
#define NVMEREG_H

#include <stdint.h>

#define NVME_VENDOR_QEMU	0x1b36
#define NVME_DEVICE_QEMU	0x0010
#define NVME_CLASS		0x010802	/* mass storage, NVM, NVMe I/O controller */

/* 3.1 Controller registers (BAR0). */
#define NVME_CAP	0x0000	/* Controller Capabilities, 64 bit */
#define  NVME_CAP_MQES(r)	((uint32_t)((r) & 0xffff))	/* zero-based */
#define  NVME_CAP_TO(r)		((uint32_t)(((r) >> 24) & 0xff))	/* 500 ms units */
#define  NVME_CAP_DSTRD(r)	((uint32_t)(((r) >> 32) & 0xf))
#define  NVME_CAP_CSS_NVM(r)	(((r) >> 37) & 1)
#define  NVME_CAP_MPSMIN(r)	((uint32_t)(((r) >> 48) & 0xf))	/* 2^(12 + n) */
#define NVME_VS		0x0008	/* Version */
#define NVME_INTMS	0x000c	/* Interrupt Mask Set */
#define NVME_INTMC	0x0010	/* Interrupt Mask Clear */
#define NVME_CC		0x0014	/* Controller Configuration */
#define  NVME_CC_EN		(1u << 0)
#define  NVME_CC_CSS_NVM	(0u << 4)
#define  NVME_CC_MPS(n)		((uint32_t)(n) << 7)	/* 2^(12 + n) */
#define  NVME_CC_AMS_RR		(0u << 11)
#define  NVME_CC_SHN_NORMAL	(1u << 14)
#define  NVME_CC_SHN_MASK	(3u << 14)
#define  NVME_CC_IOSQES(n)	((uint32_t)(n) << 16)	/* 2^n bytes */
#define  NVME_CC_IOCQES(n)	((uint32_t)(n) << 20)
#define NVME_CSTS	0x001c	/* Controller Status */
#define  NVME_CSTS_RDY		(1u << 0)
#define  NVME_CSTS_CFS		(1u << 1)
#define  NVME_CSTS_SHST_MASK	(3u << 2)
#define  NVME_CSTS_SHST_DONE	(2u << 2)
#define NVME_AQA	0x0024	/* Admin Queue Attributes */
#define  NVME_AQA_ACQS(n)	((uint32_t)((n) - 1) << 16)
#define  NVME_AQA_ASQS(n)	((uint32_t)((n) - 1))
#define NVME_ASQ	0x0028	/* Admin Submission Queue Base Address, 64 bit */
#define NVME_ACQ	0x0030	/* Admin Completion Queue Base Address, 64 bit */
#define NVME_DBBASE	0x1000	/* 3.1.24 and 3.1.25: doorbells */

#define NVME_PAGE_SHIFT	12
#define NVME_PAGE_SIZE	(1u << NVME_PAGE_SHIFT)

/* 4.2 Submission queue entry (64 bytes). */
struct nvme_sqe {
	uint8_t opcode;
	uint8_t flags;		/* FUSE, PSDT (0: PRPs) */
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd;
	uint64_t mptr;
	uint64_t prp1;
	uint64_t prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
} __attribute__((packed));
_Static_assert(sizeof(struct nvme_sqe) == 64, "4.2: a submission queue entry is 64 bytes");

/* 4.6 Completion queue entry (16 bytes). */
struct nvme_cqe {
	uint32_t dw0;
	uint32_t rsvd;
	uint16_t sqhd;
	uint16_t sqid;
	uint16_t cid;
	uint16_t status;	/* bit 0 phase tag, 15:1 status field */
} __attribute__((packed));
_Static_assert(sizeof(struct nvme_cqe) == 16, "4.6: a completion queue entry is 16 bytes");

#define NVME_CQE_PHASE(s)	((s) & 1)
#define NVME_CQE_SC(s)		(((s) >> 1) & 0xff)	/* status code */
#define NVME_CQE_SCT(s)		(((s) >> 9) & 0x7)	/* status code type */
#define NVME_CQE_STATUS(s)	(((s) >> 1) & 0x7ff)	/* SCT and SC together: 0 is success */

#define NVME_SQE_SHIFT	6	/* 2^6 = 64 bytes */
#define NVME_CQE_SHIFT	4	/* 2^4 = 16 bytes */

/* 5 Admin command set opcodes. */
#define NVME_ADM_DELETE_SQ	0x00
#define NVME_ADM_CREATE_SQ	0x01
#define NVME_ADM_DELETE_CQ	0x04
#define NVME_ADM_CREATE_CQ	0x05
#define NVME_ADM_IDENTIFY	0x06
#define NVME_ADM_ABORT		0x08
#define NVME_ADM_SET_FEATURES	0x09

/* 5.3 / 5.4 Create I/O queue flags (CDW11). */
#define NVME_CREATE_CQ_PC	(1u << 0)	/* physically contiguous */
#define NVME_CREATE_CQ_IEN	(1u << 1)	/* interrupts enabled */
#define NVME_CREATE_CQ_IV(v)	((uint32_t)(v) << 16)
#define NVME_CREATE_SQ_PC	(1u << 0)
#define NVME_CREATE_SQ_CQID(q)	((uint32_t)(q) << 16)

/* 5.15 Identify: CNS values (CDW10). */
#define NVME_CNS_NS		0x00
#define NVME_CNS_CTRL		0x01
#define NVME_CNS_NSLIST		0x02

/* 5.15.2.2 Identify Controller data structure: byte offsets. */
#define NVME_IDC_SN		4	/* 20 bytes ASCII */
#define NVME_IDC_MN		24	/* 40 bytes ASCII */
#define NVME_IDC_FR		64	/* 8 bytes ASCII */
#define NVME_IDC_MDTS		77	/* max transfer 2^n * CAP.MPSMIN pages; 0 = none */
#define NVME_IDC_NN		516	/* number of namespaces, 32 bit */
#define NVME_IDC_VWC		525	/* bit 0: volatile write cache present */

/* 5.15.2.1 Identify Namespace data structure: byte offsets. */
#define NVME_IDN_NSZE		0	/* namespace size in blocks, 64 bit */
#define NVME_IDN_FLBAS		26	/* bits 3:0 the LBA format in use */
#define NVME_IDN_LBAF		128	/* 16 LBA formats of 4 bytes */
#define  NVME_LBAF_MS(f)	((f) & 0xffff)
#define  NVME_LBAF_LBADS(f)	(((f) >> 16) & 0xff)

/* 6 NVM command set opcodes. */
#define NVME_CMD_FLUSH		0x00
#define NVME_CMD_WRITE		0x01
#define NVME_CMD_READ		0x02

#endif
