/*
 * certify: a host PCI function passed to QEMU with vfio-pci under KVM (`certify run
 * --host-device DDDD:BB:DD.F`, docs/certify.md, "VFIO target"). Everything is read from
 * sysfs under a root (/sys, or a fake tree for tests): the function's IDs and interrupt
 * capabilities (recorded like a QEMU model's), its IOMMU group, and the driver of every
 * function in the group, each of which must be vfio-pci; --bind rebinds them and
 * certify_vfio_restore gives each its driver back.
 */
#ifndef CERTIFY_VFIO_H
#define CERTIFY_VFIO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "models.h"

#define CERTIFY_VFIO_MAX_FN	64	/* functions in one IOMMU group */

struct certify_vfio_fn {
	char addr[16];		/* DDDD:BB:DD.F */
	char driver[64];	/* "" when unbound */
	uint32_t class;
	char orig[64];		/* --bind: the driver it had, to give back */
	int rebound;		/* --bind changed it */
};

struct certify_vfio {
	char root[512];		/* sysfs root */
	char addr[16];
	char group[16];		/* IOMMU group number */
	struct certify_vfio_fn fn[CERTIFY_VFIO_MAX_FN];
	size_t nfn;
	char props[48];		/* ",host=DDDD:BB:DD.F" for the -device line */
	char label[48];		/* "host:0000:01:00.0", the model name stored */
	struct certify_model m;	/* the IDs and capabilities as a model (attach recipe VFIO) */
};

/* Parses DOMAIN:BUS:DEV.FN (hex; "0000:01:00.0") into its canonical form. 0 or -1. */
int certify_vfio_parse(const char *arg, char out[16], struct certify_err *err);

/* Reads the function at addr under root: IDs, class, capabilities, IOMMU group and its
 * functions' drivers. 0, or -1 with a one-line error naming the function and the file. */
int certify_vfio_open(struct certify_vfio *v, const char *root, const char *addr,
		      struct certify_err *err);

/* Every function of the group is bound to vfio-pci (PCI bridges, class 0x0604, are left to
 * their driver). 0, or -1 naming the first that is not. */
int certify_vfio_check(const struct certify_vfio *v, struct certify_err *err);

/* Binds every function of the group that is not on vfio-pci to it (driver_override), then
 * reads the drivers again and checks. 0 or -1; what it changed is recorded for restore. */
int certify_vfio_bind(struct certify_vfio *v, struct certify_err *err);

/* Gives every function --bind moved its original driver back. 0, or -1 with the first
 * failure (the others are still tried). */
int certify_vfio_restore(struct certify_vfio *v, struct certify_err *err);

#endif
