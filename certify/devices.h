/* certify: the default set of emulated devices (hvboot, hvbench, make run). */
#ifndef CERTIFY_DEVICES_H
#define CERTIFY_DEVICES_H

#include "qemu.h"
#include "strv.h"

/*
 * Appends to args the default NICs and storage controllers for machine ("pc" or
 * "q35") and declares their scratch disks in cfg->disks: e1000, e1000e,
 * virtio-net-pci, rtl8139, vmxnet3, nvme, ich9-ahci with a SATA disk and
 * virtio-blk-pci; on q35 the e1000e sits behind a pcie-root-port.
 * Returns 0, or -1 when out of memory or out of disk slots.
 */
int certify_default_devices(const char *machine, struct certify_strv *args,
			    struct qemu_config *cfg);

/* A short name of a PCI class (base, sub), e.g. "Ethernet", "NVMe"; "" when unknown. */
const char *certify_pci_class_name(unsigned base, unsigned sub);

#endif
