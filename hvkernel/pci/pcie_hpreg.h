/* PCI Express native hot-plug registers in the PCIe capability (PCIe Base 4.0, 7.5.3.2,
 * 7.5.3.9-7.5.3.11). Offsets are from the capability. */
#ifndef PCI_PCIE_HPREG_H
#define PCI_PCIE_HPREG_H

#define PCIE_CAP_FLAGS		0x02
#define PCIE_CAP_FLAGS_SLOT	(1u << 8)	/* slot implemented */
#define PCIE_SLOT_CAP		0x14
#define PCIE_SLOT_CTL		0x18
#define PCIE_SLOT_STA		0x1a

#define PCIE_SLTCAP_ABP		(1u << 0)	/* attention button present */
#define PCIE_SLTCAP_PCP		(1u << 1)	/* power controller present */
#define PCIE_SLTCAP_HPC		(1u << 6)	/* hot-plug capable */

#define PCIE_SLTCTL_ABPE	(1u << 0)	/* attention button pressed enable */
#define PCIE_SLTCTL_PDCE	(1u << 3)	/* presence detect changed enable */
#define PCIE_SLTCTL_HPIE	(1u << 5)	/* hot-plug interrupt enable */
#define PCIE_SLTCTL_AIC_OFF	(3u << 6)	/* attention indicator off */
#define PCIE_SLTCTL_PIC_MASK	(3u << 8)
#define PCIE_SLTCTL_PIC_ON	(1u << 8)	/* power indicator on */
#define PCIE_SLTCTL_PIC_OFF	(3u << 8)
#define PCIE_SLTCTL_PCC		(1u << 10)	/* power controller control: 1 = off */

#define PCIE_SLTSTA_ABP		(1u << 0)	/* attention button pressed */
#define PCIE_SLTSTA_PDC		(1u << 3)	/* presence detect changed */
#define PCIE_SLTSTA_PDS		(1u << 6)	/* presence detect state */
#define PCIE_SLTSTA_RW1C	0x011f		/* the write-1-to-clear event bits */

#endif
