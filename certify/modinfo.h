/* certify: host-side reading of driver modules (.hvm), and whether one drives a model. */
#ifndef CERTIFY_MODINFO_H
#define CERTIFY_MODINFO_H

#include <stddef.h>
#include <stdint.h>

#include <hv/pciid.h>

#include "err.h"
#include "models.h"

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
