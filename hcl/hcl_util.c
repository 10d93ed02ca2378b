/* Small helpers of the hcl tool: errors, files, times. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
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

const char *hcl_printable(char *dst, size_t cap, const char *s, size_t n)
{
	size_t o = 0, i = 0;

	if (!cap)
		return dst;
	for (; i < n && s[i] && o + 4 < cap; i++)
		dst[o++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (i < n && s[i] && o + 3 < cap) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = 0;
	return dst;
}

void *hcl_grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	size_t nc = *cap ? *cap * 2 : 64;
	void *q;

	if (n < *cap)
		return arr;
	if (nc < *cap || nc > SIZE_MAX / elem || !(q = realloc(arr, nc * elem)))
		return NULL;
	*cap = nc;
	return q;
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

/* Larger files are mapped: a reader that moves forward gives pages back (hcl_map_release),
 * so a 30 MB list never sits in memory whole. */
int hcl_map_file(const char *path, struct hcl_map *m, struct hcl_err *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(m, 0, sizeof(*m));
	if (fd < 0)
		return hcl_errf(err, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p != MAP_FAILED) {
			close(fd);
			madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
			m->data = p;
			m->len = (size_t)st.st_size;
			m->mapped = 1;
			return 0;
		}
	}
	close(fd);
	if (hcl_read_file(path, &m->copy, &m->len, err) < 0)
		return -1;
	m->data = m->copy;
	return 0;
}

void hcl_map_release(struct hcl_map *m, const char *upto)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), start = (uintptr_t)m->data;
	uintptr_t end = (uintptr_t)upto & ~(page - 1);

	if (m->mapped && end > start)
		madvise((void *)start, end - start, MADV_DONTNEED);
}

void hcl_unmap(struct hcl_map *m)
{
	if (m->mapped)
		munmap((void *)m->data, m->len);
	free(m->copy);
	memset(m, 0, sizeof(*m));
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
	    hcl_num(s + 17, 2, &se) < 0 || s[19] != 'Z' || h > 23 || mi > 59 || se > 59)
		return -1;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*t = (int64_t)timegm(&tm);
	return 0;
}

/* The inverse of hcl_parse_time for every time it accepts: four-digit years, zero-padded
 * (strftime's %Y writes year 776 as "776", which no reader takes back: the hcl_list
 * fuzzer's "generated":"0776-12-01T00:00:00Z" signed to another digest than its re-read). */
void hcl_format_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	/* the reader takes years 0000-9999 only; the fields are in range by gmtime */
	unsigned y = tm.tm_year + 1900 < 0 ? 0u : tm.tm_year + 1900 > 9999 ? 9999u : (unsigned)(tm.tm_year + 1900);
	snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ", y, (unsigned)(tm.tm_mon + 1) % 100u,
		 (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
		 (unsigned)tm.tm_sec % 100u);
}

/* Arithmetic only: a list has a date per certification (timegm would cost more than the
 * rest of reading it). */
int hcl_parse_date(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, leap;

	if (hcl_num(s, 4, &y) < 0 || s[4] != '-' || hcl_num(s + 5, 2, &m) < 0 || s[7] != '-' ||
	    hcl_num(s + 8, 2, &d) < 0 || s[10] || m < 1 || m > 12 || d < 1)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap) ? 0 : -1;
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
