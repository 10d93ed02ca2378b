/*
 * AHCI HBA registers and structures, and the ATA commands this driver issues.
 * Section numbers refer to Serial ATA AHCI 1.3.1 and ATA/ATAPI-8 ACS.
 */
#ifndef AHCIREG_H
#define AHCIREG_H

#include <stdint.h>

#define AHCI_VENDOR_INTEL	0x8086
#define AHCI_DEVICE_ICH9	0x2922
#define AHCI_CLASS		0x010601	/* mass storage, SATA, AHCI 1.0 */
#define AHCI_BAR		5		/* ABAR */

/* 3.1 Generic host control. */
#define AHCI_CAP	0x00
#define  AHCI_CAP_NP(r)		((r) & 0x1f)		/* ports - 1 */
#define  AHCI_CAP_NCS(r)	(((r) >> 8) & 0x1f)	/* command slots - 1 */
#define  AHCI_CAP_SSS		(1u << 27)		/* staggered spin-up */
#define  AHCI_CAP_SNCQ		(1u << 30)
#define  AHCI_CAP_S64A		(1u << 31)
#define AHCI_GHC	0x04
#define  AHCI_GHC_HR		(1u << 0)
#define  AHCI_GHC_IE		(1u << 1)
#define  AHCI_GHC_AE		(1u << 31)
#define AHCI_IS		0x08
#define AHCI_PI		0x0c
#define AHCI_VS		0x10
#define AHCI_MAX_PORTS	32

/* 3.3 Port registers. */
#define AHCI_PORT(p)	(0x100 + (p) * 0x80)
#define AHCI_PXCLB	0x00
#define AHCI_PXCLBU	0x04
#define AHCI_PXFB	0x08
#define AHCI_PXFBU	0x0c
#define AHCI_PXIS	0x10
#define AHCI_PXIE	0x14
#define  AHCI_PXI_DHRS		(1u << 0)	/* D2H register FIS */
#define  AHCI_PXI_PSS		(1u << 1)	/* PIO setup FIS */
#define  AHCI_PXI_DSS		(1u << 2)	/* DMA setup FIS */
#define  AHCI_PXI_SDBS		(1u << 3)	/* set device bits FIS */
#define  AHCI_PXI_UFS		(1u << 4)	/* unknown FIS */
#define  AHCI_PXI_DPS		(1u << 5)	/* descriptor processed */
#define  AHCI_PXI_PCS		(1u << 6)	/* port connect change */
#define  AHCI_PXI_PRCS		(1u << 22)	/* PhyRdy change */
#define  AHCI_PXI_OFS		(1u << 24)	/* overflow */
#define  AHCI_PXI_INFS		(1u << 26)	/* interface non-fatal */
#define  AHCI_PXI_IFS		(1u << 27)	/* interface fatal */
#define  AHCI_PXI_HBDS		(1u << 28)	/* host bus data error */
#define  AHCI_PXI_HBFS		(1u << 29)	/* host bus fatal error */
#define  AHCI_PXI_TFES		(1u << 30)	/* task file error */
#define  AHCI_PXI_ERROR		(AHCI_PXI_UFS | AHCI_PXI_OFS | AHCI_PXI_INFS | AHCI_PXI_IFS | \
				 AHCI_PXI_HBDS | AHCI_PXI_HBFS | AHCI_PXI_TFES)
#define  AHCI_PXI_ENABLE	(AHCI_PXI_DHRS | AHCI_PXI_PSS | AHCI_PXI_SDBS | AHCI_PXI_DPS | \
				 AHCI_PXI_PCS | AHCI_PXI_PRCS | AHCI_PXI_ERROR)
#define AHCI_PXCMD	0x18
#define  AHCI_PXCMD_ST		(1u << 0)
#define  AHCI_PXCMD_SUD		(1u << 1)
#define  AHCI_PXCMD_POD		(1u << 2)
#define  AHCI_PXCMD_FRE		(1u << 4)
#define  AHCI_PXCMD_CCS(r)	(((r) >> 8) & 0x1f)
#define  AHCI_PXCMD_FR		(1u << 14)
#define  AHCI_PXCMD_CR		(1u << 15)
#define AHCI_PXTFD	0x20
#define  AHCI_TFD_ERR		(1u << 0)
#define  AHCI_TFD_DRQ		(1u << 3)
#define  AHCI_TFD_BSY		(1u << 7)
#define  AHCI_TFD_ERRREG(r)	(((r) >> 8) & 0xff)
#define AHCI_PXSIG	0x24
#define  AHCI_SIG_ATA		0x00000101
#define AHCI_PXSSTS	0x28
#define  AHCI_SSTS_DET(r)	((r) & 0xf)
#define  AHCI_SSTS_DET_PHY	3	/* device present, Phy communication */
#define AHCI_PXSCTL	0x2c
#define  AHCI_SCTL_DET_INIT	1	/* COMRESET */
#define AHCI_PXSERR	0x30
#define AHCI_PXSACT	0x34
#define AHCI_PXCI	0x38

