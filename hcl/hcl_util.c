/* Small helpers of the hcl tool: errors, files, times, pci.ids names. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <pci/pci.h>
#include "hcl.h"

int hcl_errf(struct hcl_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

int hcl_read_file(const char *path, char **buf, size_t *len, struct hcl_err *err)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, got;
	struct stat st;
	char *b;

	if (!f)
		return hcl_errf(err, "%s: %s", path, strerror(errno));
	/* One allocation for a regular file; pipes and the like grow the buffer. */
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	b = malloc(cap + 1);
	while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *nb = realloc(b, cap * 2 + 1);

			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (!b || ferror(f)) {
		int e = b ? errno : ENOMEM;

		free(b);
		fclose(f);
		return hcl_errf(err, "%s: %s", path, strerror(e));
	}
	fclose(f);
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

int hcl_write_atomic(const char *path, const void *data, size_t len, int mode,
		     struct hcl_err *err)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	const char *p = data;
	int fd;

	if (!tmp)
		return hcl_errf(err, "%s: out of memory", path);
	snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		hcl_errf(err, "%s: cannot create a temporary file: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, (mode_t)mode) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	hcl_errf(err, "%s: cannot write: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

/* Digits only, exactly n of them, at s. */
static int hcl_num(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

/* Fields of YYYY-MM-DD at s into tm; -1 unless it names a real day. */
static int hcl_ymd(const char *s, struct tm *tm)
{
	int y, m, d;
	struct tm chk;
	time_t t;

	if (hcl_num(s, 4, &y) < 0 || s[4] != '-' || hcl_num(s + 5, 2, &m) < 0 || s[7] != '-' ||
	    hcl_num(s + 8, 2, &d) < 0 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	/* Round-trip so 2026-02-30 is refused. */
	chk = *tm;
	t = timegm(&chk);
	gmtime_r(&t, &chk);
	return chk.tm_mday == d && chk.tm_mon == m - 1 ? 0 : -1;
}

int hcl_parse_time(const char *s, int64_t *t)
{
	struct tm tm;
	int h, mi, se;

	if (strlen(s) != 20 || hcl_ymd(s, &tm) < 0 || s[10] != 'T' || hcl_num(s + 11, 2, &h) < 0 ||
	    s[13] != ':' || hcl_num(s + 14, 2, &mi) < 0 || s[16] != ':' ||
	    hcl_num(s + 17, 2, &se) < 0 || s[19] != 'Z' || h > 23 || mi > 59 || se > 60)
		return -1;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*t = (int64_t)timegm(&tm);
	return 0;
}

void hcl_format_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int hcl_parse_date(const char *s)
{
	struct tm tm;

	return strlen(s) == 10 && hcl_ymd(s, &tm) == 0 ? 0 : -1;
}

static struct pci_access *hcl_names_pacc;

static _Noreturn void hcl_names_error(char *msg, ...)
{
	va_list ap;

	fputs("hcl: pci.ids: ", stderr);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void hcl_names_quiet(char *msg, ...)
{
	(void)msg;
}

/* A libpci handle used only for the name database; pci_init is not called (no hardware). */
static struct pci_access *hcl_names_get(void)
{
	if (!hcl_names_pacc) {
		hcl_names_pacc = pci_alloc();
		if (!hcl_names_pacc)
			hcl_names_error("out of memory");
		hcl_names_pacc->error = hcl_names_error;
		hcl_names_pacc->warning = hcl_names_quiet;
		hcl_names_pacc->debug = hcl_names_quiet;
		/* Names come from pci.ids only: the same answer on every machine (no udev hwdb). */
		pci_set_param(hcl_names_pacc, "hwdb.disable", "1");
	}
	return hcl_names_pacc;
}

void hcl_names(uint16_t vid, uint16_t did, uint16_t svid, uint16_t ssid, char *vendor,
	       size_t vlen, char *model, size_t mlen)
{
	char buf[256];
	const char *r;

	(void)svid;
	(void)ssid;
	r = pci_lookup_name(hcl_names_get(), buf, sizeof(buf),
			    PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, vid);
	snprintf(vendor, vlen, "%s", r ? r : "");
	r = pci_lookup_name(hcl_names_get(), buf, sizeof(buf),
			    PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS, vid, did);
	if (r)
		snprintf(model, mlen, "%s", r);
	else
		snprintf(model, mlen, "Device %04x", did);
}

void hcl_class_name(uint32_t class, char *buf, size_t len)
{
	char tmp[128];
	const char *r;

	r = pci_lookup_name(hcl_names_get(), tmp, sizeof(tmp),
			    PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_NUMBERS, (int)(class >> 8));
	snprintf(buf, len, "%s", r ? r : "unknown class");
}

int64_t hcl_age_days(int64_t generated, int64_t now)
{
	return now > generated ? (now - generated) / 86400 : 0;
}

void hcl_print_age(FILE *f, const char *name, int64_t generated)
{
	char when[32];
	int64_t days = hcl_age_days(generated, (int64_t)time(NULL));

	hcl_format_time(generated, when);
	when[10] = 0;
	fprintf(f, "%s: list generated %s, %lld day%s old\n", name, when, (long long)days,
		days == 1 ? "" : "s");
	if (days > HCL_STALE_DAYS)
		fprintf(f, "%s: warning: the list is older than %d days; fetch a newer one "
			"(hcl fetch) - results below may miss recent certifications\n",
			name, HCL_STALE_DAYS);
}
