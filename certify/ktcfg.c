/* certify: parse the kernel test list. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ktcfg.h"
#include "tap.h"

struct ktcfg_parser {
	const char *fname;
	int line;
	struct certify_ktcfg *cfg;
	struct certify_err *err;
};

__attribute__((format(printf, 2, 3)))
static int ktcfg_err(struct ktcfg_parser *p, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return certify_errf(p->err, "%s:%d: %s", p->fname, p->line, msg);
}

static char *ktcfg_trim(char *s)
{
	char *e;

	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int ktcfg_int(struct ktcfg_parser *p, const char *key, const char *v, int lo, int hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return ktcfg_err(p, "%s = '%s': expected a whole number from %d to %d", key, v, lo, hi);
	*out = (int)n;
	return 0;
}

/* Every ${...} in an argument must name a declared disk. */
static int ktcfg_check_refs(struct ktcfg_parser *p, const struct certify_ktest *t, const char *arg)
{
	for (const char *s = strstr(arg, "${"); s; s = strstr(s + 2, "${")) {
		const char *close = strchr(s, '}');
		int found = 0;

		if (strncmp(s, "${disk:", 7) != 0 || !close)
			return ktcfg_err(p, "'%s': only ${disk:NAME} can be expanded", arg);
		for (size_t i = 0; i < t->ndisks; i++)
			found |= strlen(t->disks[i].name) == (size_t)(close - s - 7) &&
				 strncmp(t->disks[i].name, s + 7, (size_t)(close - s - 7)) == 0;
		if (!found)
			return ktcfg_err(p, "'%.*s': no such disk (declare it with disks = NAME:SIZE)",
				      (int)(close - s + 1), s);
	}
	return 0;
}

static int ktcfg_disks(struct ktcfg_parser *p, struct certify_ktest *t, const char *v)
{
	struct certify_strv words = { 0 };
	struct certify_err e;
	int rc = 0;

	if (certify_strv_split(&words, v) < 0)
		return ktcfg_err(p, "out of memory");
	t->ndisks = 0;
	for (size_t i = 0; i < words.n && rc == 0; i++) {
		if (t->ndisks == QEMU_MAX_DISKS)
			rc = ktcfg_err(p, "more than %d disks", QEMU_MAX_DISKS);
		else if (qemu_disk_parse(words.v[i], &t->disks[t->ndisks], &e) < 0)
			rc = ktcfg_err(p, "%s", e.msg);
		else
			t->ndisks++;
	}
	certify_strv_free(&words);
	return rc;
}

/* `initrd = a.hvm bad/b.hvm,/abs/c.hvm`: blanks or commas separate the files. */
static int ktcfg_initrd(struct ktcfg_parser *p, struct certify_ktest *t, const char *v)
{
	char *copy = strdup(v), *save = NULL;
	int rc = 0;

	if (!copy)
		return ktcfg_err(p, "out of memory");
	certify_strv_free(&t->initrd);
	for (char *w = strtok_r(copy, " \t,", &save); w && rc == 0; w = strtok_r(NULL, " \t,", &save))
		if (certify_strv_push(&t->initrd, w) < 0)
			rc = ktcfg_err(p, "out of memory");
	free(copy);
	return rc;
}

static int ktcfg_modstatus_ok(const char *s)
{
	return strcmp(s, "loaded") == 0 || strcmp(s, "skipped") == 0 ||
	       strcmp(s, "refused") == 0 || strcmp(s, "failed") == 0;
}

/* One word of `modules = FILE:STATUS[:REASON]`. */
static int ktcfg_modcheck(struct ktcfg_parser *p, const char *w, struct certify_modcheck *c)
{
	const char *c1 = strchr(w, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	size_t flen = c1 ? (size_t)(c1 - w) : 0;
	size_t slen = c1 ? (c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1)) : 0;

	memset(c, 0, sizeof(*c));
	if (!c1 || flen == 0 || flen >= sizeof(c->file) || slen >= sizeof(c->status))
		return ktcfg_err(p, "modules: '%s': expected FILE:STATUS[:REASON]", w);
	memcpy(c->file, w, flen);
	memcpy(c->status, c1 + 1, slen);
	if (!ktcfg_modstatus_ok(c->status))
		return ktcfg_err(p, "modules: '%s': status '%s' is not loaded, skipped, refused or failed",
				 w, c->status);
	if (c2 && (!c2[1] || strlen(c2 + 1) >= sizeof(c->reason)))
		return ktcfg_err(p, "modules: '%s': the reason must be 1 to %zu characters", w,
				 sizeof(c->reason) - 1);
	if (c2)
		strcpy(c->reason, c2 + 1);
	return 0;
}