/* 4.2.2 Command header: 32 bytes, 32 per command list (1 KiB, 1 KiB aligned). */
struct ahci_cmd_hdr {
	uint16_t flags;		/* CFL 4:0, A 5, W 6, P 7, R 8, B 9, C 10, PMP 15:12 */
	uint16_t prdtl;
	volatile uint32_t prdbc;
	uint32_t ctba;
	uint32_t ctbau;
	uint32_t rsvd[4];
} __attribute__((packed));
_Static_assert(sizeof(struct ahci_cmd_hdr) == 32, "4.2.2: command header is 32 bytes");
#define AHCI_HDR_CFL(dw)	((dw) & 0x1f)
#define AHCI_HDR_W		(1u << 6)
#define AHCI_HDR_C		(1u << 10)

/* 4.2.3.3 Physical region descriptor. */
struct ahci_prd {
	uint32_t dba;
	uint32_t dbau;
	uint32_t rsvd;
	uint32_t dbc;		/* 21:0 byte count - 1 (bit 0 set), 31 interrupt */
} __attribute__((packed));
_Static_assert(sizeof(struct ahci_prd) == 16, "4.2.3.3: PRD entry is 16 bytes");
#define AHCI_PRD_MAX_BYTES	(4u << 20)

/* 4.2.3 Command table: CFIS, ATAPI command, then the PRDT at 0x80. */
#define AHCI_NPRD		8
struct ahci_cmd_table {
	uint8_t cfis[64];
	uint8_t acmd[16];
	uint8_t rsvd[48];
	struct ahci_prd prd[AHCI_NPRD];
} __attribute__((packed));
_Static_assert(sizeof(struct ahci_cmd_table) % 128 == 0, "4.2.3: command tables are 128-byte aligned");

/* 4.2.1 Received FIS area: 256 bytes, 256 aligned. */
#define AHCI_RFIS_SIZE		256
#define AHCI_CL_SIZE		1024
/* This driver's per-port DMA page: the command list, then the received-FIS area. */
#define AHCI_CLFIS_SIZE		4096
_Static_assert(AHCI_CL_SIZE + AHCI_RFIS_SIZE <= AHCI_CLFIS_SIZE, "command list and FIS area share a page");

/* SATA 3.x 10.5.6 Register host-to-device FIS. */
#define AHCI_FIS_H2D		0x27
#define AHCI_FIS_H2D_CMD	0x80	/* the C bit: a command, not a control update */
#define AHCI_FIS_H2D_DWORDS	5

/* ATA/ATAPI-8 ACS commands. */
#define ATA_CMD_READ_DMA_EXT	0x25	/* 7.25 */
#define ATA_CMD_WRITE_DMA_EXT	0x35	/* 7.59 */
#define ATA_CMD_READ_FPDMA	0x60	/* 7.23 READ FPDMA QUEUED */
#define ATA_CMD_WRITE_FPDMA	0x61	/* 7.65 WRITE FPDMA QUEUED */
#define ATA_CMD_FLUSH_CACHE_EXT	0xea	/* 7.14 */
#define ATA_CMD_IDENTIFY	0xec	/* 7.16 */
#define ATA_DEV_LBA		0x40
#define ATA_SECTOR_SIZE		512	/* the logical sector this driver supports */
#define ATA_IDENTIFY_BYTES	512	/* 7.16.7: 256 words of IDENTIFY DEVICE data */
#define ATA_MAX_SECTORS_EXT	65536	/* a count of 0 means 65536 */

/* 7.16.7 IDENTIFY DEVICE data: word offsets. */
#define ATA_ID_SERIAL		10	/* 20 bytes */
#define ATA_ID_FW		23	/* 8 bytes */
#define ATA_ID_MODEL		27	/* 40 bytes */
#define ATA_ID_LBA28		60	/* 2 words */
#define ATA_ID_QDEPTH		75	/* bits 4:0 queue depth - 1 */
#define ATA_ID_SATACAP		76
#define  ATA_ID_SATACAP_NCQ	(1u << 8)
#define ATA_ID_CMDSET2		83	/* bit 10: 48-bit address feature set */
#define  ATA_ID_CMDSET2_LBA48	(1u << 10)
#define ATA_ID_LBA48		100	/* 4 words */

#endif
