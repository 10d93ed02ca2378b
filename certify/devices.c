/* certify: the default set of emulated devices. */
#include <string.h>

#include "attach.h"
#include "devices.h"
#include "models.h"

/* The default set, in PCI slot order: models of the table (models.c), attached by their
 * recipes; storage with a 64 MiB scratch disk each. */
static const struct { const char *model, *drive; } certify_default_set[] = {
	{ "e1000", NULL }, { "virtio-net-pci", NULL }, { "rtl8139", NULL }, { "vmxnet3", NULL },
	{ "e1000e", NULL }, { "nvme", "nvme0" }, { "ich9-ahci", "sata0" }, { "virtio-blk-pci", "vblk0" },
};

int certify_default_devices(const char *machine, struct certify_strv *args,
			    struct qemu_config *cfg)
{
	int q35 = strcmp(machine, "q35") == 0, r = 0;

	for (size_t i = 0; i < sizeof(certify_default_set) / sizeof(certify_default_set[0]); i++) {
		const char *drive = certify_default_set[i].drive;
		const struct certify_model *m = certify_model_find(certify_default_set[i].model);
		struct certify_attach at = { .props = "", .drive = drive, .serial = "hvboot0" };

		if (!m)
			return -1;
		/* On q35 the PCIe NIC sits behind a root port, as on a real board. */
		if (q35 && strcmp(m->model, "e1000e") == 0) {
			r |= certify_strv_split(args, "-device pcie-root-port,id=rp1,chassis=1,slot=1");
			at.props = ",bus=rp1";
		}
		if (drive)
			r |= certify_attach_drive(cfg, drive, 64u << 20, NULL, args);
		r |= certify_attach_device(m, &at, args);
	}
	return r ? -1 : 0;
}

const char *certify_pci_class_name(unsigned base, unsigned sub)
{
	static const struct { unsigned base, sub; const char *name; } names[] = {
		{ 0x01, 0x00, "SCSI" }, { 0x01, 0x01, "IDE" }, { 0x01, 0x04, "RAID" },
		{ 0x01, 0x06, "SATA" }, { 0x01, 0x07, "SAS" }, { 0x01, 0x08, "NVMe" },
		{ 0x01, 0xff, "storage" }, { 0x02, 0x00, "Ethernet" }, { 0x02, 0xff, "network" },
		{ 0x03, 0xff, "display" }, { 0x06, 0x00, "host bridge" }, { 0x06, 0x01, "ISA bridge" },
		{ 0x06, 0x04, "PCI bridge" }, { 0x06, 0x80, "bridge" }, { 0x06, 0xff, "bridge" },
		{ 0x0c, 0x03, "USB" }, { 0x0c, 0x05, "SMBus" }, { 0x00, 0xff, "unclassified" },
		{ 0xff, 0xff, "" },
	};
	size_t i;

	for (i = 0; names[i].base != 0xff; i++) {
		if (names[i].base == base && (names[i].sub == sub || names[i].sub == 0xff))
			return names[i].name;
	}
	return names[i].name;
}
