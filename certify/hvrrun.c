/* certify: fold result-channel records into the state of one run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvrrun.h"

void hvr_run_error(struct hvr_run *run, const char *fmt, ...)
{
	va_list ap;

	if (run->nerrors < sizeof(run->error) / sizeof(run->error[0])) {
		va_start(ap, fmt);
		vsnprintf(run->error[run->nerrors], sizeof(run->error[0]), fmt, ap);
		va_end(ap);
	}
	run->nerrors++;
}

const char *hvr_status_name(enum hvr_status s)
{
	static const char *const names[] = { "pass", "fail", "skip", "error" };

	return names[s];
}

static void hvr_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static int hvr_flood(struct hvr_run *run, const char *what, unsigned long limit)
{
	if (!run->flooded)
		hvr_run_error(run, "flood: more than %lu %s%srecords", limit, what,
			      *what ? " " : "");
	run->flooded = 1;
	return -1;
}

/* Makes room for element n; the capacity is always the next power of two. */
static void *hvr_grow(void *arr, size_t n, size_t elem)
{
	if (n != 0 && (n & (n - 1)) != 0)
		return arr;
	return realloc(arr, (n ? n * 2 : 1) * elem);
}

static int hvr_add_hello(struct hvr_run *run, const struct hvr_record *rec, double t)
{
	run->has_hello = 1;
	run->hello_s = t;
	hvr_copy(run->release, sizeof(run->release), hvr_get(rec, "release"));
	hvr_copy(run->arch, sizeof(run->arch), hvr_get(rec, "arch"));
	hvr_copy(run->machine, sizeof(run->machine), hvr_get(rec, "machine"));
	if (hvr_get_u64(rec, "tsc_khz", &run->tsc_khz) < 0)
		run->tsc_khz = 0;
	return 0;
}

static int hvr_parse_slot(const char *s, struct hvr_pci *p)
{
	char tail;

	if (!s || strlen(s) != 12 ||
	    sscanf(s, "%4x:%2x:%2x.%1x%c", &p->seg, &p->bus, &p->dev, &p->fn, &tail) != 4)
		return -1;
	if (p->dev > 31 || p->fn > 7)
		return -1;
	hvr_copy(p->slot, sizeof(p->slot), s);
	return 0;
}

static int hvr_add_pci(struct hvr_run *run, const struct hvr_record *rec)
{
	struct hvr_pci p;
	uint64_t v[8];
	static const char *const keys[] = { "vid", "did", "svid", "ssid", "class", "rev", "hdr" };
	void *grown;

	memset(&p, 0, sizeof(p));
	if (hvr_parse_slot(hvr_get(rec, "slot"), &p) < 0) {
		hvr_run_error(run, "pci record: bad slot '%s'", hvr_get(rec, "slot") ? hvr_get(rec, "slot") : "");
		return -1;
	}
	for (int i = 0; i < 7; i++) {
		if (hvr_get_hex(rec, keys[i], &v[i]) < 0) {
			hvr_run_error(run, "pci record %s: missing or bad '%s'", p.slot, keys[i]);
			return -1;
		}
	}
	p.vid = (uint16_t)v[0];
	p.did = (uint16_t)v[1];
	p.svid = (uint16_t)v[2];
	p.ssid = (uint16_t)v[3];
	p.class = (uint32_t)v[4];
	p.rev = (uint8_t)v[5];
	p.hdr = (uint8_t)v[6];
	hvr_copy(p.driver, sizeof(p.driver), hvr_get(rec, "driver") ? hvr_get(rec, "driver") : "-");
	hvr_copy(p.failed, sizeof(p.failed), hvr_get(rec, "failed"));
	if (run->npci == HVR_MAX_PCI)
		return hvr_flood(run, "pci", HVR_MAX_PCI);
	grown = hvr_grow(run->pci, run->npci, sizeof(p));
	if (!grown)
		return -1;
	run->pci = grown;
	run->pci[run->npci++] = p;
	return 0;
}

