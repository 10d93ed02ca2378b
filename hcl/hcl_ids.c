/*
 * Names from pci.ids: the file libpci uses (its default name list; $HCL_PCI_IDS names another,
 * which the tests use so names do not depend on this machine's copy). libpci's own lookup
 * parses all of pci.ids into a hash table, about 30 ms; a check needs a handful of names, so
 * the file is mapped and only its vendor lines are indexed (one pass, well under 1 ms), and a
 * device name is found by scanning that vendor's block. The format (pci.ids header): vendor
 * lines "vvvv  name", device lines "\tdddd  name", subsystem lines "\t\tssss ssss  name",
 * then "C cc  class" with "\tss  subclass" lines. A compressed pci.ids.gz falls back to
 * libpci. Names are the same on every machine with the same pci.ids (no udev hwdb).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pci/pci.h>
#include "hcl.h"

struct hcl_ids_dev {
	uint16_t id;
	uint32_t off;			/* the device line */
};

struct hcl_ids_vendor {
	uint16_t id;
	uint32_t off, end;		/* the vendor line and the start of the next vendor */
	struct hcl_ids_dev *dev;	/* its device lines by ID, made on its first lookup */
	uint32_t ndev;
	int indexed;
};

/* Class names found, by class and subclass: a report asks for the same few again and again. */
struct hcl_ids_class {
	uint16_t key;
	char name[96];
};

static struct {
	int state;			/* 0 not loaded, 1 mapped, 2 libpci, -1 none */
	struct hcl_map map;
	struct hcl_ids_vendor *v;
	size_t nv;
	size_t classes;			/* offset of the first "C " line, or map.len */
	struct pci_access *pacc;
	struct hcl_ids_class cls[32];
	size_t ncls;
} hcl_ids;

static int hcl_ids_hex(const char *s, int n, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		char c = s[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else
			return -1;
	}
	return 0;
}

