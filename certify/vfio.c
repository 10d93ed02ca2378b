/* certify: a host PCI function passed through with vfio-pci (vfio.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lib/pcicap.h>

#include "vfio.h"

#define VFIO_DRIVER	"vfio-pci"
#define VFIO_BRIDGE	0x060400u	/* class of a PCI-to-PCI bridge, prog-if masked */

int certify_vfio_parse(const char *arg, char out[16], struct certify_err *err)
{
	unsigned dom, bus, dev, fn;
	char tail;

	if (sscanf(arg, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) != 4 || dev > 0x1f ||
	    fn > 7 || strlen(arg) != 12)
		return certify_errf(err, "--host-device %s: expected DOMAIN:BUS:DEV.FN in hex, e.g. "
				    "0000:01:00.0", arg);
	snprintf(out, 16, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

/* A sysfs file of one line into buf (newline cut). 0 or -1. */
static int vfio_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok ? 0 : -1;
}

static int vfio_hex(const struct certify_vfio *v, const char *addr, const char *file,
		    unsigned long max, unsigned long *out, struct certify_err *err)
{
	char path[700], buf[32], *end;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/%s", v->root, addr, file);
	if (vfio_read(path, buf, sizeof(buf)) < 0)
		return certify_errf(err, "--host-device %s: cannot read %s: %s", v->addr, path,
				    strerror(errno));
	*out = strtoul(buf, &end, 16);
	if (strncmp(buf, "0x", 2) || *end || *out > max)
		return certify_errf(err, "--host-device %s: %s holds '%s', not a hex number up to "
				    "0x%lx", v->addr, path, buf, max);
	return 0;
}

/* The driver a function is bound to (the basename of its driver link), "" when none. */
static void vfio_driver(const struct certify_vfio *v, const char *addr, char *out, size_t len)
{
	char path[700], link[700];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver", v->root, addr);
	n = readlink(path, link, sizeof(link) - 1);
	out[0] = '\0';
	if (n > 0) {
		link[n] = '\0';
		snprintf(out, len, "%.63s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	}
}

/* Config space from the sysfs `config` file, for the capability walk. */
struct vfio_cfg {
	uint8_t b[4096];
	size_t n;
};

static uint32_t vfio_cfg_read32(void *ctx, uint16_t off)
{
	const struct vfio_cfg *c = ctx;
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = (v << 8) | (off + (size_t)i < c->n ? c->b[off + i] : 0xff);
	return v;
}

/* MSI-X, MSI (their capabilities) and INTx (an interrupt pin) of the function. */
static int vfio_irqs(struct certify_vfio *v, struct certify_err *err)
{
	static struct vfio_cfg c;
	struct pcicap_cfg pc = { vfio_cfg_read32, &c, 256 };
	char path[700];
	FILE *f;
	int msix, msi;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/config", v->root, v->addr);
	f = fopen(path, "rb");
	if (!f)
		return certify_errf(err, "--host-device %s: cannot read %s: %s", v->addr, path,
				    strerror(errno));
	c.n = fread(c.b, 1, sizeof(c.b), f);
	fclose(f);
	if (c.n < 64)
		return certify_errf(err, "--host-device %s: %s has %zu bytes, not a config space",
				    v->addr, path, c.n);
	msix = pcicap_find(&pc, PCICAP_ID_MSIX, 0);
	msi = pcicap_find(&pc, PCICAP_ID_MSI, 0);
	if (msix < 0 || msi < 0)
		return certify_errf(err, "--host-device %s: a malformed capability list in %s",
				    v->addr, path);
	v->m.irqs = (msix > 0 ? CERTIFY_IRQ_MSIX : 0) | (msi > 0 ? CERTIFY_IRQ_MSI : 0) |
		    (c.b[0x3d] ? CERTIFY_IRQ_INTX : 0);
	return 0;
}

/* The group's functions, in name order, with their drivers and classes. */
static int vfio_group(struct certify_vfio *v, struct certify_err *err)
{
	char path[700], link[700];
	struct dirent **ents;
	ssize_t n;
	int ne;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group", v->root, v->addr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return certify_errf(err, "--host-device %s: no IOMMU group (%s missing): the host's "
				    "IOMMU is off (intel_iommu=on or amd_iommu=on) or absent", v->addr, path);
	link[n] = '\0';
	snprintf(v->group, sizeof(v->group), "%.15s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%s/devices", v->root, v->group);
	ne = scandir(path, &ents, NULL, alphasort);
	if (ne < 0)
		return certify_errf(err, "--host-device %s: IOMMU group %s: cannot list %s: %s", v->addr,
				    v->group, path, strerror(errno));
	v->nfn = 0;
	for (int i = 0; i < ne; i++) {
		struct certify_vfio_fn *f = &v->fn[v->nfn];
		unsigned long cls;

		if (ents[i]->d_name[0] != '.' && v->nfn < CERTIFY_VFIO_MAX_FN &&
		    strlen(ents[i]->d_name) < sizeof(f->addr)) {
			snprintf(f->addr, sizeof(f->addr), "%s", ents[i]->d_name);
			vfio_driver(v, f->addr, f->driver, sizeof(f->driver));
			f->class = vfio_hex(v, f->addr, "class", 0xffffff, &cls, NULL) == 0 ? (uint32_t)cls : 0;
			v->nfn++;
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

int certify_vfio_open(struct certify_vfio *v, const char *root, const char *addr,
		      struct certify_err *err)
{
	unsigned long vid, did, cls;
	char path[700];

	memset(v, 0, sizeof(*v));
	snprintf(v->root, sizeof(v->root), "%s", root);
	snprintf(v->addr, sizeof(v->addr), "%s", addr);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", root, addr);
	if (access(path, F_OK) < 0)
		return certify_errf(err, "--host-device %s: no such PCI function (%s: %s)", addr, path,
				    strerror(errno));
	if (vfio_hex(v, addr, "vendor", 0xffff, &vid, err) < 0 ||
	    vfio_hex(v, addr, "device", 0xffff, &did, err) < 0 ||
	    vfio_hex(v, addr, "class", 0xffffff, &cls, err) < 0 || vfio_irqs(v, err) < 0 ||
	    vfio_group(v, err) < 0)
		return -1;
	snprintf(v->props, sizeof(v->props), ",host=%s", addr);
	snprintf(v->label, sizeof(v->label), "host:%s", addr);
	v->m.model = v->label;	/* the device row's model: the host function */
	v->m.vid = (uint16_t)vid;
	v->m.did = (uint16_t)did;
	v->m.class = (uint32_t)cls;
	v->m.kind = cls >> 16 == 0x02 ? CERTIFY_KIND_NIC : cls >> 16 == 0x01 ? CERTIFY_KIND_STORAGE :
		    CERTIFY_KIND_OTHER;
	v->m.vendor = "host device";
	v->m.name = v->label;
	v->m.attach = CERTIFY_ATTACH_VFIO;
	return 0;
}

int certify_vfio_check(const struct certify_vfio *v, struct certify_err *err)
{
	for (size_t i = 0; i < v->nfn; i++) {
		const struct certify_vfio_fn *f = &v->fn[i];

		if ((f->class & 0xffff00u) == VFIO_BRIDGE || !strcmp(f->driver, VFIO_DRIVER))
			continue;
		return certify_errf(err, "--host-device %s: IOMMU group %s has %s %s%s, not vfio-pci "
				    "(every function of the group must be; --bind does it and gives "
				    "the drivers back after the run)", v->addr, v->group, f->addr,
				    f->driver[0] ? "bound to " : "bound to no driver", f->driver);
	}
	if (!v->nfn)
		return certify_errf(err, "--host-device %s: IOMMU group %s lists no function", v->addr,
				    v->group);
	return 0;
}

/* Writes s to the sysfs file root/rel. 0 or -1. */
static int vfio_write(const struct certify_vfio *v, const char *rel, const char *s,
		      struct certify_err *err)
{
	char path[800];
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "%s/%s", v->root, rel);
	f = fopen(path, "w");
	if (!f)
		return certify_errf(err, "--bind: %s: %s", path, strerror(errno));
	bad = fputs(s, f) < 0;
	bad |= fclose(f) != 0;
	return bad ? certify_errf(err, "--bind: writing '%s' to %s: %s", s, path, strerror(errno)) : 0;
}

int certify_vfio_bind(struct certify_vfio *v, struct certify_err *err)
{
	char rel[200];

	for (size_t i = 0; i < v->nfn; i++) {
		struct certify_vfio_fn *f = &v->fn[i];

		if ((f->class & 0xffff00u) == VFIO_BRIDGE || !strcmp(f->driver, VFIO_DRIVER))
			continue;
		snprintf(f->orig, sizeof(f->orig), "%s", f->driver);
		f->rebound = 1;
		/* driver_override makes the next probe pick vfio-pci whatever the ID tables say
		 * (Documentation/ABI/testing/sysfs-bus-pci) */
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", f->addr);
		if (vfio_write(v, rel, VFIO_DRIVER, err) < 0)
			return -1;
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver/unbind", f->addr);
		if (f->driver[0] && vfio_write(v, rel, f->addr, err) < 0)
			return -1;
		if (vfio_write(v, "bus/pci/drivers_probe", f->addr, err) < 0)
			return -1;
		vfio_driver(v, f->addr, f->driver, sizeof(f->driver));
	}
	if (certify_vfio_check(v, err) < 0)
		return certify_errf(err, "after --bind: %s", err->msg + strlen("--host-device ") +
				    strlen(v->addr) + 2);
	return 0;
}

int certify_vfio_restore(struct certify_vfio *v, struct certify_err *err)
{
	struct certify_err e;
	char rel[200];
	int rc = 0;

	for (size_t i = 0; i < v->nfn; i++) {
		struct certify_vfio_fn *f = &v->fn[i];
		int bad = 0;

		if (!f->rebound)
			continue;
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", f->addr);
		bad |= vfio_write(v, rel, "\n", &e);
		if (!strcmp(f->driver, VFIO_DRIVER)) {
			snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/unbind", VFIO_DRIVER);
			bad |= vfio_write(v, rel, f->addr, &e);
		}
		if (f->orig[0]) {
			snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/bind", f->orig);
			bad |= vfio_write(v, rel, f->addr, &e);
		}
		if (bad && !rc)
			rc = certify_errf(err, "restoring %s to %s: %s", f->addr,
					  f->orig[0] ? f->orig : "no driver", e.msg);
		f->rebound = 0;
	}
	return rc;
}
