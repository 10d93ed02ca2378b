/* certify: certification plans. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/sha256.h>

#include "plan.h"

static const char *const plan_topo_names[] = { "none", "nic-pair", "disk", "vm" };

const char *certify_topology_name(enum certify_topology t)
{
	return plan_topo_names[t];
}

static char *plan_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Each word must be one of the allowed ones (a NULL-terminated list). */
static int plan_words_in(const struct certify_strv *v, const char *const *allowed, const char *where,
			 const char *key, struct certify_err *err)
{
	for (size_t i = 0; i < v->n; i++) {
		size_t k;

		for (k = 0; allowed[k] && strcmp(allowed[k], v->v[i]) != 0; k++)
			;
		if (!allowed[k])
			return certify_errf(err, "%s: %s: unknown value '%s'", where, key, v->v[i]);
	}
	return 0;
}

static int plan_size(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v)
		return -1;
	/* K, M, G or T; at most 64 TiB (checked before the shift, which could overflow) */
	int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : *end == 'T' ? 40 : 0;
	if (shift)
		end++;
	if (*end || n == 0 || n > (1ULL << 46) >> shift)
		return -1;
	n <<= shift;
	*out = n;
	return 0;
}

static int plan_set(struct certify_plan *p, const char *key, const char *val, const char *where,
		    struct certify_err *err)
{
	static const char *const machines[] = { "pc", "q35", NULL };
	static const char *const irqs[] = { "msix", "msi", "intx", "poll", "none", NULL };
	static const char *const accels[] = { "tcg", "kvm", NULL };
	struct certify_strv *list = NULL;
	char *end;

	if (!strcmp(key, "name")) {
		if (!*val || strlen(val) >= sizeof(p->name) || strpbrk(val, " \t/"))
			return certify_errf(err, "%s: name: '%s' is not a short word", where, val);
		snprintf(p->name, sizeof(p->name), "%s", val);
	} else if (!strcmp(key, "description")) {
		snprintf(p->description, sizeof(p->description), "%s", val);
	} else if (!strcmp(key, "kind")) {
		if (strcmp(val, "nic") && strcmp(val, "storage") && strcmp(val, "any"))
			return certify_errf(err, "%s: kind: '%s' is not nic, storage or any", where, val);
		p->has_kind = strcmp(val, "any") != 0;
		p->kind = !strcmp(val, "nic") ? CERTIFY_KIND_NIC : CERTIFY_KIND_STORAGE;
	} else if (!strcmp(key, "hidden")) {
		p->hidden = !strcmp(val, "yes") || !strcmp(val, "1");
	} else if (!strcmp(key, "tests")) {
		list = &p->tests;
	} else if (!strcmp(key, "required")) {
		list = &p->required;
	} else if (!strcmp(key, "params")) {
		list = &p->params;
	} else if (!strcmp(key, "machines")) {
		list = &p->machines;
	} else if (!strcmp(key, "irq")) {
		list = &p->irqs;
	} else if (!strcmp(key, "smp")) {
		list = &p->smps;
	} else if (!strcmp(key, "accel")) {
		list = &p->accels;
	} else if (!strcmp(key, "mem")) {
		long v = strtol(val, &end, 10);

		if (*end || v < 32 || v > 65536)
			return certify_errf(err, "%s: mem: '%s' is not 32..65536 MiB", where, val);
		p->mem_mib = (int)v;
	} else if (!strcmp(key, "timeout")) {
		double v = strtod(val, &end);

		if (*end || !(v > 0) || v > 86400)
			return certify_errf(err, "%s: timeout: '%s' is not 1..86400 seconds", where, val);
		p->timeout_s = v;
	} else if (!strcmp(key, "firmware")) {
		if (qemu_firmware_parse(val, &p->firmware) < 0)
			return certify_errf(err, "%s: firmware: '%s' is not seabios or qboot", where, val);
	} else if (!strcmp(key, "iommu")) {
		if (strcmp(val, "intel") && strcmp(val, "none"))
			return certify_errf(err, "%s: iommu: '%s' is not intel or none", where, val);
		p->iommu = !strcmp(val, "intel");
	} else if (!strcmp(key, "topology")) {
		size_t t;

		for (t = 0; t < 4 && strcmp(plan_topo_names[t], val); t++)
			;
		if (t == 4)
			return certify_errf(err, "%s: topology: '%s' is not none, nic-pair, disk or vm", where, val);
		p->topology = (enum certify_topology)t;
	} else if (!strcmp(key, "disk")) {
		if (plan_size(val, &p->disk_bytes) < 0)
			return certify_errf(err, "%s: disk: bad size '%s' (use e.g. 64M or 3T, at most 64T)", where, val);
	} else if (!strcmp(key, "soak")) {
		if (certify_plan_soak(val, &p->soak_s) < 0)
			return certify_errf(err, "%s: soak: '%s' is not 1..86400 seconds", where, val);
	} else if (!strcmp(key, "eio_lba")) {
		snprintf(p->eio_lba, sizeof(p->eio_lba), "%s", val);
	} else if (!strcmp(key, "eio_wlba")) {
		snprintf(p->eio_wlba, sizeof(p->eio_wlba), "%s", val);
	} else if (!strcmp(key, "eio_flush")) {
		if (strcmp(val, "yes") && strcmp(val, "no"))
			return certify_errf(err, "%s: eio_flush: '%s' is not yes or no", where, val);
		p->eio_flush = !strcmp(val, "yes");
	} else {
		return certify_errf(err, "%s: unknown key '%s'", where, key);
	}
	if (list) {
		certify_strv_free(list);
		if (certify_strv_split(list, val) < 0)
			return certify_errf(err, "%s: out of memory", where);
		if (list->n == 0)
			return certify_errf(err, "%s: %s: empty list", where, key);
	}
	if (list == &p->machines)
		return plan_words_in(list, machines, where, key, err);
	if (list == &p->irqs)
		return plan_words_in(list, irqs, where, key, err);
	if (list == &p->accels)
		return plan_words_in(list, accels, where, key, err);
	for (size_t i = 0; list == &p->smps && i < list->n; i++) {
		long v = strtol(list->v[i], &end, 10);

		if (*end || v < 1 || v > 64)
			return certify_errf(err, "%s: smp: '%s' is not 1..64", where, list->v[i]);
	}
	return 0;
}

