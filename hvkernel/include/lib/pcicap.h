/*
 * PCI capability list walking over an abstract config space. The walker trusts nothing it
 * reads: pointers have their reserved low two bits masked (PCI 3.0, 6.7), pointers into the
 * standard header or past the end of config space are malformed (-HV_EINVAL), and a walk
 * that visits more capabilities than could fit (48 standard, 960 extended) is a loop
 * (-HV_ELOOP). Used by the kernel (real config space) and by host tools (lspci -x dumps).
 */
#ifndef LIB_PCICAP_H
#define LIB_PCICAP_H

#include <stdbool.h>
#include <stdint.h>
#include <lib/pcireg.h>

/* Standard capability IDs (PCI Code and ID Assignment Spec 1.11, 2; PCI 3.0, 6.7). */
#define PCICAP_ID_PM		0x01	/* power management (PCI PM 1.2) */
#define PCICAP_ID_AGP		0x02
#define PCICAP_ID_VPD		0x03	/* vital product data (PCI 3.0, 6.4) */
#define PCICAP_ID_SLOTID	0x04
#define PCICAP_ID_MSI		0x05	/* PCI 3.0, 6.8.1 */
#define PCICAP_ID_HOTSWAP	0x06
#define PCICAP_ID_PCIX		0x07
#define PCICAP_ID_HT		0x08	/* HyperTransport */
#define PCICAP_ID_VENDOR	0x09	/* vendor specific */
#define PCICAP_ID_DEBUG		0x0a
#define PCICAP_ID_HOTPLUG	0x0c
#define PCICAP_ID_SSVID		0x0d	/* bridge subsystem vendor ID */
#define PCICAP_ID_PCIE		0x10	/* PCI Express (PCIe base 4.0, 7.5.3) */
#define PCICAP_ID_MSIX		0x11	/* PCI 3.0, 6.8.2 */
#define PCICAP_ID_SATA		0x12
#define PCICAP_ID_AF		0x13	/* advanced features */
#define PCICAP_ID_EA		0x14	/* enhanced allocation */

/* Extended capability IDs (PCIe base 4.0, 7.6 and 7.9). */
#define PCICAP_EXT_ID_AER	0x0001	/* advanced error reporting */
#define PCICAP_EXT_ID_VC	0x0002
#define PCICAP_EXT_ID_DSN	0x0003	/* device serial number */
#define PCICAP_EXT_ID_PWR	0x0004
#define PCICAP_EXT_ID_VNDR	0x000b
#define PCICAP_EXT_ID_ACS	0x000d
#define PCICAP_EXT_ID_ARI	0x000e
#define PCICAP_EXT_ID_ATS	0x000f
#define PCICAP_EXT_ID_SRIOV	0x0010
#define PCICAP_EXT_ID_LTR	0x0018
#define PCICAP_EXT_ID_L1SS	0x001e

/* Walk bounds: (256 - 64) / 4 and (4096 - 256) / 4 are the most capabilities that fit. */
#define PCICAP_MAX_STD		48
#define PCICAP_MAX_EXT		960

/* A function's config space: read32 is called only with dword-aligned offsets < size. */
struct pcicap_cfg {
	uint32_t (*read32)(void *ctx, uint16_t off);
	void *ctx;
	uint16_t size;		/* 256 (conventional) or 4096 (PCIe) */
};

/* Byte at off (any alignment); 0xff when off is outside config space, like absent hardware. */
uint8_t pcicap_read8(const struct pcicap_cfg *c, uint16_t off);

/* 16-bit little-endian value at off (any alignment); 0xffff outside config space. */
uint16_t pcicap_read16(const struct pcicap_cfg *c, uint16_t off);

/*
 * Next standard capability with this id after the one at start (0 = list head): offset, 0
 * none, <0 malformed. Every call checks the whole list, so a malformed list fails even when
 * the wanted cap comes before the fault, and `for (o = find(c, id, 0); o > 0; o = find(c, id, o))`
 * always ends. A start that is not a capability on the list is -HV_EINVAL.
 */
int pcicap_find(const struct pcicap_cfg *c, uint8_t id, uint16_t start);

/* Same for PCIe extended capabilities from 0x100; 0 when size < 4096 or none. */
int pcicap_find_ext(const struct pcicap_cfg *c, uint16_t id, uint16_t start);

/*
 * Calls fn for each standard capability in list order. Stops and returns fn's value when it
 * is nonzero (return negative values so they cannot be taken for a count); otherwise returns
 * the number visited. A malformed list returns <0 before fn is called at all.
 */
int pcicap_foreach(const struct pcicap_cfg *c,
		   int (*fn)(void *arg, uint8_t id, uint16_t off), void *arg);

/* MSI capability summary (PCI 3.0, 6.8.1). */
struct pcicap_msi {
	uint16_t off;		/* capability offset */
	bool is64;		/* 64-bit message address */
	bool maskable;		/* per-vector mask and pending bits */
	unsigned max_vectors;	/* 1, 2, 4, 8, 16 or 32 */
};

/* Fills out from the MSI capability: 0, -HV_ENOENT when absent, <0 malformed. */
int pcicap_msi_info(const struct pcicap_cfg *c, struct pcicap_msi *out);

/* MSI-X capability summary (PCI 3.0, 6.8.2). */
struct pcicap_msix {
	uint16_t off;		/* capability offset */
	unsigned table_size;	/* number of vectors, 1..2048 */
	uint8_t table_bir;	/* BAR holding the vector table, 0..5 */
	uint32_t table_off;	/* offset of the table in that BAR (8-byte aligned) */
	uint8_t pba_bir;	/* BAR holding the pending bit array, 0..5 */
	uint32_t pba_off;	/* offset of the PBA in that BAR (8-byte aligned) */
};

/* Fills out from the MSI-X capability: 0, -HV_ENOENT when absent, <0 malformed (e.g. BIR > 5). */
int pcicap_msix_info(const struct pcicap_cfg *c, struct pcicap_msix *out);

#endif
