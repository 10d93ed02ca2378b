/*
 * PCI configuration space register offsets and bits (PCI Local Bus Spec 3.0, ch. 6;
 * PCI-to-PCI Bridge Spec 1.2, ch. 3; MSI/MSI-X from PCI 3.0 sec. 6.8).
 * Shared by the kernel and the host tools; offsets are bytes from the function's config base.
 */
#ifndef LIB_PCIREG_H
#define LIB_PCIREG_H

/* Type 0 and type 1 common header (PCI 3.0, 6.1). */
#define PCI_VENDOR_ID		0x00	/* 16 bits; 0xffff = no function */
#define PCI_DEVICE_ID		0x02	/* 16 bits */
#define PCI_COMMAND		0x04	/* 16 bits */
#define PCI_STATUS		0x06	/* 16 bits */
#define PCI_REVISION_ID		0x08	/* 8 bits */
#define PCI_CLASS_PROG		0x09	/* 8 bits: programming interface */
#define PCI_CLASS_SUB		0x0a	/* 8 bits: sub-class */
#define PCI_CLASS_BASE		0x0b	/* 8 bits: base class */
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e	/* bits 6:0 layout, bit 7 multi-function */
#define PCI_BIST		0x0f

#define PCI_HEADER_TYPE_MASK	0x7f
#define PCI_HEADER_TYPE_NORMAL	0x00
#define PCI_HEADER_TYPE_BRIDGE	0x01
#define PCI_HEADER_TYPE_CARDBUS	0x02
#define PCI_HEADER_MULTIFUNC	0x80

/* Type 0 header (endpoints). */
#define PCI_BAR0		0x10	/* six 32-bit BARs, 0x10..0x24 */
#define PCI_BAR_COUNT		6
#define PCI_BAR(n)		(PCI_BAR0 + 4 * (n))
#define PCI_CARDBUS_CIS		0x28
#define PCI_SUBSYS_VENDOR_ID	0x2c
#define PCI_SUBSYS_ID		0x2e
#define PCI_ROM_ADDRESS		0x30
#define PCI_CAP_PTR		0x34	/* 8 bits, valid when PCI_STATUS_CAP_LIST is set */
#define PCI_INT_LINE		0x3c
#define PCI_INT_PIN		0x3d	/* 0 = none, 1..4 = INTA#..INTD# */
#define PCI_MIN_GNT		0x3e
#define PCI_MAX_LAT		0x3f

/* Type 1 header (PCI-to-PCI bridges, Bridge Spec 1.2, 3.2). */
#define PCI_BRIDGE_BAR_COUNT	2
#define PCI_PRIMARY_BUS		0x18
#define PCI_SECONDARY_BUS	0x19
#define PCI_SUBORDINATE_BUS	0x1a
#define PCI_SEC_LATENCY_TIMER	0x1b
#define PCI_BRIDGE_CONTROL	0x3e

/* Capability list and the end of the standard header. */
#define PCI_STD_HEADER_SIZE	0x40	/* capabilities live at or above this */
#define PCI_CFG_SIZE		256	/* conventional PCI */
#define PCI_CFG_SIZE_EXT	4096	/* PCI Express */
#define PCI_EXT_CAP_START	0x100	/* first extended capability (PCIe base 4.0, 7.6) */

/* Bits of PCI_COMMAND (PCI 3.0, 6.2.2). */
#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEM		0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_SERR	0x0100
#define PCI_COMMAND_INTX_DISABLE 0x0400

/* Bits of PCI_STATUS (PCI 3.0, 6.2.3). */
#define PCI_STATUS_INTX		0x0008	/* INTx asserted */
#define PCI_STATUS_CAP_LIST	0x0010	/* PCI_CAP_PTR is valid */
#define PCI_STATUS_66MHZ	0x0020

/* BAR low bits (PCI 3.0, 6.2.5.1). */
#define PCI_BAR_IO		0x1
#define PCI_BAR_MEM_TYPE_MASK	0x6
#define PCI_BAR_MEM_TYPE_32	0x0
#define PCI_BAR_MEM_TYPE_1M	0x2	/* reserved since PCI 3.0 */
#define PCI_BAR_MEM_TYPE_64	0x4
#define PCI_BAR_MEM_PREFETCH	0x8
#define PCI_BAR_IO_MASK		0xfffffffcu
#define PCI_BAR_MEM_MASK	0xfffffff0u

/* MSI capability (PCI 3.0, 6.8.1); offsets from the capability. */
#define PCI_MSI_CTRL		0x02	/* 16-bit message control */
#define PCI_MSI_ADDR_LO		0x04
#define PCI_MSI_ADDR_HI		0x08	/* 64-bit capable only */
#define PCI_MSI_DATA_32		0x08
#define PCI_MSI_DATA_64		0x0c
#define PCI_MSI_MASK_32		0x0c	/* per-vector masking only */
#define PCI_MSI_MASK_64		0x10
#define PCI_MSI_CTRL_ENABLE	0x0001
#define PCI_MSI_CTRL_MMC_MASK	0x000e	/* multiple message capable, log2 */
#define PCI_MSI_CTRL_MMC_SHIFT	1
#define PCI_MSI_CTRL_MME_MASK	0x0070	/* multiple message enable, log2 */
#define PCI_MSI_CTRL_MME_SHIFT	4
#define PCI_MSI_CTRL_64BIT	0x0080
#define PCI_MSI_CTRL_MASKABLE	0x0100

/* MSI-X capability (PCI 3.0, 6.8.2); offsets from the capability. */
#define PCI_MSIX_CTRL		0x02
#define PCI_MSIX_TABLE		0x04	/* BIR in bits 2:0, offset in 31:3 */
#define PCI_MSIX_PBA		0x08
#define PCI_MSIX_CTRL_SIZE_MASK	0x07ff	/* table size minus one */
#define PCI_MSIX_CTRL_FMASK	0x4000	/* function mask */
#define PCI_MSIX_CTRL_ENABLE	0x8000
#define PCI_MSIX_BIR_MASK	0x7
#define PCI_MSIX_OFF_MASK	0xfffffff8u
#define PCI_MSIX_ENTRY_SIZE	16

#endif