static int plan_defaults(struct certify_plan *p, const char *fname, struct certify_err *err)
{
	int r = 0;

	if (!p->name[0])
		return certify_errf(err, "%s: no 'name'", fname);
	if (p->tests.n == 0)
		return certify_errf(err, "%s: no 'tests'", fname);
	if (p->machines.n == 0)
		r |= certify_strv_push(&p->machines, "pc");
	if (p->irqs.n == 0)
		r |= certify_strv_push(&p->irqs, "none");
	if (p->smps.n == 0)
		r |= certify_strv_push(&p->smps, "1");
	if (p->accels.n == 0)
		r |= certify_strv_push(&p->accels, "tcg");
	if (p->required.n == 0)
		r |= certify_strv_push(&p->required, "all");
	/* QEMU's intel-iommu exists on q35 only. */
	for (size_t i = 0; p->iommu && i < p->machines.n; i++)
		if (strcmp(p->machines.v[i], "q35"))
			return certify_errf(err, "%s: iommu = intel needs machines = q35, not %s", fname,
					    p->machines.v[i]);
	return r ? certify_errf(err, "%s: out of memory", fname) : 0;
}

int certify_plan_parse(const char *text, const char *fname, struct certify_plan *p,
		       struct certify_err *err)
{
	char *copy = strdup(text), *line, *next;
	uint8_t digest[SHA256_DIGEST_SIZE];
	int lineno = 0, rc = 0;

	memset(p, 0, sizeof(*p));
	snprintf(p->file, sizeof(p->file), "%s", fname);
	sha256_digest(text, strlen(text), digest);
	sha256_hex(digest, p->sha256);
	p->mem_mib = 256;
	p->timeout_s = 120;
	p->disk_bytes = 64ull << 20;
	p->soak_s = 60;
	if (!copy)
		return certify_errf(err, "%s: out of memory", fname);
	for (line = copy; line && rc == 0; line = next) {
		char where[300], *eq, *s;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		s = plan_trim(line);
		if (!*s || *s == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%d", fname, lineno);
		eq = strchr(s, '=');
		if (!eq) {
			rc = certify_errf(err, "%s: expected 'key = value'", where);
			break;
		}
		*eq = '\0';
		rc = plan_set(p, plan_trim(s), plan_trim(eq + 1), where, err);
	}
	free(copy);
	if (rc == 0)
		rc = plan_defaults(p, fname, err);
	if (rc < 0)
		certify_plan_free(p);
	return rc;
}

int certify_plan_load(const char *path, struct certify_plan *p, struct certify_err *err)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;
	int rc;