static int hvr_add_module(struct hvr_run *run, const struct hvr_record *rec)
{
	static const char *const statuses[] = { "loaded", "skipped", "refused", "failed" };
	const char *file = hvr_get(rec, "file"), *status = hvr_get(rec, "status");
	struct hvr_module m;
	void *grown;
	int known = 0;

	for (int i = 0; status && i < 4; i++)
		known |= strcmp(status, statuses[i]) == 0;
	if (!file || !*file || !known) {
		hvr_run_error(run, "module record: needs file and status loaded|skipped|refused|failed");
		return -1;
	}
	memset(&m, 0, sizeof(m));
	hvr_copy(m.file, sizeof(m.file), file);
	hvr_copy(m.status, sizeof(m.status), status);
	hvr_copy(m.name, sizeof(m.name), hvr_get(rec, "name") ? hvr_get(rec, "name") : "-");
	hvr_copy(m.version, sizeof(m.version), hvr_get(rec, "version") ? hvr_get(rec, "version") : "-");
	hvr_copy(m.vendor, sizeof(m.vendor), hvr_get(rec, "vendor") ? hvr_get(rec, "vendor") : "-");
	hvr_copy(m.sha256, sizeof(m.sha256), hvr_get(rec, "sha256"));
	hvr_copy(m.reason, sizeof(m.reason), hvr_get(rec, "reason"));
	if (hvr_get_u64(rec, "size", &m.size) < 0)
		m.size = 0;
	if (hvr_get_u64(rec, "us", &m.us) < 0)
		m.us = 0;
	if (run->nmodule == HVR_MAX_MODULES)
		return hvr_flood(run, "module", HVR_MAX_MODULES);
	grown = hvr_grow(run->module, run->nmodule, sizeof(m));
	if (!grown)
		return -1;
	run->module = grown;
	run->module[run->nmodule++] = m;
	return 0;
}

/* `phase name=N us=U [dus= pio= mmio= other= con=]` or
 * `bind slot=S driver=D status=bound|failed dus= pio= mmio= other= con=`. */
static int hvr_add_cost(struct hvr_run *run, const struct hvr_record *rec)
{
	int is_bind = strcmp(rec->type, "bind") == 0;
	const char *name = hvr_get(rec, is_bind ? "slot" : "name");
	struct hvr_cost c, **arr = is_bind ? &run->bind : &run->phase;
	size_t *n = is_bind ? &run->nbind : &run->nphase;
	void *grown;

	memset(&c, 0, sizeof(c));
	if (!name || !*name || (is_bind ? hvr_get_u64(rec, "dus", &c.dus) < 0 || !hvr_get(rec, "driver")
				: hvr_get_u64(rec, "us", &c.us) < 0)) {
		hvr_run_error(run, is_bind ? "bind record: needs slot, driver and dus"
				  : "phase record: needs name and us");
		return -1;
	}
	hvr_copy(c.name, sizeof(c.name), name);
	if (is_bind)
		hvr_copy(c.driver, sizeof(c.driver), hvr_get(rec, "driver"));
	else
		hvr_get_u64(rec, "dus", &c.dus);
	hvr_get_u64(rec, "pio", &c.pio);
	hvr_get_u64(rec, "mmio", &c.mmio);
	hvr_get_u64(rec, "other", &c.other);
	hvr_get_u64(rec, "con", &c.con);
	if (*n == HVR_MAX_COSTS)
		return hvr_flood(run, rec->type, HVR_MAX_COSTS);
	grown = hvr_grow(*arr, *n, sizeof(c));
	if (!grown)
		return -1;
	*arr = grown;
	(*arr)[(*n)++] = c;
	return 0;
}

/* `violation kind=K module=M site=HEX off=HEX addr=HEX size=N dev=SLOT test=ID msg=...` */
static int hvr_add_violation(struct hvr_run *run, const struct hvr_record *rec)
{
	const char *kind = hvr_get(rec, "kind"), *mod = hvr_get(rec, "module");
	struct certify_violation v;
	void *grown;

	memset(&v, 0, sizeof(v));
	if (!kind || !*kind || strspn(kind, "abcdefghijklmnopqrstuvwxyz_-") != strlen(kind) ||
	    strlen(kind) >= sizeof(v.kind) || !mod || !*mod ||
	    hvr_get_hex(rec, "site", &v.site) < 0 || hvr_get_hex(rec, "off", &v.off) < 0) {
		hvr_run_error(run, "violation record: needs kind (a word), module, site and off (hex)");
		return -1;
	}
	if (hvr_get(rec, "addr") && hvr_get_hex(rec, "addr", &v.addr) < 0) {
		hvr_run_error(run, "violation record: bad addr '%s'", hvr_get(rec, "addr"));
		return -1;
	}
	if (hvr_get(rec, "size") && hvr_get_u64(rec, "size", &v.size) < 0) {
		hvr_run_error(run, "violation record: bad size '%s'", hvr_get(rec, "size"));
		return -1;
	}
	hvr_copy(v.kind, sizeof(v.kind), kind);
	hvr_copy(v.module, sizeof(v.module), mod);
	hvr_copy(v.dev, sizeof(v.dev), hvr_get(rec, "dev") ? hvr_get(rec, "dev") : "-");
	hvr_copy(v.test, sizeof(v.test), hvr_get(rec, "test") ? hvr_get(rec, "test") : "-");
	hvr_copy(v.msg, sizeof(v.msg), hvr_get(rec, "msg"));
	if (run->nviolation == HVR_MAX_VIOLATIONS)
		return hvr_flood(run, "violation", HVR_MAX_VIOLATIONS);
	grown = hvr_grow(run->violation, run->nviolation, sizeof(v));
	if (!grown)
		return -1;
	run->violation = grown;
	run->violation[run->nviolation++] = v;
	return 0;
}

