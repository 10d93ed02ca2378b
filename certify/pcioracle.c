/* certify: compare the kernel's PCI inventory with QMP query-pci. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcioracle.h"

#define PCI_MAX_DEPTH 16

static int pci_int(json_object *o, const char *key, int *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int(v);
	return 0;
}

static int pci_add(struct certify_pcilist *l, const struct certify_pcifn *f)
{
	struct certify_pcifn *grown = realloc(l->fn, (l->n + 1) * sizeof(*f));

	if (!grown)
		return -1;
	l->fn = grown;
	l->fn[l->n++] = *f;
	return 0;
}

static int pci_devices(json_object *devs, struct certify_pcilist *out, int depth,
		       struct certify_err *err);

static int pci_device(json_object *d, struct certify_pcilist *out, int depth,
		      struct certify_err *err)
{
	struct certify_pcifn f;
	json_object *id, *ci, *br, *brdevs, *v_id;
	int bus, slot, fn, vid, did, cls, v;

	memset(&f, 0, sizeof(f));
	if (pci_int(d, "bus", &bus) < 0 || pci_int(d, "slot", &slot) < 0 ||
	    pci_int(d, "function", &fn) < 0 || !json_object_object_get_ex(d, "id", &id) ||
	    !json_object_object_get_ex(d, "class_info", &ci) ||
	    pci_int(id, "vendor", &vid) < 0 || pci_int(id, "device", &did) < 0 ||
	    pci_int(ci, "class", &cls) < 0)
		return certify_errf(err, "query-pci: device without bus, slot, function, id or class_info");
	f.bus = (unsigned)bus;
	f.dev = (unsigned)slot;
	f.fn = (unsigned)fn;
	f.vid = (uint16_t)vid;
	f.did = (uint16_t)did;
	f.class = (uint16_t)cls;
	if (pci_int(id, "subsystem-vendor", &vid) == 0 && pci_int(id, "subsystem", &did) == 0) {
		f.has_subsys = 1;
		f.svid = (uint16_t)vid;
		f.ssid = (uint16_t)did;
	}
	if (pci_int(d, "revision", &v) == 0) {
		f.has_rev = 1;
		f.rev = (uint8_t)v;
	}
	if (json_object_object_get_ex(d, "qdev_id", &v_id) && json_object_is_type(v_id, json_type_string))
		snprintf(f.qdev_id, sizeof(f.qdev_id), "%s", json_object_get_string(v_id));
	if (pci_add(out, &f) < 0)
		return certify_errf(err, "query-pci: out of memory");
	if (json_object_object_get_ex(d, "pci_bridge", &br) &&
	    json_object_object_get_ex(br, "devices", &brdevs))
		return pci_devices(brdevs, out, depth + 1, err);
	return 0;
}

static int pci_devices(json_object *devs, struct certify_pcilist *out, int depth,
		       struct certify_err *err)
{
	if (depth > PCI_MAX_DEPTH)
		return certify_errf(err, "query-pci: bridges nested deeper than %d", PCI_MAX_DEPTH);
	if (!json_object_is_type(devs, json_type_array))
		return certify_errf(err, "query-pci: 'devices' is not a list");
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		if (pci_device(json_object_array_get_idx(devs, i), out, depth, err) < 0)
			return -1;
	}
	return 0;
}

int certify_pci_from_qmp(json_object *ret, struct certify_pcilist *out, struct certify_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(ret, json_type_array))
		return certify_errf(err, "query-pci: the answer is not a list of buses");
	for (size_t i = 0; i < json_object_array_length(ret); i++) {
		json_object *bus = json_object_array_get_idx(ret, i), *devs;

		int rc;

		if (!json_object_object_get_ex(bus, "devices", &devs))
			rc = certify_errf(err, "query-pci: bus without 'devices'");
		else
			rc = pci_devices(devs, out, 0, err);
		if (rc < 0) {
			certify_pcilist_free(out);
			return -1;
		}
	}
	return 0;
}

void certify_pcilist_free(struct certify_pcilist *l)
{
	free(l->fn);
	memset(l, 0, sizeof(*l));
}

static const struct hvr_pci *pci_find_kernel(const struct hvr_pci *k, size_t n,
					     const struct certify_pcifn *f)
{
	for (size_t i = 0; i < n; i++) {
		if (k[i].seg == 0 && k[i].bus == f->bus && k[i].dev == f->dev && k[i].fn == f->fn)
			return &k[i];
	}
	return NULL;
}

static const struct certify_pcifn *pci_find_qemu(const struct certify_pcilist *q,
						 const struct hvr_pci *k)
{
	for (size_t i = 0; k->seg == 0 && i < q->n; i++) {
		if (q->fn[i].bus == k->bus && q->fn[i].dev == k->dev && q->fn[i].fn == k->fn)
			return &q->fn[i];
	}
	return NULL;
}

/* Compares one function present on both sides. */
static size_t pci_compare_one(const struct certify_pcifn *q, const struct hvr_pci *k,
			      struct certify_strv *diffs)
{
	size_t n = 0;

	if (q->vid != k->vid || q->did != k->did) {
		certify_strv_pushf(diffs, "%s: IDs: kernel %04x:%04x, QEMU %04x:%04x", k->slot,
				   k->vid, k->did, q->vid, q->did);
		n++;
	}
	if (q->class != k->class >> 8) {
		certify_strv_pushf(diffs, "%s: class: kernel %04x (%06x), QEMU %04x", k->slot,
				   k->class >> 8, k->class, q->class);
		n++;
	}
	if (q->has_subsys && (q->svid != k->svid || q->ssid != k->ssid)) {
		certify_strv_pushf(diffs, "%s: subsystem: kernel %04x:%04x, QEMU %04x:%04x",
				   k->slot, k->svid, k->ssid, q->svid, q->ssid);
		n++;
	}
	if (q->has_rev && q->rev != k->rev) {
		certify_strv_pushf(diffs, "%s: revision: kernel %02x, QEMU %02x", k->slot, k->rev,
				   q->rev);
		n++;
	}
	return n;
}

size_t certify_pci_compare(const struct certify_pcilist *qemu, const struct hvr_pci *kernel,
			   size_t nkernel, struct certify_strv *diffs)
{
	size_t n = 0;

	for (size_t i = 0; i < qemu->n; i++) {
		const struct certify_pcifn *q = &qemu->fn[i];
		const struct hvr_pci *k = pci_find_kernel(kernel, nkernel, q);

		if (!k) {
			certify_strv_pushf(diffs, "0000:%02x:%02x.%x: missing from the kernel's list "
					   "(QEMU: %04x:%04x class %04x)", q->bus, q->dev, q->fn,
					   q->vid, q->did, q->class);
			n++;
			continue;
		}
		n += pci_compare_one(q, k, diffs);
	}
	for (size_t i = 0; i < nkernel; i++) {
		const struct hvr_pci *k = &kernel[i];

		if (!pci_find_qemu(qemu, k)) {
			certify_strv_pushf(diffs, "%s: reported by the kernel (%04x:%04x) but not by QEMU",
					   k->slot, k->vid, k->did);
			n++;
		} else if (pci_find_kernel(kernel, i, pci_find_qemu(qemu, k))) {
			certify_strv_pushf(diffs, "%s: reported by the kernel more than once", k->slot);
			n++;
		}
	}
	return n;
}
