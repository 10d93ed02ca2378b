/*
 * libpci inputs: this machine (the default access method) and `lspci -x`/`-xxx` dumps
 * (PCI_ACCESS_DUMP). libpci reports errors through a callback that must not return, so
 * the callback jumps back here and the error becomes an ordinary one-line message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <pci/pci.h>
#include "hcl.h"

static jmp_buf hcl_pci_jmp;
static char hcl_pci_msg[256];

static _Noreturn void hcl_pci_error(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(hcl_pci_msg, sizeof(hcl_pci_msg), msg, ap);
	va_end(ap);
	longjmp(hcl_pci_jmp, 1);
}

static void hcl_pci_quiet(char *msg, ...)
{
	(void)msg;
}

static int hcl_inv_push(struct hcl_inv *inv, const struct hcl_dev *d)
{
	if (inv->n == inv->cap) {
		size_t cap = inv->cap ? inv->cap * 2 : 32;
		struct hcl_dev *nd = realloc(inv->devs, cap * sizeof(*nd));

		if (!nd)
			return -1;
		inv->devs = nd;
		inv->cap = cap;
	}
	inv->devs[inv->n++] = *d;
	return 0;
}

/* Slot order, with "bb:dd.f" read as domain 0000. */
static int hcl_slot_cmp(const void *a, const void *b)
{
	const char *x = ((const struct hcl_dev *)a)->slot, *y = ((const struct hcl_dev *)b)->slot;
	char nx[40], ny[40];

	snprintf(nx, sizeof(nx), "%s%s", strlen(x) == 7 ? "0000:" : "", x);
	snprintf(ny, sizeof(ny), "%s%s", strlen(y) == 7 ? "0000:" : "", y);
	return strcmp(nx, ny);
}

static int hcl_pci_collect(struct pci_access *pacc, struct hcl_inv *inv)
{
	for (struct pci_dev *p = pacc->devices; p; p = p->next) {
		struct hcl_dev d;
		int known = pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT |
					      PCI_FILL_SUBSYS | PCI_FILL_DRIVER);
		const char *drv = (known & PCI_FILL_DRIVER) ?
				  pci_get_string_property(p, PCI_FILL_DRIVER) : NULL;

		memset(&d, 0, sizeof(d));
		if (p->domain)
			snprintf(d.slot, sizeof(d.slot), "%04x:%02x:%02x.%d", p->domain, p->bus,
				 p->dev, p->func);
		else
			snprintf(d.slot, sizeof(d.slot), "%02x:%02x.%d", p->bus, p->dev, p->func);
		d.vid = p->vendor_id;
		d.did = p->device_id;
		/* A subsystem vendor of 0000 means the function has no subsystem IDs. */
		if ((known & PCI_FILL_SUBSYS) && p->subsys_vendor_id && p->subsys_vendor_id != 0xffff) {
			d.svid = p->subsys_vendor_id;
			d.ssid = p->subsys_id;
		}
		d.class = (uint32_t)p->device_class << 8 |
			  ((known & PCI_FILL_CLASS_EXT) ? (uint8_t)p->prog_if : 0);
		if (drv)
			snprintf(d.driver, sizeof(d.driver), "%s", drv);
		hcl_names(d.vid, d.did, d.svid, d.ssid, d.vendor, sizeof(d.vendor), d.model,
			  sizeof(d.model));
		if (hcl_inv_push(inv, &d) < 0)
			return -1;
	}
	/* The dump method builds its list by prepending, sysfs in directory order: sort. */
	qsort(inv->devs, inv->n, sizeof(*inv->devs), hcl_slot_cmp);
	return 0;
}

/* path: a dump file, or NULL for this machine. */
static int hcl_pci_read(struct hcl_inv *inv, const char *path, struct hcl_err *err)
{
	struct pci_access *volatile pacc = pci_alloc();
	int rc = -1;

	if (!pacc)
		return hcl_errf(err, "libpci: out of memory");
	pacc->error = hcl_pci_error;
	pacc->warning = hcl_pci_quiet;
	pacc->debug = hcl_pci_quiet;
	if (setjmp(hcl_pci_jmp)) {
		hcl_errf(err, "%s: %s", path ? path : "libpci", hcl_pci_msg);
		goto out;
	}
	if (path) {
		pacc->method = PCI_ACCESS_DUMP;
		/* The dump file must be named before pci_init. */
		pci_set_param(pacc, "dump.name", (char *)path);
	}
	pci_init(pacc);
	pci_scan_bus(pacc);
	if (hcl_pci_collect(pacc, inv) < 0) {
		hcl_errf(err, "out of memory");
		goto out;
	}
	if (inv->n == 0) {
		hcl_errf(err, "%s: no PCI devices found", path ? path : "this machine");
		goto out;
	}
	inv->format = path ? "dump" : "libpci";
	rc = 0;
out:
	pci_cleanup(pacc);
	return rc;
}

int hcl_inv_dump(struct hcl_inv *inv, const char *path, struct hcl_err *err)
{
	return hcl_pci_read(inv, path, err);
}

int hcl_inv_probe(struct hcl_inv *inv, struct hcl_err *err)
{
	memset(inv, 0, sizeof(*inv));
	return hcl_pci_read(inv, NULL, err);
}

int hcl_inv_add(struct hcl_inv *inv, const struct hcl_dev *d)
{
	return hcl_inv_push(inv, d);
}

void hcl_inv_free(struct hcl_inv *inv)
{
	free(inv->devs);
	memset(inv, 0, sizeof(*inv));
}