static int hvr_add_drvfail(struct hvr_run *run, const struct hvr_record *rec)
{
	static const char *const need[] = { "module", "driver", "slot", "op", "reason", "via", "place" };
	struct hvr_drvfail f;
	uint64_t vid, did, rip;
	void *grown;

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (!hvr_get(rec, need[i]) || !*hvr_get(rec, need[i])) {
			hvr_run_error(run, "drvfail record: missing '%s'", need[i]);
			return -1;
		}
	}
	if (hvr_get_hex(rec, "vid", &vid) < 0 || hvr_get_hex(rec, "did", &did) < 0 ||
	    hvr_get_hex(rec, "rip", &rip) < 0) {
		hvr_run_error(run, "drvfail record: missing or bad vid, did or rip");
		return -1;
	}
	memset(&f, 0, sizeof(f));
	f.rip = rip;
	f.vid = (uint16_t)vid;
	f.did = (uint16_t)did;
	hvr_copy(f.module, sizeof(f.module), hvr_get(rec, "module"));
	hvr_copy(f.driver, sizeof(f.driver), hvr_get(rec, "driver"));
	hvr_copy(f.slot, sizeof(f.slot), hvr_get(rec, "slot"));
	hvr_copy(f.op, sizeof(f.op), hvr_get(rec, "op"));
	hvr_copy(f.reason, sizeof(f.reason), hvr_get(rec, "reason"));
	hvr_copy(f.via, sizeof(f.via), hvr_get(rec, "via"));
	hvr_copy(f.place, sizeof(f.place), hvr_get(rec, "place"));
	hvr_copy(f.reset, sizeof(f.reset), hvr_get(rec, "reset"));
	if (hvr_get_hex(rec, "addr", &f.addr) < 0)
		f.addr = 0;
	if (hvr_get_u64(rec, "us", &f.us) < 0)
		f.us = 0;
	if (run->ndrvfail == HVR_MAX_DRVFAIL)
		return hvr_flood(run, "drvfail", HVR_MAX_DRVFAIL);
	grown = hvr_grow(run->drvfail, run->ndrvfail, sizeof(f));
	if (!grown)
		return -1;
	run->drvfail = grown;
	run->drvfail[run->ndrvfail++] = f;
	return 0;
}

int hvr_slot_is(const char *full, const char *slot)
{
	size_t n = strlen(slot), len = strlen(full);

	/* "00:04.0" names the function at 0000:00:04.0. */
	return len >= n && strcmp(full + len - n, slot) == 0 && (len == n || full[len - n - 1] == ':');
}

const struct hvr_drvfail *hvr_run_drvfail(const struct hvr_run *run, const char *slot)
{
	for (size_t i = run->ndrvfail; i-- > 0;) {
		if (hvr_slot_is(run->drvfail[i].slot, slot) || hvr_slot_is(slot, run->drvfail[i].slot))
			return &run->drvfail[i];
	}
	return NULL;
}

const struct hvr_module *hvr_run_module(const struct hvr_run *run, const char *file)
{
	for (size_t i = run->nmodule; i-- > 0;) {
		if (strcmp(run->module[i].file, file) == 0)
			return &run->module[i];
	}
	return NULL;
}