	if (!f)
		return certify_errf(err, "%s: %s", path, strerror(errno));
	buf = malloc(CERTIFY_PLAN_MAX + 2);
	n = buf ? fread(buf, 1, CERTIFY_PLAN_MAX + 1, f) : 0;
	fclose(f);
	if (!buf)
		return certify_errf(err, "%s: out of memory", path);
	if (n > CERTIFY_PLAN_MAX || memchr(buf, '\0', n)) {
		free(buf);
		return certify_errf(err, "%s: %s", path, n > CERTIFY_PLAN_MAX ?
				    "longer than 64 KiB: not a plan" : "a NUL byte: not a plan");
	}
	buf[n] = '\0';
	rc = certify_plan_parse(buf, path, p, err);
	free(buf);
	return rc;
}

int certify_plan_find(const char *dir, const char *name, struct certify_plan *p,
		      struct certify_err *err)
{
	char path[1024];
	FILE *f;

	if (!*name || strpbrk(name, "/. "))
		return certify_errf(err, "plan '%s': not a plan name", name);
	snprintf(path, sizeof(path), "%s/%s.plan", dir, name);
	f = fopen(path, "r");
	if (!f)
		return certify_errf(err, "plan '%s': no such plan in %s (see `certify plans`)", name, dir);
	fclose(f);
	return certify_plan_load(path, p, err);
}

void certify_plan_free(struct certify_plan *p)
{
	certify_strv_free(&p->tests);
	certify_strv_free(&p->required);
	certify_strv_free(&p->params);
	certify_strv_free(&p->machines);
	certify_strv_free(&p->irqs);
	certify_strv_free(&p->smps);
	certify_strv_free(&p->accels);
}

int certify_plan_requires(const struct certify_plan *p, const char *suite, const char *name)
{
	size_t sl = strlen(suite);

	for (size_t i = 0; i < p->required.n; i++) {
		const char *w = p->required.v[i];

		if (!strcmp(w, "all") || !strcmp(w, suite) ||
		    (!strncmp(w, suite, sl) && w[sl] == '.' && !strcmp(w + sl + 1, name)))
			return 1;
	}
	return 0;
}

/* splitmix64: a well-mixed number from the seed and a per-template counter. */
static uint64_t plan_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t plan_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static int plan_rand(const char *spec, const char *tmpl, uint64_t seed, unsigned k,
		     unsigned long long *out)
{
	unsigned long long lo, hi;
	char tail;

	if (sscanf(spec, "rand:%llu:%llu%c", &lo, &hi, &tail) != 2 || lo > hi)
		return -1;
	*out = lo + plan_mix(seed ^ plan_hash(tmpl) ^ ((uint64_t)k << 56)) % (hi - lo + 1);
	return 0;
}

int certify_plan_soak(const char *val, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!val || *val < '0' || *val > '9')
		return -1;
	v = strtoul(val, &end, 10);
	if (*end || v < 1 || v > 86400)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int certify_plan_expand(const struct certify_plan *p, const char *tmpl, uint64_t seed,
			char *out, size_t outlen, struct certify_err *err)
{
	size_t len = 0;
	unsigned k = 0;

	for (const char *s = tmpl; *s; ) {
		char spec[64], val[32];
		const char *close;
		unsigned long long r;

		if (*s != '{') {
			if (len + 1 >= outlen)
				return certify_errf(err, "%s: '%s': too long", p->file, tmpl);
			out[len++] = *s++;
			continue;
		}
		close = strchr(s, '}');
		if (!close || (size_t)(close - s) >= sizeof(spec))
			return certify_errf(err, "%s: '%s': unclosed '{'", p->file, tmpl);
		memcpy(spec, s + 1, (size_t)(close - s - 1));
		spec[close - s - 1] = '\0';
		if (!strcmp(spec, "seed"))
			snprintf(val, sizeof(val), "%llu", (unsigned long long)seed);
		else if (!strcmp(spec, "disk_bytes"))
			snprintf(val, sizeof(val), "%llu", (unsigned long long)p->disk_bytes);
		else if (!strcmp(spec, "soak"))
			snprintf(val, sizeof(val), "%u", p->soak_s);
		else if (plan_rand(spec, tmpl, seed, k++, &r) == 0)
			snprintf(val, sizeof(val), "%llu", r);
		else
			return certify_errf(err, "%s: '%s': unknown {%s} (use {seed}, {disk_bytes}, "
					    "{soak} or {rand:LO:HI})", p->file, tmpl, spec);
		if (len + strlen(val) >= outlen)
			return certify_errf(err, "%s: '%s': too long", p->file, tmpl);
		memcpy(out + len, val, strlen(val));
		len += strlen(val);
		s = close + 1;
	}
	out[len] = '\0';
	return 0;
}