/* One word of `driver = SLOT:NAME`; the slot has colons, the name is after the last. */
static int ktcfg_drvcheck(struct ktcfg_parser *p, const char *w, struct certify_drvcheck *c)
{
	const char *colon = strrchr(w, ':');
	size_t slen = colon ? (size_t)(colon - w) : 0;

	memset(c, 0, sizeof(*c));
	if (!colon || slen < 7 || slen >= sizeof(c->slot) || !colon[1] ||
	    strlen(colon + 1) >= sizeof(c->driver))
		return ktcfg_err(p, "driver: '%s': expected SLOT:NAME, e.g. 00:04.0:edu", w);
	memcpy(c->slot, w, slen);
	strcpy(c->driver, colon + 1);
	return 0;
}

/* One word of `contained = SLOT:OP:REASON:VIA`: the last three fields after the slot. */
static int ktcfg_contcheck(struct ktcfg_parser *p, const char *w, struct certify_drvcheck *c)
{
	const char *f[3] = { 0 }, *end = w + strlen(w);
	size_t slen;

	memset(c, 0, sizeof(*c));
	for (int i = 2; i >= 0; i--) {
		const char *q = end;
		while (q > w && q[-1] != ':')
			q--;
		if (q == w)
			break;
		f[i] = q;
		end = q - 1;
	}
	slen = f[0] ? (size_t)(f[0] - 1 - w) : 0;
	if (!f[0] || slen < 7 || slen >= sizeof(c->slot) || f[1] - f[0] - 1 <= 0 ||
	    (size_t)(f[1] - f[0] - 1) >= sizeof(c->op) || f[2] - f[1] - 1 <= 0 ||
	    (size_t)(f[2] - f[1] - 1) >= sizeof(c->reason) || !*f[2] || strlen(f[2]) >= sizeof(c->via))
		return ktcfg_err(p, "contained: '%s': expected SLOT:OP:REASON:VIA, e.g. 00:04.0:probe:timeout:nmi", w);
	c->contained = 1;
	memcpy(c->slot, w, slen);
	memcpy(c->op, f[0], (size_t)(f[1] - f[0] - 1));
	memcpy(c->reason, f[1], (size_t)(f[2] - f[1] - 1));
	strcpy(c->via, f[2]);
	char *slash = strchr(c->via, '/');
	if (slash) {
		if (strcmp(slash + 1, "off") && strcmp(slash + 1, "flr"))
			return ktcfg_err(p, "contained: '%s': the reset after '/' must be off or flr", w);
		strcpy(c->reset, slash + 1);
		*slash = '\0';
	}
	strcpy(c->driver, "-");
	return 0;
}

/* `modules = ...` (kind 'm'), `driver = ...` (kind 'd') or `contained = ...` (kind 'c',
 * appended to the driver checks), blank-separated. */