static int hcl_ids_vcmp(const void *a, const void *b)
{
	const struct hcl_ids_vendor *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void hcl_ids_quiet(char *msg, ...)
{
	(void)msg;
}

static void __attribute__((noreturn)) hcl_ids_error(char *msg, ...)
{
	va_list ap;

	fputs("hcl: pci.ids: ", stderr);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void hcl_ids_libpci(void)
{
	hcl_ids.pacc = pci_alloc();
	if (!hcl_ids.pacc) {
		hcl_ids.state = -1;
		return;
	}
	hcl_ids.pacc->error = hcl_ids_error;
	hcl_ids.pacc->warning = hcl_ids_quiet;
	hcl_ids.pacc->debug = hcl_ids_quiet;
	pci_set_param(hcl_ids.pacc, "hwdb.disable", "1");
	hcl_ids.state = 2;
}

static void hcl_ids_index(void)
{
	const char *d = hcl_ids.map.data, *end = d + hcl_ids.map.len;
	size_t cap = 0;

	hcl_ids.classes = hcl_ids.map.len;
	for (const char *l = d; l < end; ) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		unsigned id;

		if (l[0] == 'C' && l + 1 < end && l[1] == ' ') {
			hcl_ids.classes = (size_t)(l - d);
			break;
		}
		if (end - l > 6 && hcl_ids_hex(l, 4, &id) == 0 && l[4] == ' ') {
			struct hcl_ids_vendor *nv = hcl_grow(hcl_ids.v, &cap, hcl_ids.nv,
							     sizeof(*nv));

			if (!nv)
				break;
			hcl_ids.v = nv;
			if (hcl_ids.nv)
				hcl_ids.v[hcl_ids.nv - 1].end = (uint32_t)(l - d);
			hcl_ids.v[hcl_ids.nv++] = (struct hcl_ids_vendor){ .id = (uint16_t)id,
				.off = (uint32_t)(l - d), .end = (uint32_t)hcl_ids.map.len };
		}
		l = nl ? nl + 1 : end;
	}
	if (hcl_ids.nv)
		hcl_ids.v[hcl_ids.nv - 1].end = (uint32_t)hcl_ids.classes;
	qsort(hcl_ids.v, hcl_ids.nv, sizeof(*hcl_ids.v), hcl_ids_vcmp);
}

static void hcl_ids_load(void)
{
	const char *path = getenv("HCL_PCI_IDS");
	struct pci_access *p = NULL;
	struct hcl_err err;

	if (hcl_ids.state)
		return;
	char plain[4096];

	if (!path || !*path) {
		/* libpci's default name list, without loading it; like libpci, "pci.ids.gz"
		 * that does not exist means "pci.ids" (Debian ships it uncompressed). */
		p = pci_alloc();
		path = p ? p->id_file_name : NULL;
		if (path && strlen(path) > 3 && strlen(path) < sizeof(plain) &&
		    strcmp(path + strlen(path) - 3, ".gz") == 0 && access(path, R_OK) != 0) {
			snprintf(plain, sizeof(plain), "%.*s", (int)strlen(path) - 3, path);
			path = plain;
		}
	}
	if (path && hcl_map_file(path, &hcl_ids.map, &err) == 0 &&
	    !(hcl_ids.map.len >= 2 && (unsigned char)hcl_ids.map.data[0] == 0x1f &&
	      (unsigned char)hcl_ids.map.data[1] == 0x8b)) {
		hcl_ids.state = 1;
		hcl_ids_index();
	} else {
		if (hcl_ids.map.data)
			hcl_unmap(&hcl_ids.map);
		hcl_ids_libpci();
	}
	if (p)
		pci_cleanup(p);
}

/* The name after "id  " on the line at l (up to the line end), into buf. */
static void hcl_ids_name(const char *l, const char *end, size_t skip, char *buf, size_t len)
{
	const char *s = l + skip, *nl = memchr(s, '\n', (size_t)(end - s));
	size_t n = (size_t)((nl ? nl : end) - s);

	while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	snprintf(buf, len, "%.*s", (int)n, s);
}

static struct hcl_ids_vendor *hcl_ids_vendor(uint16_t vid)
{
	struct hcl_ids_vendor key = { .id = vid };

	return bsearch(&key, hcl_ids.v, hcl_ids.nv, sizeof(key), hcl_ids_vcmp);
}

static int hcl_ids_dcmp(const void *a, const void *b)
{
	const struct hcl_ids_dev *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;	/* the first line of an ID wins */
}

/* The vendor's device lines, indexed once: a big vendor's block (Intel's is some 300 KB
 * with its subsystem lines) is then not scanned again for each of its devices. */
static void hcl_ids_devices(struct hcl_ids_vendor *v)
{
	const char *d = hcl_ids.map.data, *end = d + v->end;
	size_t cap = 0;

	v->indexed = 1;
	for (const char *l = d + v->off; l && l < end; ) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		unsigned id;

		if (l + 7 <= end && l[0] == '\t' && hcl_ids_hex(l + 1, 4, &id) == 0 && l[5] == ' ') {
			struct hcl_ids_dev *nd = hcl_grow(v->dev, &cap, v->ndev, sizeof(*nd));

			if (!nd)
				return;		/* the names it has; the rest "Device dddd" */
			v->dev = nd;
			v->dev[v->ndev++] = (struct hcl_ids_dev){ (uint16_t)id, (uint32_t)(l - d) };
		}
		l = nl ? nl + 1 : NULL;
	}
	if (v->ndev)
		qsort(v->dev, v->ndev, sizeof(*v->dev), hcl_ids_dcmp);
}