static int hvr_add_metric(struct hvr_run *run, const struct hvr_record *rec)
{
	struct hvr_metric m;
	const char *test = hvr_get(rec, "test");
	void *grown;

	if (!test || !hvr_get(rec, "name") || !hvr_get(rec, "value")) {
		hvr_run_error(run, "metric record: needs test, name and value");
		return -1;
	}
	hvr_copy(m.name, sizeof(m.name), hvr_get(rec, "name"));
	hvr_copy(m.value, sizeof(m.value), hvr_get(rec, "value"));
	hvr_copy(m.unit, sizeof(m.unit), hvr_get(rec, "unit"));
	if (run->npending && strcmp(run->pending_test, test) != 0)
		hvr_run_error(run, "metric for '%s' follows metrics for '%s'", test, run->pending_test);
	hvr_copy(run->pending_test, sizeof(run->pending_test), test);
	if (run->npending == HVR_MAX_METRICS)
		return hvr_flood(run, "metric", HVR_MAX_METRICS);
	grown = hvr_grow(run->pending, run->npending, sizeof(m));
	if (!grown)
		return -1;
	run->pending = grown;
	run->pending[run->npending++] = m;
	return 0;
}

static int hvr_status_parse(const char *s, enum hvr_status *st)
{
	static const char *const names[] = { "pass", "fail", "skip", "error" };

	for (int i = 0; s && i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*st = (enum hvr_status)i;
			return 0;
		}
	}
	return -1;
}

static int hvr_add_test(struct hvr_run *run, const struct hvr_record *rec, double t)
{
	struct hvr_test x;
	char full[128];
	void *grown;

	memset(&x, 0, sizeof(x));
	if (!hvr_get(rec, "suite") || !hvr_get(rec, "name") ||
	    hvr_status_parse(hvr_get(rec, "status"), &x.status) < 0) {
		hvr_run_error(run, "test record: needs suite, name and status pass|fail|skip|error");
		return -1;
	}
	hvr_copy(x.suite, sizeof(x.suite), hvr_get(rec, "suite"));
	hvr_copy(x.name, sizeof(x.name), hvr_get(rec, "name"));
	hvr_copy(x.msg, sizeof(x.msg), hvr_get(rec, "msg"));
	if (hvr_get_u64(rec, "us", &x.us) < 0)
		x.us = 0;
	x.host_s = t;
	snprintf(full, sizeof(full), "%s.%s", x.suite, x.name);
	if (run->npending && strcmp(full, run->pending_test) != 0)
		hvr_run_error(run, "metrics for '%s' precede test '%s'", run->pending_test, full);
	if (run->ntest == HVR_MAX_TESTS)
		return hvr_flood(run, "test", HVR_MAX_TESTS);
	x.metric = run->pending;
	x.nmetric = run->npending;
	run->pending = NULL;
	run->npending = 0;
	grown = hvr_grow(run->test, run->ntest, sizeof(x));
	if (!grown) {
		free(x.metric);
		return -1;
	}
	run->test = grown;
	run->test[run->ntest++] = x;
	return 0;
}

#define HVR_ID_CHARS	"abcdefghijklmnopqrstuvwxyz0123456789_."

/* `selected tests=SUITE.NAME,...`: the tests the kernel will run, before the first of them
 * (a long list comes in several records). */
static int hvr_add_selected(struct hvr_run *run, const struct hvr_record *rec)
{
	const char *list = hvr_get(rec, "tests");

	if (!list) {
		hvr_run_error(run, "selected record: no tests key");
		return -1;
	}
	if (run->ntest) {
		hvr_run_error(run, "a selected record after test records");
		return -1;
	}
	run->has_selected = 1;
	while (*list) {
		size_t len = strcspn(list, ","), dot = strcspn(list, ".");
		void *grown;

		if (len == 0 || len >= HVR_TEST_ID || dot == 0 || dot >= len - 1 || dot >= 48 ||
		    len - dot - 1 >= 64 || strspn(list, HVR_ID_CHARS) < len) {
			hvr_run_error(run, "selected record: '%.*s' is not SUITE.NAME",
				      (int)(len < 60 ? len : 60), list);
			return -1;
		}
		if (run->nselected == HVR_MAX_TESTS)
			return hvr_flood(run, "selected test", HVR_MAX_TESTS);
		grown = hvr_grow(run->selected, run->nselected, sizeof(*run->selected));
		if (!grown)
			return -1;
		run->selected = grown;
		memcpy(run->selected[run->nselected], list, len);
		run->selected[run->nselected][len] = '\0';
		run->nselected++;
		list += len + (list[len] == ',');
	}
	return 0;
}

static int hvr_id_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* With a selection, the test records are exactly the selected tests, each once: a kernel
 * that leaves one out (or reports one it never announced) has not run what it said. */