static int ktcfg_checks(struct ktcfg_parser *p, struct certify_ktest *t, const char *v, int kind)
{
	struct certify_strv words = { 0 };
	size_t elem = kind == 'm' ? sizeof(*t->modcheck) : sizeof(*t->drvcheck);
	void *arr;
	int rc = 0;

	if (certify_strv_split(&words, v) < 0)
		return ktcfg_err(p, "out of memory");
	arr = calloc(words.n ? words.n : 1, elem);
	if (!arr)
		rc = ktcfg_err(p, "out of memory");
	for (size_t i = 0; i < words.n && rc == 0; i++)
		rc = kind == 'm' ? ktcfg_modcheck(p, words.v[i], (struct certify_modcheck *)arr + i)
		     : kind == 'c' ? ktcfg_contcheck(p, words.v[i], (struct certify_drvcheck *)arr + i)
				   : ktcfg_drvcheck(p, words.v[i], (struct certify_drvcheck *)arr + i);
	if (rc == 0 && kind == 'm') {
		free(t->modcheck);
		t->modcheck = arr;
		t->nmodcheck = words.n;
	} else if (rc == 0 && kind == 'c') {
		free(t->contcheck);
		t->contcheck = arr;
		t->ncontcheck = words.n;
	} else if (rc == 0) {
		free(t->drvcheck);
		t->drvcheck = arr;
		t->ndrvcheck = words.n;
	} else {
		free(arr);
	}
	certify_strv_free(&words);
	return rc;
}

static int ktcfg_set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = *v ? strdup(v) : NULL;
	return 0;
}

/* qmp = POINT COMMAND [JSON]; POINT COMMAND [JSON] ... : each JSON must parse as an object. */
/* peer = ID (the UDP peer) or peer_tap = ID:QUEUES (a tap with 1..CERTIFY_TAP_MAX_QUEUES
 * queues); one host peer per entry. */
static int ktcfg_peer(struct ktcfg_parser *p, struct certify_ktest *t, const char *key,
		      const char *v)
{
	static const char idchars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
	int tap = strcmp(key, "peer_tap") == 0;
	size_t idlen = tap ? strcspn(v, ":") : strlen(v);

	if (t->peer[0])
		return ktcfg_err(p, "%s = '%s': the entry already has a host peer", key, v);
	if (!idlen || idlen >= sizeof(t->peer) || strspn(v, idchars) != idlen)
		return ktcfg_err(p, "%s = '%s': expected %s", key, v,
				 tap ? "ID:QUEUES with a QEMU netdev id" : "a QEMU netdev id");
	if (tap) {
		const char *q = v + idlen;
		char *end = NULL;
		unsigned long n = *q == ':' && q[1] >= '0' && q[1] <= '9' ? strtoul(q + 1, &end, 10) : 0;
		if (!n || *end || n > CERTIFY_TAP_MAX_QUEUES)
			return ktcfg_err(p, "peer_tap = '%s': expected ID:QUEUES with QUEUES 1..%d", v,
					 CERTIFY_TAP_MAX_QUEUES);
		t->peer_tap_queues = (unsigned)n;
	}
	snprintf(t->peer, sizeof(t->peer), "%.*s", (int)idlen, v);
	return 0;
}

static int ktcfg_qmp(struct ktcfg_parser *p, struct certify_ktest *t, const char *v)
{
	char buf[1024];

	if (strlen(v) >= sizeof(buf))
		return ktcfg_err(p, "qmp = ...: longer than %zu characters", sizeof(buf) - 1);
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *item = strtok(buf, ";"); item; item = strtok(NULL, ";")) {
		char *point = ktcfg_trim(item), *cmd, *args;
		if (!*point)
			continue;
		cmd = point + strcspn(point, " \t");
		if (!*cmd)
			return ktcfg_err(p, "qmp = '%s': expected POINT COMMAND [JSON-ARGUMENTS]", point);
		*cmd++ = 0;
		cmd = ktcfg_trim(cmd);
		args = cmd + strcspn(cmd, " \t");
		if (*args) {
			*args++ = 0;
			args = ktcfg_trim(args);
			json_object *o = json_tokener_parse(args);
			int ok = o && json_object_is_type(o, json_type_object);
			json_object_put(o);
			if (!ok)
				return ktcfg_err(p, "qmp = %s %s: arguments '%s' are not a JSON object", point, cmd, args);
		}
		char entry[1100];
		snprintf(entry, sizeof(entry), "%s %s %s", point, cmd, args);
		if (certify_strv_push(&t->qmp, ktcfg_trim(entry)) < 0)
			return ktcfg_err(p, "out of memory");
	}
	return 0;
}

