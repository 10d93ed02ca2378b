/*
 * `hcl probe`: this Linux server's PCI functions as a JSON inventory (docs/hcl.md), from
 * sysfs: IDs, class and revision of each /sys/bus/pci/devices entry, the bound driver (the driver
 * link) and its version (/sys/module/DRIVER/version), and the firmware revision where
 * Linux exposes one: NVMe (nvme/nvmeN/firmware_rev), SCSI (the first disk's
 * hostN/targetH:C:T/H:C:T:L/rev) and network drivers (ethtool -i's firmware-version, through
 * the SIOCETHTOOL ioctl on the function's interface). --sysfs DIR reads another root (a
 * test's fixture tree); the ioctl asks the running kernel, so it is left out there.
 */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include "hcl.h"

/* Formats into out; -1 (out then unused) when it does not fit. */
static int hcl_pr_fmt(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int hcl_pr_fmt(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The first line of DIR/NAME, trailing blanks dropped: 0, or -1 when it cannot be read. */
static int hcl_pr_read(const char *dir, const char *name, char *out, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	if (hcl_pr_fmt(path, sizeof(path), "%s/%s", dir, name) < 0 || !(f = fopen(path, "r")))
		return -1;
	if (!fgets(out, (int)len, f))
		out[0] = '\0';
	fclose(f);
	size_t n = strcspn(out, "\n");
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	out[n] = '\0';
	return 0;
}

/* "0x8086" of DIR/NAME: the value, or -1. */
static long hcl_pr_hex(const char *dir, const char *name)
{
	char b[32], *end;

	if (hcl_pr_read(dir, name, b, sizeof(b)) < 0 || strncmp(b, "0x", 2) != 0)
		return -1;
	errno = 0;
	long v = strtol(b + 2, &end, 16);
	return errno || *end || end == b + 2 ? -1 : v;
}

/* The first entry of dir whose name starts with prefix (and, with colon, has a ':'). */
static int hcl_pr_first(const char *dir, const char *prefix, int colon, char *out, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix)) ||
		    (colon && !strchr(e->d_name, ':')))
			continue;
		if (found < 0 || strcmp(e->d_name, out) < 0) {	/* lowest name: stable */
			hcl_pr_fmt(out, len, "%s", e->d_name);
			found = 0;
		}
	}
	closedir(d);
	return found;
}

/* ethtool -i's firmware-version of interface ifname ("" when none or not asked). */
static void hcl_pr_ethtool(const char *ifname, char *out, size_t len)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	out[0] = '\0';
	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	if (hcl_pr_fmt(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname) < 0) {
		close(fd);
		return;
	}
	ifr.ifr_data = (void *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0 && info.fw_version[0] &&
	    strcmp((char *)info.fw_version, "N/A") != 0)
		snprintf(out, len, "%.*s", (int)sizeof(info.fw_version), (char *)info.fw_version);
	close(fd);
}

/* The firmware revision Linux shows for the function at dev: 1 with it in out ("" when
 * Linux says there is none), 0 when Linux does not tell (no NVMe, SCSI or network child,
 * or a network interface under --sysfs, where the ioctl cannot ask). */
static int hcl_pr_firmware(const char *dev, int real, char *out, size_t len)
{
	char sub[PATH_MAX], name[256], name2[256], name3[256];

	out[0] = '\0';
	hcl_pr_fmt(sub, sizeof(sub), "%s/nvme", dev);
	if (hcl_pr_first(sub, "nvme", 0, name, sizeof(name)) == 0) {
		hcl_pr_fmt(sub, sizeof(sub), "%s/nvme/%s", dev, name);
		return hcl_pr_read(sub, "firmware_rev", out, len) == 0;
	}
	if (hcl_pr_first(dev, "host", 0, name, sizeof(name)) == 0) {
		hcl_pr_fmt(sub, sizeof(sub), "%s/%s", dev, name);
		if (hcl_pr_first(sub, "target", 0, name2, sizeof(name2)) == 0) {
			hcl_pr_fmt(sub, sizeof(sub), "%s/%s/%s", dev, name, name2);
			if (hcl_pr_first(sub, "", 1, name3, sizeof(name3)) == 0) {
				hcl_pr_fmt(sub, sizeof(sub), "%s/%s/%s/%s", dev, name, name2, name3);
				return hcl_pr_read(sub, "rev", out, len) == 0;
			}
		}
	}
	hcl_pr_fmt(sub, sizeof(sub), "%s/net", dev);
	if (real && hcl_pr_first(sub, "", 0, name, sizeof(name)) == 0 && name[0] != '.') {
		hcl_pr_ethtool(name, out, len);
		return 1;
	}
	return 0;
}