void hcl_names_ex(uint16_t vid, uint16_t did, char *vendor, size_t vlen, char *model,
		  size_t mlen, int *known)
{
	struct hcl_ids_vendor *v;
	const char *d;
	char buf[256];
	uint32_t lo, hi;

	hcl_ids_load();
	snprintf(vendor, vlen, "%s", "");
	snprintf(model, mlen, "Device %04x", did);
	if (known)
		*known = 0;
	if (hcl_ids.state == 2) {
		const char *r = pci_lookup_name(hcl_ids.pacc, buf, sizeof(buf),
						PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, vid);

		snprintf(vendor, vlen, "%s", r ? r : "");
		r = pci_lookup_name(hcl_ids.pacc, buf, sizeof(buf),
				    PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS, vid, did);
		if (r) {
			snprintf(model, mlen, "%s", r);
			if (known)
				*known = 1;
		}
		return;
	}
	if (hcl_ids.state != 1 || !(v = hcl_ids_vendor(vid)))
		return;
	d = hcl_ids.map.data;
	hcl_ids_name(d + v->off, d + v->end, 6, vendor, vlen);
	if (!v->indexed)
		hcl_ids_devices(v);
	lo = 0;
	hi = v->ndev;
	while (lo < hi) {		/* the first line with this ID */
		uint32_t mid = lo + (hi - lo) / 2;

		if (v->dev[mid].id < did)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < v->ndev && v->dev[lo].id == did) {
		hcl_ids_name(d + v->dev[lo].off, d + v->end, 7, model, mlen);
		if (known)
			*known = 1;
	}
}

void hcl_names(uint16_t vid, uint16_t did, uint16_t svid, uint16_t ssid, char *vendor,
	       size_t vlen, char *model, size_t mlen)
{
	(void)svid;
	(void)ssid;
	hcl_names_ex(vid, did, vendor, vlen, model, mlen, NULL);
}

static void hcl_class_lookup(unsigned base, unsigned sub, char *buf, size_t len)
{
	const char *d, *end;
	char key[8], subkey[8];
	int in_base = 0;

	snprintf(buf, len, "unknown class");
	if (hcl_ids.state == 2) {
		char tmp[128];
		const char *r = pci_lookup_name(hcl_ids.pacc, tmp, sizeof(tmp),
						PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_NUMBERS,
						(int)(base << 8 | sub));

		snprintf(buf, len, "%s", r ? r : "unknown class");
		return;
	}
	if (hcl_ids.state != 1)
		return;
	d = hcl_ids.map.data;
	end = d + hcl_ids.map.len;
	snprintf(key, sizeof(key), "C %02x ", base);
	snprintf(subkey, sizeof(subkey), "\t%02x ", sub);
	/* The subclass name when pci.ids has one, else the class name. */
	for (const char *l = d + hcl_ids.classes; l && l < end; ) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));

		if (l[0] == 'C') {
			if (in_base)
				return;
			if (l + 5 <= end && memcmp(l, key, 5) == 0) {
				in_base = 1;
				hcl_ids_name(l, end, 6, buf, len);
			}
		} else if (in_base && l + 4 <= end && memcmp(l, subkey, 4) == 0) {
			hcl_ids_name(l, end, 5, buf, len);
			return;
		}
		l = nl ? nl + 1 : NULL;
	}
}

void hcl_class_name(uint32_t class, char *buf, size_t len)
{
	unsigned base = class >> 16 & 0xff, sub = class >> 8 & 0xff;

	hcl_ids_load();
	for (size_t i = 0; i < hcl_ids.ncls; i++)
		if (hcl_ids.cls[i].key == (uint16_t)(class >> 8)) {
			snprintf(buf, len, "%s", hcl_ids.cls[i].name);
			return;
		}
	if (hcl_ids.ncls == sizeof(hcl_ids.cls) / sizeof(hcl_ids.cls[0])) {
		hcl_class_lookup(base, sub, buf, len);
		return;
	}
	hcl_class_lookup(base, sub, hcl_ids.cls[hcl_ids.ncls].name, sizeof(hcl_ids.cls[0].name));
	hcl_ids.cls[hcl_ids.ncls].key = (uint16_t)(class >> 8);
	snprintf(buf, len, "%s", hcl_ids.cls[hcl_ids.ncls++].name);
}