static int ktcfg_key(struct ktcfg_parser *p, struct certify_ktest *t, const char *key, const char *v)
{
	if (strcmp(key, "machine") == 0) {
		if (strcmp(v, "pc") != 0 && strcmp(v, "q35") != 0)
			return ktcfg_err(p, "machine = '%s': expected pc or q35", v);
		snprintf(t->machine, sizeof(t->machine), "%s", v);
	} else if (strcmp(key, "accel") == 0) {
		if (qemu_accel_parse(v, &t->accel) < 0)
			return ktcfg_err(p, "accel = '%s': expected tcg, kvm or auto", v);
	} else if (strcmp(key, "firmware") == 0) {
		if (qemu_firmware_parse(v, &t->firmware) < 0)
			return ktcfg_err(p, "firmware = '%s': expected seabios, qboot or ovmf", v);
	} else if (strcmp(key, "smp") == 0) {
		return ktcfg_int(p, key, v, 1, 64, &t->smp);
	} else if (strcmp(key, "mem") == 0) {
		return ktcfg_int(p, key, v, 16, 65536, &t->mem_mib);
	} else if (strcmp(key, "timeout") == 0) {
		int s;

		if (ktcfg_int(p, key, v, 1, 86400, &s) < 0)
			return -1;
		t->timeout_s = s;
	} else if (strcmp(key, "expect") == 0) {
		if (certify_outcome_parse(v, &t->expect) < 0 || t->expect > CERTIFY_TIMEOUT)
			return ktcfg_err(p, "expect = '%s': expected pass, fail, error, policy, panic, reset or timeout", v);
	} else if (strcmp(key, "oracle") == 0) {
		if (*v && strcmp(v, "query-pci") != 0 && strcmp(v, "none") != 0)
			return ktcfg_err(p, "oracle = '%s': expected query-pci or none", v);
		snprintf(t->oracle, sizeof(t->oracle), "%s", strcmp(v, "none") ? v : "");
	} else if (strcmp(key, "append") == 0) {
		return ktcfg_set_str(&t->append, v);
	} else if (strcmp(key, "initrd") == 0) {
		return ktcfg_initrd(p, t, v);
	} else if (strcmp(key, "modules") == 0) {
		return ktcfg_checks(p, t, v, 'm');
	} else if (strcmp(key, "driver") == 0) {
		return ktcfg_checks(p, t, v, 'd');
	} else if (strcmp(key, "contained") == 0) {
		return ktcfg_checks(p, t, v, 'c');
	} else if (strcmp(key, "disks") == 0) {
		return ktcfg_disks(p, t, v);
	} else if (strcmp(key, "needs") == 0) {
		certify_strv_free(&t->needs);
		return certify_strv_split(&t->needs, v) < 0 ? ktcfg_err(p, "out of memory") : 0;
	} else if (strcmp(key, "groups") == 0) {
		certify_strv_free(&t->groups);
		return certify_strv_split(&t->groups, v) < 0 ? ktcfg_err(p, "out of memory") : 0;
	} else if (strcmp(key, "qemu") == 0) {
		certify_strv_free(&t->qemu);
		return certify_strv_split(&t->qemu, v) < 0 ? ktcfg_err(p, "out of memory") : 0;
	} else if (strcmp(key, "qmp") == 0) {
		return ktcfg_qmp(p, t, v);
	} else if (strcmp(key, "cdrom") == 0) {
		return ktcfg_set_str(&t->cdrom, v);
	} else if (strcmp(key, "peer") == 0 || strcmp(key, "peer_tap") == 0) {
		return ktcfg_peer(p, t, key, v);
	} else if (strcmp(key, "stall") == 0) {
		char type[16], extra;
		double secs;

		if (sscanf(v, "%15s %lf %c", type, &secs, &extra) != 2 || secs <= 0 || secs > 60)
			return ktcfg_err(p, "stall = '%s': expected RECORD SECONDS (0 < SECONDS <= 60)", v);
		snprintf(t->stall_record, sizeof(t->stall_record), "%s", type);
		t->stall_s = secs;
		return 0;
	} else if (strcmp(key, "verify_bad") == 0) {
		return ktcfg_int(p, key, v, 0, 1 << 30, &t->verify_bad);
	} else if (strcmp(key, "verify_disk") == 0) {
		certify_strv_free(&t->verify_disk);
		if (certify_strv_split(&t->verify_disk, v) < 0)
			return ktcfg_err(p, "out of memory");
		for (size_t i = 0; i < t->verify_disk.n; i++) {
			const char *w = t->verify_disk.v[i], *colon = strchr(w, ':');
			if (!colon || colon == w || !colon[1])
				return ktcfg_err(p, "verify_disk = '%s': expected DEV:DISK", w);
			char name[40];
			snprintf(name, sizeof(name), "%s", colon + 1);
			size_t k;
			for (k = 0; k < t->ndisks && strcmp(t->disks[k].name, name) != 0; k++)
				;
			if (k == t->ndisks)
				return ktcfg_err(p, "verify_disk = '%s': no disk '%s' declared before it", w, name);
		}
	} else {
		return ktcfg_err(p, "unknown key '%s'", key);
	}
	return 0;
}

