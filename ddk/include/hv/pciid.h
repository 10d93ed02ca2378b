/*
 * PCI ID table entries: how a driver (and an HCL entry) says which functions it handles.
 * Part of the DDK ABI: the layout of struct hv_pci_id is fixed for ABI major 1.
 */
#ifndef HV_PCIID_H
#define HV_PCIID_H

#include <stdint.h>

/* A vendor, device, subvendor or subdevice field set to HV_PCI_ANY matches every value. */
#define HV_PCI_ANY	0xffffffffu

struct hv_pci_id {
	uint32_t vendor;	/* 16-bit vendor ID or HV_PCI_ANY */
	uint32_t device;	/* 16-bit device ID or HV_PCI_ANY */
	uint32_t subvendor;	/* subsystem vendor ID or HV_PCI_ANY */
	uint32_t subdevice;	/* subsystem ID or HV_PCI_ANY */
	uint32_t class;		/* (base << 16) | (sub << 8) | prog-if */
	uint32_t class_mask;	/* bits of class that must match; 0 ignores class */
	uintptr_t driver_data;	/* opaque to the core, handed back to probe */
};

/* Table terminator: an entry whose vendor, class_mask and subvendor are all zero. */
#define HV_PCI_ID_END	{ 0, 0, 0, 0, 0, 0, 0 }

/* Convenience initialisers. */
#define HV_PCI_DEVICE(v, d) \
	{ (v), (d), HV_PCI_ANY, HV_PCI_ANY, 0, 0, 0 }
#define HV_PCI_DEVICE_SUB(v, d, sv, sd) \
	{ (v), (d), (sv), (sd), 0, 0, 0 }
#define HV_PCI_CLASS(cls, mask) \
	{ HV_PCI_ANY, HV_PCI_ANY, HV_PCI_ANY, HV_PCI_ANY, (cls), (mask), 0 }

#endif