static void hcl_pr_str(FILE *f, const char *k, const char *v)
{
	fprintf(f, ", \"%s\": \"", k);
	for (; *v; v++)
		if (*v == '"' || *v == '\\')
			fprintf(f, "\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			fprintf(f, "\\u%04x", *v);
		else
			fputc(*v, f);
	fputc('"', f);
}

static int hcl_pr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int hcl_probe(const char *sysfs, FILE *f, struct hcl_err *err)
{
	const char *root = sysfs ? sysfs : "/sys";
	char pdir[PATH_MAX], host[256] = "";
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d;

	if (hcl_pr_fmt(pdir, sizeof(pdir), "%s/bus/pci/devices", root) < 0)
		return hcl_errf(err, "%s: path too long", root);
	if (!(d = opendir(pdir)))
		return hcl_errf(err, "%s: %s (is %s a sysfs?)", pdir, strerror(errno), root);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char **nv = hcl_grow(names, &cap, n, sizeof(*names));
		if (!nv || !(nv[n] = strdup(e->d_name))) {
			closedir(d);
			free(nv ? nv : names);
			return hcl_errf(err, "out of memory");
		}
		names = nv;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), hcl_pr_cmp);
	gethostname(host, sizeof(host) - 1);
	fprintf(f, "{\"hcl_inventory\": 1");
	hcl_pr_str(f, "host", host);
	fprintf(f, ",\n \"devices\": [");
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char dev[PATH_MAX], link[PATH_MAX], drv[64] = "", ver[64] = "", fw[64] = "", mod[PATH_MAX];
		long vid, did, svid, ssid, cls, rev;

		hcl_pr_fmt(dev, sizeof(dev), "%s/%s", pdir, names[i]);
		vid = hcl_pr_hex(dev, "vendor");
		did = hcl_pr_hex(dev, "device");
		cls = hcl_pr_hex(dev, "class");
		rev = hcl_pr_hex(dev, "revision");
		svid = hcl_pr_hex(dev, "subsystem_vendor");
		ssid = hcl_pr_hex(dev, "subsystem_device");
		if (vid < 0 || vid > 0xffff || did < 0 || did > 0xffff || cls < 0 || cls > 0xffffff ||
		    !hcl_slot_parse(names[i], NULL, NULL, NULL, NULL)) {
			rc = hcl_errf(err, "%s: no vendor, device and class of a PCI function", dev);
			break;
		}
		hcl_pr_fmt(mod, sizeof(mod), "%s/driver", dev);
		ssize_t l = readlink(mod, link, sizeof(link) - 1);
		if (l > 0) {
			link[l] = '\0';
			if (hcl_pr_fmt(drv, sizeof(drv), "%s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link) == 0 &&
			    hcl_pr_fmt(mod, sizeof(mod), "%s/module/%s", root, drv) == 0)
				hcl_pr_read(mod, "version", ver, sizeof(ver));
		}
		int fw_known = hcl_pr_firmware(dev, sysfs == NULL, fw, sizeof(fw));
		fprintf(f, "%s\n  {\"slot\": \"%s\", \"vid\": \"%04lx\", \"did\": \"%04lx\"", i ? "," : "",
			names[i], vid, did);
		if (svid > 0 && svid <= 0xffff && ssid >= 0 && ssid <= 0xffff)
			fprintf(f, ", \"svid\": \"%04lx\", \"ssid\": \"%04lx\"", svid, ssid);
		fprintf(f, ", \"class\": \"%06lx\"", cls);
		if (rev >= 0 && rev <= 0xff)
			fprintf(f, ", \"rev\": \"%02lx\"", rev);
		if (drv[0]) {
			hcl_pr_str(f, "driver", drv);
			if (ver[0])
				hcl_pr_str(f, "driver_version", ver);
		}
		/* "firmware": null only when Linux says there is none; left out when it does not tell */
		if (fw_known && fw[0] && strlen(fw) < 32)
			hcl_pr_str(f, "firmware", fw);
		else if (fw_known && drv[0])
			fprintf(f, ", \"firmware\": null");
		fputc('}', f);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc == 0)
		fprintf(f, "\n]}\n");
	return rc;
}