static int hvr_check_selected(struct hvr_run *run)
{
	const char **ids = calloc(run->nselected + 1, sizeof(*ids));
	unsigned char *seen = calloc(run->nselected + 1, 1);
	int rc = 0;

	if (!ids || !seen) {
		free(ids);
		free(seen);
		hvr_run_error(run, "out of memory checking the selection");
		return -1;
	}
	for (size_t i = 0; i < run->nselected; i++)
		ids[i] = run->selected[i];
	qsort(ids, run->nselected, sizeof(*ids), hvr_id_cmp);
	for (size_t i = 1; i < run->nselected && rc == 0; i++) {
		if (!strcmp(ids[i - 1], ids[i])) {
			hvr_run_error(run, "selected test %s named twice", ids[i]);
			rc = -1;
		}
	}
	for (size_t i = 0; i < run->ntest && rc == 0; i++) {
		char full[HVR_TEST_ID + 16];
		const char *key = full, **hit;

		snprintf(full, sizeof(full), "%s.%s", run->test[i].suite, run->test[i].name);
		hit = bsearch(&key, ids, run->nselected, sizeof(*ids), hvr_id_cmp);
		if (!hit) {
			hvr_run_error(run, "test %s reported, but it was not selected", full);
			rc = -1;
		} else if (seen[hit - ids]++) {
			hvr_run_error(run, "test %s reported twice", full);
			rc = -1;
		}
	}
	for (size_t i = 0; i < run->nselected && rc == 0; i++) {
		const char *key = run->selected[i];	/* in the kernel's order: the first missing */
		const char **hit = bsearch(&key, ids, run->nselected, sizeof(*ids), hvr_id_cmp);

		if (!seen[hit - ids]) {
			hvr_run_error(run, "selected test %s has no test record", key);
			rc = -1;
		}
	}
	free(ids);
	free(seen);
	return rc;
}

/* The end record sums up what the test records said: a kernel whose summary disagrees with
 * its own records, or whose status disagrees with its counts, cannot be believed. */
static int hvr_check_end(struct hvr_run *run)
{
	uint64_t n[4] = { 0, 0, 0, 0 };
	const char *want;

	for (size_t i = 0; i < run->ntest; i++)
		n[run->test[i].status]++;
	if (n[HVR_PASS] != run->end_passed || n[HVR_FAIL] != run->end_failed ||
	    n[HVR_SKIP] != run->end_skipped || n[HVR_ERROR] > run->end_errors) {
		hvr_run_error(run, "end record counts %llu passed, %llu failed, %llu skipped, %llu "
			      "errors, but the test records were %llu, %llu, %llu, %llu",
			      (unsigned long long)run->end_passed, (unsigned long long)run->end_failed,
			      (unsigned long long)run->end_skipped, (unsigned long long)run->end_errors,
			      (unsigned long long)n[HVR_PASS], (unsigned long long)n[HVR_FAIL],
			      (unsigned long long)n[HVR_SKIP], (unsigned long long)n[HVR_ERROR]);
		return -1;
	}
	/* errors may exceed the error records by one: a bad test selection is an error that
	 * no test record carries. */
	want = run->end_errors ? "error" : run->end_failed ? "fail" : "pass";
	if (!strcmp(run->end_status, "policy") && !run->ntest)
		want = "policy";	/* the boot policy refused before any test ran */
	if (strcmp(run->end_status, want)) {
		hvr_run_error(run, "end record status '%s' disagrees with its counts (%s)",
			      run->end_status, want);
		return -1;
	}
	return 0;
}

static int hvr_add_end(struct hvr_run *run, const struct hvr_record *rec, double t)
{
	if (run->has_end) {
		hvr_run_error(run, "a second end record");
		return -1;
	}
	run->has_end = 1;
	run->end_s = t;
	if (hvr_get_u64(rec, "passed", &run->end_passed) < 0 ||
	    hvr_get_u64(rec, "failed", &run->end_failed) < 0 ||
	    hvr_get_u64(rec, "skipped", &run->end_skipped) < 0 ||
	    hvr_get_u64(rec, "errors", &run->end_errors) < 0)
		hvr_run_error(run, "end record: missing or bad counts");
	hvr_copy(run->end_status, sizeof(run->end_status), hvr_get(rec, "status"));
	if (hvr_check_end(run) < 0)
		return -1;
	return run->has_selected ? hvr_check_selected(run) : 0;
}

