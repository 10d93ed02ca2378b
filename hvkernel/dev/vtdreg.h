/*
 * Intel VT-d DMA remapping: registers and table formats (Intel Virtualization Technology
 * for Directed I/O, Architecture Specification 3.4: chapter 9 for the tables, 11.4 for
 * the registers). Legacy (not scalable) mode, second-level translation only.
 */
#ifndef DEV_VTDREG_H
#define DEV_VTDREG_H

#define VTD_VER		0x00
#define VTD_CAP		0x08
#define VTD_ECAP	0x10
#define VTD_GCMD	0x18
#define VTD_GSTS	0x1c
#define VTD_RTADDR	0x20
#define VTD_CCMD	0x28
#define VTD_FSTS	0x34
#define VTD_FECTL	0x38
#define VTD_FEDATA	0x3c
#define VTD_FEADDR	0x40
#define VTD_FEUADDR	0x44
#define VTD_MMIO_SIZE	0x1000

/* CAP (11.4.2) */
#define VTD_CAP_SAGAW(c)	(((c) >> 8) & 0x1f)	/* bit 1: 39-bit 3-level, bit 2: 48-bit 4-level */
#define VTD_CAP_FRO(c)		((((c) >> 24) & 0x3ff) * 16)	/* fault recording registers */
#define VTD_CAP_NFR(c)		((((c) >> 40) & 0xff) + 1)
#define VTD_CAP_RWBF		(1ull << 4)
/* ECAP (11.4.3) */
#define VTD_ECAP_IRO(e)		((((e) >> 8) & 0x3ff) * 16)	/* IOTLB registers */

/* GCMD / GSTS (11.4.4, 11.4.5) */
#define VTD_GCMD_TE		(1u << 31)
#define VTD_GCMD_SRTP		(1u << 30)
#define VTD_GCMD_WBF		(1u << 27)
#define VTD_GSTS_TES		(1u << 31)
#define VTD_GSTS_RTPS		(1u << 30)
#define VTD_GSTS_WBFS		(1u << 27)

/* CCMD (11.4.7): global context-cache invalidation */
#define VTD_CCMD_ICC		(1ull << 63)
#define VTD_CCMD_GLOBAL		(1ull << 61)
/* IOTLB (11.4.8.1), at ECAP.IRO + 8: domain-selective invalidation, drain reads/writes */
#define VTD_IOTLB_IVT		(1ull << 63)
#define VTD_IOTLB_DOMAIN	(2ull << 60)
#define VTD_IOTLB_DR		(1ull << 49)
#define VTD_IOTLB_DW		(1ull << 48)
#define VTD_IOTLB_DID(d)	((uint64_t)(d) << 32)

/* FSTS (11.4.9.1), FECTL (11.4.9.2) */
#define VTD_FSTS_PFO		(1u << 0)
#define VTD_FSTS_PPF		(1u << 1)
#define VTD_FECTL_IM		(1u << 31)

/* Fault recording register (11.4.14), 128 bits: low quadword FI (the page), high
 * quadword SID 15:0, FR 39:32, T 62 (1: read), F 63. */
#define VTD_FRCD_F		(1ull << 63)
#define VTD_FRCD_T_READ		(1ull << 62)
#define VTD_FRCD_FR(hi)		((unsigned)(((hi) >> 32) & 0xff))
#define VTD_FRCD_SID(hi)	((unsigned)((hi) & 0xffff))

/* Root entry (9.1) and context entry (9.3), 128 bits each, 256 per 4 KiB table. */
#define VTD_RE_P		1ull
#define VTD_CE_P		1ull		/* low: present; TT 3:2 = 0, second-level */
#define VTD_CE_AW(aw)		((uint64_t)(aw))	/* high 2:0: 1 = 39 bits, 2 = 48 bits */
#define VTD_CE_DID(d)		((uint64_t)(d) << 8)	/* high 23:8 */

/* Second-level paging entry (9.8): read, write, address 51:12; 512 per table. */
#define VTD_SL_R		1ull
#define VTD_SL_W		2ull
#define VTD_SL_ADDR		0x000ffffffffff000ull

#endif
