/*
 * DDK: PCI functions and drivers. A driver module registers one struct hv_pci_driver from
 * hv_module_init(); the kernel binds it to every function its module's ID table (the
 * HV_MODULE metadata) matches best. probe maps, resets and identifies; rings and
 * interrupts start when the class interface opens the device (netdev, blkdev).
 */
#ifndef HV_PCI_H
#define HV_PCI_H

#include <stddef.h>
#include <stdint.h>
#include <hv/io.h>
#include <hv/pciid.h>

struct hv_pci_dev;	/* opaque */

struct hv_pci_info {
	uint16_t segment;
	uint8_t bus, dev, fn;
	uint8_t revision;
	uint16_t vendor, device, subvendor, subdevice;
	uint32_t class;		/* base << 16 | sub << 8 | prog-if */
	char slot[16];		/* "BB:DD.F" or "SSSS:BB:DD.F" */
};

struct hv_pci_driver {
	const char *name;
	/* ID table; NULL means the module's HV_MODULE table (the usual case). */
	const struct hv_pci_id *ids;
	/* 0 to take the function, -HV_Exxx to leave it. id is the entry that matched. */
	int (*probe)(struct hv_pci_dev *d, const struct hv_pci_id *id);
	/* Quiesce the device and free everything probe and later calls allocated. */
	void (*remove)(struct hv_pci_dev *d);
	void *kernel_private;	/* owned by the kernel */
};

/* Register the module's driver (call from hv_module_init). 0 or -HV_Exxx. */
int hv_pci_register_driver(struct hv_pci_driver *drv);
/* Unbind from every function and unregister (call from hv_module_exit). */
void hv_pci_unregister_driver(struct hv_pci_driver *drv);

void hv_pci_get_info(const struct hv_pci_dev *d, struct hv_pci_info *out);
void hv_pci_set_drvdata(struct hv_pci_dev *d, void *data);
void *hv_pci_get_drvdata(const struct hv_pci_dev *d);

/* Configuration space; off < 256 (4096 on PCI Express through ECAM). */
uint32_t hv_pci_cfg_read32(const struct hv_pci_dev *d, uint16_t off);
uint16_t hv_pci_cfg_read16(const struct hv_pci_dev *d, uint16_t off);
uint8_t hv_pci_cfg_read8(const struct hv_pci_dev *d, uint16_t off);
void hv_pci_cfg_write32(struct hv_pci_dev *d, uint16_t off, uint32_t v);
void hv_pci_cfg_write16(struct hv_pci_dev *d, uint16_t off, uint16_t v);

#define HV_PCI_ENABLE_IO	0x1
#define HV_PCI_ENABLE_MEM	0x2
#define HV_PCI_ENABLE_MASTER	0x4	/* bus mastering: needed for DMA and MSI */
/* Turn on decoding and/or bus mastering. */
void hv_pci_enable(struct hv_pci_dev *d, unsigned what);
/* Turn them off again, e.g. bus mastering in remove, before the DMA memory is freed. */
void hv_pci_disable(struct hv_pci_dev *d, unsigned what);

/* A handle to BAR n (0..5) for the hv_bar_* accessors (hv/io.h): a memory BAR mapped
 * uncacheable, or an I/O BAR. NULL for an unimplemented BAR or one the hypervisor cannot
 * reach. The handle lives as long as the function. */
struct hv_bar *hv_pci_bar(struct hv_pci_dev *d, int n);

/* DDK 2.3. The firmware revision the device reported to its driver (NVMe Identify
 * Controller FR, ATA IDENTIFY words 23-26, SCSI INQUIRY product revision level, a NIC's NVM
 * version word ...), exactly as read, blanks at either end dropped. A driver calls it from
 * probe when its device has one and never makes one up for a device that has none. The
 * kernel logs it, sends it on the result channel (the pci record's fw) and certification
 * compares it with the list. 0, or -HV_EINVAL for an empty revision, one longer than
 * HV_PCI_FIRMWARE_MAX - 1 bytes, or one with a byte outside printable ASCII or a '"'. */
#define HV_PCI_FIRMWARE_MAX	32
int hv_pci_set_firmware(struct hv_pci_dev *d, const char *rev);

#endif