int hvr_run_add(struct hvr_run *run, const struct hvr_record *rec, double host_s)
{
	const char *type = rec->type;

	if (++run->nrecords > HVR_MAX_RECORDS)
		return hvr_flood(run, "", HVR_MAX_RECORDS);
	if (run->has_end) {
		/* The kernel exits right after `end`: whatever follows is not its run's result. */
		hvr_run_error(run, "a %s record after the end record", type);
		return -1;
	}
	if (strcmp(type, "hello") == 0 && run->has_hello) {
		hvr_run_error(run, "a second hello record (the kernel restarted?)");
		return -1;
	}
	if (strcmp(type, "hello") == 0)
		return hvr_add_hello(run, rec, host_s);
	if (strcmp(type, "pci") == 0)
		return hvr_add_pci(run, rec);
	if (strcmp(type, "module") == 0)
		return hvr_add_module(run, rec);
	if (strcmp(type, "drvfail") == 0)
		return hvr_add_drvfail(run, rec);
	if (strcmp(type, "phase") == 0 || strcmp(type, "bind") == 0)
		return hvr_add_cost(run, rec);
	if (strcmp(type, "metric") == 0)
		return hvr_add_metric(run, rec);
	if (strcmp(type, "test") == 0)
		return hvr_add_test(run, rec, host_s);
	if (strcmp(type, "end") == 0)
		return hvr_add_end(run, rec, host_s);
	if (strcmp(type, "selected") == 0)
		return hvr_add_selected(run, rec);
	if (strcmp(type, "violation") == 0)
		return hvr_add_violation(run, rec);
	if (strcmp(type, "ready") == 0) {
		run->has_ready = 1;
		run->ready_s = host_s;
		if (hvr_get_u64(rec, "us", &run->ready_us) < 0)
			hvr_run_error(run, "ready record: missing or bad us");
		hvr_get_u64(rec, "devices", &run->ready_devices);
		hvr_get_u64(rec, "bound", &run->ready_bound);
		return 0;
	}
	if (strcmp(type, "panic") == 0) {
		run->has_panic = 1;
		run->panic_s = host_s;
		hvr_copy(run->panic_msg, sizeof(run->panic_msg), hvr_get(rec, "msg"));
		hvr_get_u64(rec, "vector", &run->panic_vector);
		hvr_get_hex(rec, "rip", &run->panic_rip);
		return 0;
	}
	return 0;	/* sync and records added later */
}

const char *hvr_run_unfinished(const struct hvr_run *run)
{
	if (run->has_end)
		return NULL;
	for (size_t i = 0; i < run->nselected; i++) {
		size_t k;

		for (k = 0; k < run->ntest; k++) {
			const struct hvr_test *t = &run->test[k];
			size_t sl = strlen(t->suite);

			if (!strncmp(run->selected[i], t->suite, sl) && run->selected[i][sl] == '.' &&
			    !strcmp(run->selected[i] + sl + 1, t->name))
				break;
		}
		if (k == run->ntest)
			return run->selected[i];
	}
	return NULL;
}

int hvr_run_blame(struct hvr_run *run, const char *msg, double host_s)
{
	const char *id = hvr_run_unfinished(run);
	struct hvr_test x;
	size_t dot;
	void *grown;

	if (!id || run->nerrors || run->ntest == HVR_MAX_TESTS)
		return -1;
	memset(&x, 0, sizeof(x));
	dot = strcspn(id, ".");
	snprintf(x.suite, sizeof(x.suite), "%.*s", (int)dot, id);
	snprintf(x.name, sizeof(x.name), "%s", id + dot + 1);
	snprintf(x.msg, sizeof(x.msg), "%s", msg);
	x.status = HVR_FAIL;
	x.host_s = host_s;
	grown = hvr_grow(run->test, run->ntest, sizeof(x));
	if (!grown)
		return -1;
	/* Metrics the test wrote before it stopped are its own. */
	if (run->npending && !strcmp(run->pending_test, id)) {
		x.metric = run->pending;
		x.nmetric = run->npending;
		run->pending = NULL;
		run->npending = 0;
	}
	run->test = grown;
	run->test[run->ntest++] = x;
	return 0;
}

void hvr_run_free(struct hvr_run *run)
{
	for (size_t i = 0; i < run->ntest; i++)
		free(run->test[i].metric);
	free(run->test);
	free(run->selected);
	free(run->pci);
	free(run->module);
	free(run->violation);
	free(run->drvfail);
	free(run->phase);
	free(run->bind);
	free(run->pending);
	memset(run, 0, sizeof(*run));
}
