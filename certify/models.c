/* certify: the QEMU device models we know (models.h). */
#include <stddef.h>
#include <string.h>

#include "models.h"

#define MX CERTIFY_IRQ_MSIX
#define MS CERTIFY_IRQ_MSI
#define IX CERTIFY_IRQ_INTX
#define NET CERTIFY_ATTACH_NETDEV, NULL, 0, 0

/*
 * Vendor/device IDs, classes and interrupt capabilities as QEMU 7.2 presents them
 * (hw/net, hw/nvme, hw/ide, hw/virtio): the 8254x e1000 and the RTL8139 have INTx only,
 * virtio and NVMe MSI-X (no MSI), ICH9 AHCI MSI, PVSCSI (hw/scsi/vmw_pvscsi.c) MSI only,
 * MegaRAID SAS (hw/scsi/megasas.c) MSI-X and MSI, the Fusion-MPT SAS1068
 * (hw/scsi/mptsas.c, class SCSI, subsystem 1000:8000) MSI only.
 */
static const struct certify_model certify_model_table[] = {
	{ "e1000", 0x8086, 0x100e, 0x020000, CERTIFY_KIND_NIC, IX, "Intel", "82540EM Gigabit Ethernet", NET },
	{ "e1000-82544gc", 0x8086, 0x100c, 0x020000, CERTIFY_KIND_NIC, IX, "Intel", "82544GC Gigabit Ethernet", NET },
	{ "e1000-82545em", 0x8086, 0x100f, 0x020000, CERTIFY_KIND_NIC, IX, "Intel", "82545EM Gigabit Ethernet", NET },
	{ "e1000e", 0x8086, 0x10d3, 0x020000, CERTIFY_KIND_NIC, MX | MS | IX, "Intel", "82574L Gigabit Ethernet", NET },
	{ "virtio-net-pci", 0x1af4, 0x1000, 0x020000, CERTIFY_KIND_NIC, MX | IX, "Red Hat", "Virtio network device", NET },
	{ "virtio-net-pci-non-transitional", 0x1af4, 0x1041, 0x020000, CERTIFY_KIND_NIC, MX | IX, "Red Hat",
	  "Virtio 1.0 network device", NET },
	{ "rtl8139", 0x10ec, 0x8139, 0x020000, CERTIFY_KIND_NIC, IX, "Realtek", "RTL-8139 Fast Ethernet", NET },
	{ "vmxnet3", 0x15ad, 0x07b0, 0x020000, CERTIFY_KIND_NIC, MX | MS | IX, "VMware", "VMXNET3 Ethernet", NET },
	{ "nvme", 0x1b36, 0x0010, 0x010802, CERTIFY_KIND_STORAGE, MX | IX, "Red Hat", "QEMU NVM Express Controller",
	  CERTIFY_ATTACH_NVME, NULL, 1, 0 },
	{ "ich9-ahci", 0x8086, 0x2922, 0x010601, CERTIFY_KIND_STORAGE, MS | IX, "Intel", "82801IR/IO (ICH9R) SATA AHCI",
	  CERTIFY_ATTACH_AHCI, "ahci", 0, 1 },
	{ "pvscsi", 0x15ad, 0x07c0, 0x010000, CERTIFY_KIND_STORAGE, MS | IX, "VMware", "PVSCSI SCSI Controller",
	  CERTIFY_ATTACH_SCSI, "pvscsi", 0, 0 },
	{ "megasas", 0x1000, 0x0060, 0x010400, CERTIFY_KIND_STORAGE, MX | MS | IX, "LSI Logic", "MegaRAID SAS 1078",
	  CERTIFY_ATTACH_SCSI, "megasas", 0, 0 },
	{ "megasas-gen2", 0x1000, 0x0079, 0x010400, CERTIFY_KIND_STORAGE, MX | MS | IX, "LSI Logic", "MegaRAID SAS 2108",
	  CERTIFY_ATTACH_SCSI, "megasas", 0, 0 },
	{ "mptsas1068", 0x1000, 0x0054, 0x010000, CERTIFY_KIND_STORAGE, MS | IX, "LSI Logic",
	  "SAS1068 PCI-X Fusion-MPT SAS", CERTIFY_ATTACH_SCSI, "mptsas", 0, 0 },
	{ "virtio-blk-pci", 0x1af4, 0x1001, 0x010000, CERTIFY_KIND_STORAGE, MX | IX, "Red Hat", "Virtio block device",
	  CERTIFY_ATTACH_DRIVE, NULL, 0, 0 },
	{ "virtio-blk-pci-non-transitional", 0x1af4, 0x1042, 0x010000, CERTIFY_KIND_STORAGE, MX | IX, "Red Hat",
	  "Virtio 1.0 block device", CERTIFY_ATTACH_DRIVE, NULL, 0, 0 },
	{ "edu", 0x1234, 0x11e8, 0x00ff00, CERTIFY_KIND_OTHER, MS | IX, "QEMU", "edu educational device",
	  CERTIFY_ATTACH_PLAIN, NULL, 0, 0 },
	{ NULL, 0, 0, 0, CERTIFY_KIND_OTHER, 0, NULL, NULL, CERTIFY_ATTACH_PLAIN, NULL, 0, 0 },
};

const struct certify_model *certify_models(void)
{
	return certify_model_table;
}

const struct certify_model *certify_model_find(const char *model)
{
	for (const struct certify_model *m = certify_model_table; m->model; m++) {
		if (strcmp(m->model, model) == 0)
			return m;
	}
	return NULL;
}

unsigned certify_irq_bit(const char *mode)
{
	return !strcmp(mode, "msix") ? MX : !strcmp(mode, "msi") ? MS : !strcmp(mode, "intx") ? IX : 0;
}

const char *certify_kind_name(enum certify_kind k)
{
	return k == CERTIFY_KIND_NIC ? "nic" : k == CERTIFY_KIND_STORAGE ? "storage" : "other";
}
