/* certify: QEMU device models we know, and host-side reading of driver modules (.hvm). */
#ifndef CERTIFY_MODINFO_H
#define CERTIFY_MODINFO_H

#include <stddef.h>
#include <stdint.h>

#include <hv/pciid.h>

#include "err.h"

enum certify_kind { CERTIFY_KIND_NIC, CERTIFY_KIND_STORAGE, CERTIFY_KIND_OTHER };

/* Interrupt modes a device offers (its PCI capabilities). */
#define CERTIFY_IRQ_MSIX	1u
#define CERTIFY_IRQ_MSI		2u
#define CERTIFY_IRQ_INTX	4u

/* One QEMU device model and the PCI identity it presents. */
struct certify_model {
	const char *model;	/* QEMU -device name */
	uint16_t vid, did;
	uint32_t class;		/* base, sub, prog-if */
	enum certify_kind kind;
	unsigned irqs;		/* CERTIFY_IRQ_* */
	const char *vendor;	/* vendor name */
	const char *name;	/* marketing name of the emulated part */
};

/* The table of known models, ending with a NULL model. */
const struct certify_model *certify_models(void);

/* The model named `model`, or NULL. */
const struct certify_model *certify_model_find(const char *model);

/* The CERTIFY_IRQ_* bit of "msix", "msi" or "intx"; 0 for anything else ("none"). */
unsigned certify_irq_bit(const char *mode);

/* "nic", "storage", "other". */
const char *certify_kind_name(enum certify_kind k);

/* What the host reads from a module file without loading it. */
struct certify_modinfo {
	char path[512];
	char name[32], version[32], vendor[64], license[32];
	unsigned abi_major, abi_minor;
	char sha256[65];	/* hex of the whole file, as the kernel reports it */
	uint64_t size;
	struct hv_pci_id *ids;
	size_t nids;
};

/* Reads and validates path with the kernel's own parser. Returns 0, or -1 with a message. */
int certify_modinfo_read(const char *path, struct certify_modinfo *mi, struct certify_err *err);

void certify_modinfo_free(struct certify_modinfo *mi);

/* 1 when the module's ID table matches the model's identity (any subsystem). */
int certify_modinfo_matches(const struct certify_modinfo *mi, const struct certify_model *m);

/*
 * Lists the modules (*.hvm directly in dir, sorted by name) into *out. Unreadable modules
 * are skipped; their count goes to *nbad when nbad is not NULL. Returns the number, or -1.
 */
int certify_modinfo_scan(const char *dir, struct certify_modinfo **out, size_t *n, size_t *nbad,
			 struct certify_err *err);

void certify_modinfo_free_all(struct certify_modinfo *v, size_t n);

#endif
