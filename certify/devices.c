/* certify: the default set of emulated devices. */
#include <string.h>

#include "devices.h"

static int dev_disk(struct qemu_config *cfg, const char *name, unsigned mib)
{
	struct qemu_disk *d;

	if (cfg->ndisks == QEMU_MAX_DISKS)
		return -1;
	d = &cfg->disks[cfg->ndisks++];
	memset(d, 0, sizeof(*d));
	strncpy(d->name, name, sizeof(d->name) - 1);
	d->size = (uint64_t)mib << 20;
	return 0;
}

int certify_default_devices(const char *machine, struct certify_strv *args,
			    struct qemu_config *cfg)
{
	int q35 = strcmp(machine, "q35") == 0, r = 0;

	r |= dev_disk(cfg, "nvme0", 64);
	r |= dev_disk(cfg, "sata0", 64);
	r |= dev_disk(cfg, "vblk0", 64);
	/* romfile= drops the PXE option ROMs: SeaBIOS runs them, ~1 s under KVM. */
	r |= certify_strv_split(args, "-device e1000,romfile= -device virtio-net-pci,romfile= "
				      "-device rtl8139,romfile= -device vmxnet3,romfile=");
	if (q35)
		r |= certify_strv_split(args, "-device pcie-root-port,id=rp1,chassis=1,slot=1 "
					      "-device e1000e,bus=rp1,romfile=");
	else
		r |= certify_strv_split(args, "-device e1000e,romfile=");
	r |= certify_strv_split(args,
		"-drive file=${disk:nvme0},if=none,id=nvme0,format=raw "
		"-device nvme,serial=hvboot0,drive=nvme0 "
		"-device ich9-ahci,id=ahci0 "
		"-drive file=${disk:sata0},if=none,id=sata0,format=raw "
		"-device ide-hd,drive=sata0,bus=ahci0.0 "
		"-drive file=${disk:vblk0},if=none,id=vblk0,format=raw "
		"-device virtio-blk-pci,drive=vblk0");
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