static int ktcfg_section(struct ktcfg_parser *p, char *s)
{
	struct certify_ktcfg *cfg = p->cfg;
	struct certify_ktest *t;
	char *close = strchr(s, ']');
	size_t len;

	if (!close || close[1] != '\0')
		return ktcfg_err(p, "bad section header '%s': expected [name]", s);
	*close = '\0';
	s = ktcfg_trim(s + 1);
	len = strlen(s);
	if (len == 0 || len >= sizeof(t->name) ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != len)
		return ktcfg_err(p, "bad test name '%s': use [A-Za-z0-9_.-], at most 63 characters", s);
	for (size_t i = 0; i < cfg->ntest; i++) {
		if (strcmp(cfg->test[i].name, s) == 0)
			return ktcfg_err(p, "test '%s' already defined at line %d", s, cfg->test[i].line);
	}
	t = realloc(cfg->test, (cfg->ntest + 1) * sizeof(*t));
	if (!t)
		return ktcfg_err(p, "out of memory");
	cfg->test = t;
	t = &cfg->test[cfg->ntest++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", s);
	snprintf(t->file, sizeof(t->file), "%s", p->fname);
	t->line = p->line;
	strcpy(t->machine, "pc");
	t->accel = QEMU_ACCEL_TCG;
	t->smp = 1;
	t->mem_mib = 256;
	t->timeout_s = 60;
	t->expect = CERTIFY_PASS;
	return 0;
}

static int ktcfg_line(struct ktcfg_parser *p, char *s, int *qemu_line)
{
	struct certify_ktest *t;
	char *eq, *key, *val;

	s = ktcfg_trim(s);
	if (*s == '\0' || *s == '#')
		return 0;
	if (*s == '[')
		return ktcfg_section(p, s);
	eq = strchr(s, '=');
	if (!eq)
		return ktcfg_err(p, "expected 'key = value' or '[name]', got '%.40s'", s);
	if (p->cfg->ntest == 0)
		return ktcfg_err(p, "'%.40s' before the first [name] section", s);
	*eq = '\0';
	key = ktcfg_trim(s);
	val = ktcfg_trim(eq + 1);
	t = &p->cfg->test[p->cfg->ntest - 1];
	if (strcmp(key, "qemu") == 0)
		*qemu_line = p->line;
	return ktcfg_key(p, t, key, val);
}

/* Checks a finished section: every ${disk:X} names a declared disk. */
static int ktcfg_finish(struct ktcfg_parser *p, int qemu_line)
{
	struct certify_ktest *t;
	int line = p->line, rc = 0;

	if (p->cfg->ntest == 0 || qemu_line == 0)
		return 0;
	t = &p->cfg->test[p->cfg->ntest - 1];
	p->line = qemu_line;
	for (size_t i = 0; i < t->qemu.n && rc == 0; i++)
		rc = ktcfg_check_refs(p, t, t->qemu.v[i]);
	p->line = line;
	return rc;
}

/* Joins a line ending in '\' with the next ones. Returns the end of the logical line. */
static const char *ktcfg_logical(const char *s, char **out, int *extra)
{
	size_t cap = 256, len = 0;
	char *buf = malloc(cap);

	*extra = 0;
	while (buf) {
		size_t n = strcspn(s, "\n");
		int cont = n > 0 && s[n - 1] == '\\';

		if (len + n + 2 > cap) {
			char *b = realloc(buf, cap = (len + n + 2) * 2);

			if (!b)
				break;
			buf = b;
		}
		memcpy(buf + len, s, n - (size_t)cont);
		len += n - (size_t)cont;
		s += n + (s[n] == '\n');
		if (!cont || !*s)
			break;
		buf[len++] = ' ';
		(*extra)++;
	}
	if (buf)
		buf[len] = '\0';
	*out = buf;
	return s;
}

int certify_ktcfg_parse(const char *text, const char *fname, struct certify_ktcfg *cfg,
			struct certify_err *err)
{
	struct ktcfg_parser p = { fname, 0, cfg, err };
	int qemu_line = 0, rc = 0, extra;

	memset(cfg, 0, sizeof(*cfg));
	while (*text && rc == 0) {
		size_t before = cfg->ntest;
		char *line;

		text = ktcfg_logical(text, &line, &extra);
		p.line++;
		if (!line)
			return ktcfg_err(&p, "out of memory");
		if (line[strspn(line, " \t")] == '[')
			rc = ktcfg_finish(&p, qemu_line);
		if (rc == 0)
			rc = ktcfg_line(&p, line, &qemu_line);
		if (cfg->ntest != before)
			qemu_line = 0;
		p.line += extra;
		free(line);
	}
	if (rc == 0)
		rc = ktcfg_finish(&p, qemu_line);
	if (rc == 0 && cfg->ntest == 0)
		rc = certify_errf(err, "%s: no tests defined", fname);
	if (rc < 0)
		certify_ktcfg_free(cfg);
	return rc;
}

int certify_ktcfg_load(const char *path, struct certify_ktcfg *cfg, struct certify_err *err)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	char buf[4096];
	size_t n;
	int rc;

	if (!f)
		return certify_errf(err, "%s: %s", path, strerror(errno));
	m = open_memstream(&text, &len);
	if (!m) {
		fclose(f);
		return certify_errf(err, "%s: out of memory", path);
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	fclose(f);
	fclose(m);
	rc = certify_ktcfg_parse(text, path, cfg, err);
	free(text);
	return rc;
}

void certify_ktcfg_free(struct certify_ktcfg *cfg)
{
	for (size_t i = 0; i < cfg->ntest; i++) {
		free(cfg->test[i].append);
		certify_strv_free(&cfg->test[i].initrd);
		free(cfg->test[i].modcheck);
		free(cfg->test[i].drvcheck);
		free(cfg->test[i].contcheck);
		certify_strv_free(&cfg->test[i].qemu);
		certify_strv_free(&cfg->test[i].groups);
		certify_strv_free(&cfg->test[i].needs);
		certify_strv_free(&cfg->test[i].qmp);
		certify_strv_free(&cfg->test[i].verify_disk);
		free(cfg->test[i].cdrom);
	}
	free(cfg->test);
	memset(cfg, 0, sizeof(*cfg));
}

char *certify_ktest_initrd(const struct certify_ktest *t, const char *moddir, int *rc,
			   struct certify_err *err)
{
	struct certify_strv paths = { 0 };
	char *joined = NULL;
	size_t len = 1;

	*rc = 0;
	for (size_t i = 0; i < t->initrd.n && *rc == 0; i++) {
		const char *f = t->initrd.v[i];

		if (f[0] == '/' ? certify_strv_push(&paths, f) < 0
				: certify_strv_pushf(&paths, "%s/%s", moddir, f) < 0)
			*rc = certify_errf(err, "out of memory");
		else if (strpbrk(paths.v[i], ", \t"))
			*rc = certify_errf(err, "%s:%d: initrd '%s': QEMU cannot take a path with a comma or blank",
					   t->file, t->line, paths.v[i]);
		else
			len += strlen(paths.v[i]) + 1;
	}
	if (*rc == 0 && paths.n && !(joined = calloc(1, len)))
		*rc = certify_errf(err, "out of memory");
	for (size_t i = 0; joined && i < paths.n; i++) {
		if (i)
			strcat(joined, ",");
		strcat(joined, paths.v[i]);
	}
	certify_strv_free(&paths);
	return joined;
}

/* Is pat in s, where '_' in pat also matches a blank? */
static int ktcfg_reason_has(const char *s, const char *pat)
{
	size_t n = strlen(pat);

	for (; *s; s++) {
		size_t i = 0;

		while (i < n && (s[i] == pat[i] || (pat[i] == '_' && s[i] == ' ')))
			i++;
		if (i == n)
			return 1;
	}
	return n == 0;
}

int certify_modcheck_eval(const struct certify_modcheck *c, const struct hvr_run *run,
			  char *why, size_t whylen)
{
	const struct hvr_module *m = hvr_run_module(run, c->file);

	if (!m)
		snprintf(why, whylen, "%s: no module record", c->file);
	else if (strcmp(m->status, c->status) != 0)
		snprintf(why, whylen, "%s: status %s, expected %s%s%s%s", c->file, m->status,
			 c->status, m->reason[0] ? " (" : "", m->reason, m->reason[0] ? ")" : "");
	else if (!ktcfg_reason_has(m->reason, c->reason))
		snprintf(why, whylen, "%s: reason '%s' does not contain '%s'", c->file, m->reason,
			 c->reason);
	else
		return 1;
	return 0;
}

/* A `contained` expectation: the drvfail record says what the kernel did. */
static int ktcfg_contcheck_eval(const struct certify_drvcheck *c, const struct hvr_run *run,
				char *why, size_t whylen)
{
	const struct hvr_drvfail *f = hvr_run_drvfail(run, c->slot);

	if (!f)
		snprintf(why, whylen, "%s: no drvfail record (the driver was not contained)", c->slot);
	else if (strcmp(f->op, c->op) || strcmp(f->reason, c->reason) || !ktcfg_reason_has(f->via, c->via) ||
		 (c->reset[0] && strcmp(f->reset, c->reset)))
		snprintf(why, whylen, "%s: contained in %s, %s (%s), device %s; expected %s, %s (%s)%s%s",
			 c->slot, f->op, f->reason, f->via, f->reset, c->op, c->reason, c->via,
			 c->reset[0] ? ", device " : "", c->reset);
	else
		return 1;
	return 0;
}

int certify_drvcheck_eval(const struct certify_drvcheck *c, const struct hvr_run *run,
			  char *why, size_t whylen)
{
	size_t n = strlen(c->slot);
	const struct hvr_drvfail *f = c->contained ? hvr_run_drvfail(run, c->slot) : NULL;

	if (c->contained && !ktcfg_contcheck_eval(c, run, why, whylen))
		return 0;

	for (size_t i = 0; i < run->npci; i++) {
		const char *slot = run->pci[i].slot;
		size_t len = strlen(slot);

		/* "00:04.0" names the function at 0000:00:04.0. */
		if (len < n || strcmp(slot + len - n, c->slot) != 0 || (len > n && slot[len - n - 1] != ':'))
			continue;
		if (f && strcmp(run->pci[i].failed, f->driver)) {
			snprintf(why, whylen, "%s: the pci record says failed='%s', the drvfail record driver %s",
				 slot, run->pci[i].failed, f->driver);
			return 0;
		}
		if (strcmp(run->pci[i].driver, c->driver) == 0)
			return 1;
		snprintf(why, whylen, "%s: driver %s, expected %s", slot, run->pci[i].driver, c->driver);
		return 0;
	}
	snprintf(why, whylen, "%s: no pci record", c->slot);
	return 0;
}

int certify_ktest_in_group(const struct certify_ktest *t, const char *group)
{
	for (size_t i = 0; i < t->groups.n; i++) {
		if (strcmp(t->groups.v[i], group) == 0)
			return 1;
	}
	return 0;
}
