/* certify: compare the kernel's PCI inventory with QEMU's own (QMP query-pci). */
#ifndef CERTIFY_PCIORACLE_H
#define CERTIFY_PCIORACLE_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "hvrrun.h"
#include "strv.h"

/* One PCI function as QEMU reports it. QEMU 7.2 reports no revision and no prog-if. */
struct certify_pcifn {
	unsigned bus, dev, fn;
	uint16_t vid, did;
	uint16_t class;		/* base << 8 | sub */
	int has_subsys;		/* QEMU reports subsystem IDs for header type 0 only */
	uint16_t svid, ssid;
	int has_rev;
	uint8_t rev;
	char qdev_id[32];	/* the -device id, "" when it has none */
};

struct certify_pcilist {
	struct certify_pcifn *fn;
	size_t n;
};

/*
 * Flattens the "return" value of query-pci (buses, their devices, and the devices
 * behind every pci_bridge, recursively). Returns 0, or -1 when the JSON is not shaped
 * like a query-pci answer.
 */
int certify_pci_from_qmp(json_object *ret, struct certify_pcilist *out, struct certify_err *err);

void certify_pcilist_free(struct certify_pcilist *l);

/*
 * Compares QEMU's functions with the kernel's `pci` records: the same set of
 * functions (segment 0), and for each the same IDs and class (and subsystem and
 * revision where QEMU reports them). Appends one line per difference to diffs.
 * Returns the number of differences.
 */
size_t certify_pci_compare(const struct certify_pcilist *qemu, const struct hvr_pci *kernel,
			   size_t nkernel, struct certify_strv *diffs);

#endif
