/*
 * Virtio over PCI: registers and ring structures, as laid down in Virtual I/O Device
 * (VIRTIO) Version 1.1. Section numbers below are that document's.
 */
#ifndef VIRTIO_PCIREG_H
#define VIRTIO_PCIREG_H

#include <stdint.h>

#define VIRTIO_PCI_VENDOR		0x1af4
/* 4.1.2.1: transitional devices 0x1000..0x103f, modern ones 0x1040 + device type. */
#define VIRTIO_PCI_DEVICE_LEGACY_MIN	0x1000
#define VIRTIO_PCI_DEVICE_LEGACY_MAX	0x103f
#define VIRTIO_PCI_DEVICE_MODERN_MIN	0x1040

/* 2.1: device status field. */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* 6: reserved feature bits. */
#define VIRTIO_F_INDIRECT_DESC		28
#define VIRTIO_F_EVENT_IDX		29
#define VIRTIO_F_ANY_LAYOUT		27	/* legacy only (2.6.4.3) */
#define VIRTIO_F_VERSION_1		32

/* 4.1.4: PCI configuration space, vendor-specific capability (cap_vndr 0x09). */
#define VIRTIO_PCI_CAP_ID		0x09
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5

/* struct virtio_pci_cap, byte offsets from the capability. */
#define VIRTIO_PCI_CAP_VNDR		0	/* u8: 0x09 */
#define VIRTIO_PCI_CAP_NEXT		1	/* u8 */
#define VIRTIO_PCI_CAP_LEN		2	/* u8 */
#define VIRTIO_PCI_CAP_CFG_TYPE		3	/* u8: VIRTIO_PCI_CAP_* */
#define VIRTIO_PCI_CAP_BAR		4	/* u8 */
#define VIRTIO_PCI_CAP_OFFSET		8	/* le32 */
#define VIRTIO_PCI_CAP_LENGTH		12	/* le32 */
#define VIRTIO_PCI_NOTIFY_CAP_MULT	16	/* le32, notify capability only (4.1.4.4) */

/* PCI configuration header bits used to find the capability list (PCI 3.0, 6.7). */
#define VIRTIO_PCI_CFG_STATUS		0x06
#define VIRTIO_PCI_STATUS_CAP_LIST	0x10
#define VIRTIO_PCI_CFG_CAP_PTR		0x34

/* 4.1.4.3: common configuration structure, byte offsets. */
#define VIRTIO_PCI_COMMON_DFSELECT	0x00	/* le32 device_feature_select */
#define VIRTIO_PCI_COMMON_DF		0x04	/* le32 device_feature */
#define VIRTIO_PCI_COMMON_GFSELECT	0x08	/* le32 driver_feature_select */
#define VIRTIO_PCI_COMMON_GF		0x0c	/* le32 driver_feature */
#define VIRTIO_PCI_COMMON_MSIX		0x10	/* le16 msix_config */
#define VIRTIO_PCI_COMMON_NUMQ		0x12	/* le16 num_queues */
#define VIRTIO_PCI_COMMON_STATUS	0x14	/* u8 device_status */
#define VIRTIO_PCI_COMMON_CFGGEN	0x15	/* u8 config_generation */
#define VIRTIO_PCI_COMMON_Q_SELECT	0x16	/* le16 queue_select */
#define VIRTIO_PCI_COMMON_Q_SIZE	0x18	/* le16 queue_size */
#define VIRTIO_PCI_COMMON_Q_MSIX	0x1a	/* le16 queue_msix_vector */
#define VIRTIO_PCI_COMMON_Q_ENABLE	0x1c	/* le16 queue_enable */
#define VIRTIO_PCI_COMMON_Q_NOFF	0x1e	/* le16 queue_notify_off */
#define VIRTIO_PCI_COMMON_Q_DESC	0x20	/* le64 queue_desc */
#define VIRTIO_PCI_COMMON_Q_AVAIL	0x28	/* le64 queue_driver */
#define VIRTIO_PCI_COMMON_Q_USED	0x30	/* le64 queue_device */

/* 4.1.4.5: ISR status bits (read clears them). */
#define VIRTIO_PCI_ISR_QUEUE		0x1
#define VIRTIO_PCI_ISR_CONFIG		0x2

/* 4.1.5.1.2: "no vector" for msix_config and queue_msix_vector. */
#define VIRTIO_MSI_NO_VECTOR		0xffff

/* 4.1.4.8: the legacy interface, in I/O BAR 0. */
#define VIRTIO_LEGACY_DEVICE_FEATURES	0x00	/* le32 */
#define VIRTIO_LEGACY_DRIVER_FEATURES	0x04	/* le32 */
#define VIRTIO_LEGACY_QUEUE_PFN		0x08	/* le32: address >> 12 */
#define VIRTIO_LEGACY_QUEUE_SIZE	0x0c	/* le16, read-only */
#define VIRTIO_LEGACY_QUEUE_SELECT	0x0e	/* le16 */
#define VIRTIO_LEGACY_QUEUE_NOTIFY	0x10	/* le16 */
#define VIRTIO_LEGACY_STATUS		0x12	/* u8 */
#define VIRTIO_LEGACY_ISR		0x13	/* u8 */
/* Present only while MSI-X is enabled; the device configuration follows them. */
#define VIRTIO_LEGACY_MSIX_CONFIG	0x14	/* le16 */
#define VIRTIO_LEGACY_MSIX_QUEUE	0x16	/* le16 */
#define VIRTIO_LEGACY_CONFIG		0x14	/* device configuration without MSI-X */
#define VIRTIO_LEGACY_CONFIG_MSIX	0x18	/* device configuration with MSI-X */
#define VIRTIO_LEGACY_PFN_SHIFT		12
#define VIRTIO_LEGACY_ALIGN		4096	/* 2.6.2: legacy queue alignment */

/* 2.6.5: the descriptor table. */
#define VIRTQ_DESC_F_NEXT		1
#define VIRTQ_DESC_F_WRITE		2
#define VIRTQ_DESC_F_INDIRECT		4

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* 2.6.6: the available ring (driver area); used_event follows ring[size]. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

/* 2.6.8: the used ring (device area); avail_event follows ring[size]. */
#define VIRTQ_USED_F_NO_NOTIFY		1

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

_Static_assert(sizeof(struct virtq_desc) == 16, "2.6.5: descriptors are 16 bytes");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "2.6.8: used elements are 8 bytes");

#endif
