/*
 * This machine through libpci (the default access method; `hcl check` without --inventory).
 * libpci reports errors through a callback that must not return, so the callback jumps back
 * here and the error becomes an ordinary one-line message. (An `lspci -x` dump is read by
 * hcl_inv_lspci.c, which can say which line is wrong.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <pci/pci.h>
#include "hcl.h"

static jmp_buf hcl_pci_jmp;
static char hcl_pci_msg[256];

static void __attribute__((noreturn)) hcl_pci_error(char *msg, ...)
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

static int hcl_pci_cmp(const void *a, const void *b)
{
	const struct hcl_dev *x = a, *y = b;
	uint64_t kx = (uint64_t)x->domain << 16 | x->bus << 8 | x->dev << 3 | x->fn;
	uint64_t ky = (uint64_t)y->domain << 16 | y->bus << 8 | y->dev << 3 | y->fn;

	return kx < ky ? -1 : kx > ky;
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
		d.domain = (uint32_t)p->domain;
		d.bus = p->bus;
		d.dev = p->dev;
		d.fn = p->func;
		d.rev = -1;
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
		if (hcl_inv_add(inv, &d) < 0)
			return -1;
	}
	/* sysfs lists devices in directory order: sort by domain and slot. */
	qsort(inv->devs, inv->n, sizeof(*inv->devs), hcl_pci_cmp);
	return 0;
}

static int hcl_pci_read(struct hcl_inv *inv, struct hcl_err *err)
{
	struct pci_access *volatile pacc = pci_alloc();
	int rc = -1;

	if (!pacc)
		return hcl_errf(err, "libpci: out of memory");
	pacc->error = hcl_pci_error;
	pacc->warning = hcl_pci_quiet;
	pacc->debug = hcl_pci_quiet;
	if (setjmp(hcl_pci_jmp)) {
		hcl_errf(err, "libpci: %s", hcl_pci_msg);
		goto out;
	}
	pci_init(pacc);
	pci_scan_bus(pacc);
	if (hcl_pci_collect(pacc, inv) < 0) {
		hcl_errf(err, "out of memory");
		goto out;
	}
	if (inv->n == 0) {
		hcl_errf(err, "this machine: no PCI devices found");
		goto out;
	}
	inv->format = "libpci";
	rc = 0;
out:
	pci_cleanup(pacc);
	return rc;
}

int hcl_inv_probe(struct hcl_inv *inv, struct hcl_err *err)
{
	memset(inv, 0, sizeof(*inv));
	return hcl_pci_read(inv, err);
}
